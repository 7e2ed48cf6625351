"""HTTP endpoints for attachments: staff and citizens upload, staff list, a signed link serves the bytes.

Uploads are multipart forms with the file in the field ``file`` (a citizen adds ``number`` and ``query_code``).
A served file can never be taken for a page: its type is the checked one, ``nosniff`` forbids guessing another,
and a sandboxing CSP with ``default-src 'none'`` stops anything in it from running even if opened directly.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from anyio import to_thread
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import HTTPException
from sqlalchemy.orm import Session

from hotline import abuse, attachments, citizen
from hotline.access import load_ticket
from hotline.client_address import client_address
from hotline.dependencies import roles
from hotline.schemas import AttachmentRead
from hotline.uploads import prepare
from hotline.vocabulary import Role
from hotline.workflow import CITIZEN_ACTOR, Actor

UPLOADERS = (Role.OPERATOR, Role.HANDLER, Role.COMMANDER, Role.GRID)  # a grid worker: own cell's tickets
READERS = (Role.OPERATOR, Role.HANDLER, Role.COMMANDER, Role.ADMIN, Role.AUDITOR, Role.LEADER)
MAX_BODY = attachments.largest_upload()


async def _form(request: Request) -> tuple[Any, bytes, str | None]:
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise HTTPException(status_code=400, detail="请选择要上传的文件（表单字段 file）")
    return form, await upload.read(), upload.filename


def _prepared(data: bytes, name: str | None):
    return prepare(data, name, attachments.limits())


class TicketAttachmentController(Controller):
    path = "/api/tickets/{number:str}/attachments"
    tags = ["attachments"]

    @post("/", guards=[roles(*UPLOADERS)], request_max_body_size=MAX_BODY, status_code=201)
    async def upload(self, number: str, request: Request, db_session: Session) -> AttachmentRead:
        """The ticket is checked before the file is read: another unit's ticket answers as an unknown one."""
        actor: Actor = request.user
        ticket = await to_thread.run_sync(load_ticket, db_session, number, actor)
        _, data, name = await _form(request)
        prepared = await to_thread.run_sync(_prepared, data, name)

        def store() -> AttachmentRead:
            row = attachments.add(db_session, ticket, actor, prepared, source=actor.role)
            return attachments.read(row, ticket.number)

        return await to_thread.run_sync(store)

    @get("/", guards=[roles(*READERS)], sync_to_thread=True)
    def listing(self, number: str, request: Request, db_session: Session) -> list[AttachmentRead]:
        return attachments.for_ticket(db_session, load_ticket(db_session, number, request.user))


class PublicAttachmentController(Controller):
    path = "/api/public"
    tags = ["public"]

    @post("/attachments", request_max_body_size=MAX_BODY, status_code=201)
    async def upload(self, request: Request, db_session: Session) -> AttachmentRead:
        """A citizen adds a photo or recording to their own ticket, with its number and query code."""
        await to_thread.run_sync(abuse.admit_upload, client_address(request))
        form, data, name = await _form(request)
        number, code = form.get("number"), form.get("query_code")
        if not isinstance(number, str) or not isinstance(code, str) or not number.strip() or not code.strip():
            raise HTTPException(status_code=400, detail="请填写工单号和查询码")
        prepared = await to_thread.run_sync(_prepared, data, name)

        def store() -> AttachmentRead:
            ticket = citizen.find_for_citizen(db_session, number[:32], code[:32])
            row = attachments.add(db_session, ticket, CITIZEN_ACTOR, prepared, source="citizen")
            return attachments.read(row, ticket.number)

        return await to_thread.run_sync(store)

    @get("/files/{token:str}", sync_to_thread=True)
    def file(self, token: str, db_session: Session, download: bool = False) -> Response[bytes]:
        served = attachments.open_link(db_session, token)
        disposition = "attachment" if download else "inline"
        return Response(served.data, media_type=served.content_type, headers={
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(served.name)}",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, max-age=600",
        })


ROUTES = [TicketAttachmentController, PublicAttachmentController]
