"""The people's pages: operator console, knowledge editor, handler workbench, commander desk, citizen page, admin.

Each page is one static HTML file with ES modules; all data comes from the same JSON API as everything else,
so these handlers only serve files. The pages are public (the API behind them is not): staff sign in inside the
page and keep the token in sessionStorage. A strict Content-Security-Policy (no inline script or style, nothing
from another origin) backs up the rule that the scripts never render user text as HTML.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Response, get
from litestar.datastructures import CacheControlHeader
from litestar.response import File
from litestar.static_files import create_static_files_router

STATIC = Path(__file__).resolve().parent / "static"
ASSET_FOLDERS = ("common", "console", "workbench", "commander", "citizen", "admin", "report", "leader", "grid")

PAGE_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
PAGE_HEADERS = {
    "Content-Security-Policy": PAGE_POLICY,
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # a ticket number in the URL never travels on
}
PAGE = {"opt": {"public": True}, "include_in_schema": False, "sync_to_thread": False}


def _page(folder: str, name: str = "index.html") -> File:
    return File(STATIC / folder / name, filename=name, content_disposition_type="inline", media_type="text/html",
                headers=PAGE_HEADERS)


@get(["/console"], **PAGE)
def console_page() -> File:
    """话务受理台: record a call, see the suggestion, search the knowledge base, answer on the spot."""
    return _page("console")


@get(["/console/callbacks"], **PAGE)
def callbacks_page() -> File:
    """回访: the operator calls back the callers of 办结 tickets and records each call and its survey."""
    return _page("console", "callbacks.html")


@get(["/console/knowledge"], **PAGE)
def knowledge_page() -> File:
    """知识库维护: admins write and retire articles; operators may read the list."""
    return _page("console", "knowledge.html")


@get(["/workbench", "/workbench/tickets/{number:str}"], **PAGE)
def workbench_page(number: str | None = None) -> File:
    """承办工作台: the same page for the inbox and one ticket; the API decides what a handler may see."""
    return _page("workbench")


@get(["/commander", "/commander/tickets/{number:str}"], **PAGE)
def commander_page(number: str | None = None) -> File:
    """指挥中心调度台: manual dispatch, returns, extensions, supervision, merges."""
    return _page("commander")


@get(["/report"], **PAGE)
def report_page() -> File:
    """月度考核: every unit's monthly figures, rank and score, the county total, the workbook to download."""
    return _page("report")


@get(["/leader"], **PAGE)
def leader_page() -> File:
    """县领导: read-only view of overdue tickets, open 督办单 and the instructions given, and a form for 领导批示."""
    return _page("leader")


@get(["/grid"], **PAGE)
def grid_page() -> File:
    """网格员 (mobile): report an event with photos and the phone's position, follow the cell's tickets, 核查."""
    return _page("grid")


@get(["/citizen"], **PAGE)
def citizen_page() -> File:
    """群众诉求: write a letter, look a ticket up by number and query code, rate the answer (mobile first)."""
    return _page("citizen")


@get(["/admin"], **PAGE)
def admin_page() -> File:
    """系统管理: units, areas, the dispatch catalogue, staff accounts and the county workbook (admins only)."""
    return _page("admin")


async def _nosniff(response: Response) -> Response:
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _assets(folder: str) -> Any:
    """Scripts and styles, revalidated on every load so a deploy is never half old, half new."""
    return create_static_files_router(
        path=f"/static/{folder}", directories=[STATIC / folder], opt={"public": True}, include_in_schema=False,
        cache_control=CacheControlHeader(no_cache=True), after_request=_nosniff, name=f"people-static-{folder}")


ROUTES: list[Any] = [console_page, callbacks_page, knowledge_page, workbench_page, commander_page, report_page,
                     leader_page, citizen_page, admin_page, grid_page,
                     *(_assets(folder) for folder in ASSET_FOLDERS)]
