"""The start page at `/`: what runs here and a link to each page with who uses it.

The demo (`hotline12345 demo` sets HOTLINE_DEMO=1) also names the account to try each page with; anywhere else
the page names no account and no password, so a county's own server never advertises demo12345.
"""

from __future__ import annotations

from functools import lru_cache
from html import escape
from pathlib import Path

from litestar import Response, get

from hotline.settings import get_settings
from web.demo.county import DEMO_PASSWORD
from web.people_pages import PAGE_HEADERS

PAGE = Path(__file__).resolve().parent / "static" / "start" / "index.html"
DEMO_ACCOUNTS = {  # page -> the demo accounts made for it (web/demo/county.py)
    "/console": ("operator1", "operator2"),
    "/console/callbacks": ("operator1",),
    "/workbench": ("h_zjj", "h_cgj"),
    "/commander": ("commander",),
    "/board": ("commander", "auditor"),
    "/leader": ("leader",),
    "/report": ("commander", "admin"),
    "/grid": ("grid1",),
    "/admin": ("admin",),
    "/console/knowledge": ("admin", "operator1"),
}
NO_ACCOUNT = "无需登录"


@lru_cache(maxsize=2)
def render(demo: bool) -> str:
    html = PAGE.read_text(encoding="utf-8")
    for path in ("/citizen", "/schema", "/schema/swagger", *DEMO_ACCOUNTS):
        users = DEMO_ACCOUNTS.get(path)
        line = ""
        if demo:
            names = " 或 ".join(f"<code>{escape(user)}</code>" for user in users or ())
            line = f'<p class="account">{f"演示账号：{names}" if users else NO_ACCOUNT}</p>'
        html = html.replace(f"<!--demo:{path}-->", line)
    notice = (f'<p class="panel demo">演示环境：各页面下方列出可用的演示账号，密码均为 <code>{DEMO_PASSWORD}</code>'
              "（仅限演示，正式环境不使用这些账号）。</p>") if demo else ""
    foot = "" if demo else "账号由系统管理员分配，请向本单位管理员申请。"
    return html.replace("<!--demo-notice-->", notice).replace("<!--accounts-->", foot)


@get("/", opt={"public": True}, include_in_schema=False, sync_to_thread=False)
def start_page() -> Response[str]:
    return Response(render(get_settings().demo), media_type="text/html; charset=utf-8", headers=PAGE_HEADERS)
