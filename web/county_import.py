"""`POST /api/admin/county/import`: the county workbook through the API, for the admin page (the CLI's
`import county`, same checks, same all-or-nothing write, `web.county_workbook`).

The body is the .xlsx file's bytes. Problems: 400 with every one by sheet, row and column, nothing written. New
accounts' first passwords are in the answer, once (the page shows them; they are never logged or stored).
"""

from __future__ import annotations

import io

import msgspec
from litestar import Response, post
from sqlalchemy.orm import Session

from hotline.dependencies import roles
from hotline.reference import Changes
from hotline.vocabulary import Role
from web.county_workbook import import_county

MAX_WORKBOOK_BYTES = 10 * 1024 * 1024  # a county's reference data is a few hundred kilobytes


class ProblemRead(msgspec.Struct):
    sheet: str
    row: int | None
    column: str | None
    message: str


class PasswordRead(msgspec.Struct):
    username: str
    display_name: str
    password: str


class ImportRead(msgspec.Struct):
    dry_run: bool
    problems: list[ProblemRead]
    changes: dict[str, Changes]
    passwords: list[PasswordRead]


@post("/api/admin/county/import", guards=[roles(Role.ADMIN)], sync_to_thread=True, status_code=200,
      request_max_body_size=MAX_WORKBOOK_BYTES, tags=["admin"])
def import_workbook(body: bytes, db_session: Session, dry_run: bool = False) -> Response[ImportRead]:
    outcome = import_county(db_session, io.BytesIO(body), dry_run=dry_run)
    problems = [ProblemRead(p.sheet, p.row, p.column, p.message) for p in outcome.problems]
    if problems:
        return Response({"status_code": 400, "detail": f"发现 {len(problems)} 处问题，未写入任何数据",
                         "problems": msgspec.to_builtins(problems)}, status_code=400)
    return Response(ImportRead(dry_run=dry_run, problems=[], changes=outcome.changes,
                               passwords=[PasswordRead(u, n, p) for u, n, p in outcome.passwords]))


ROUTES = [import_workbook]
