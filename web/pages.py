"""The browser pages the app serves (big screen, consoles, citizen page) and their static files.

Everything a page needs is served from here, the charting library included (from its PyPI package), because a
government intranet has no CDN.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path
from typing import Any

from litestar import get
from litestar.exceptions import NotFoundException
from litestar.response import File
from litestar.static_files import create_static_files_router

from web.start_page import start_page

STATIC = Path(__file__).resolve().parent / "static"
CHART_LIBRARY = ("plotly", "package_data/plotly.min.js")  # plotly.js, shipped inside the `plotly` wheel
LONG_CACHE = {"Cache-Control": "public, max-age=86400"}

# The page holds no data (it comes over the websocket) and never renders text as HTML; the policy is a second wall.
BOARD_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",  # the chart library sets inline styles
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
])


@lru_cache(maxsize=1)
def chart_library_path() -> Path | None:
    """Found without importing the package (plotly's Python side is not needed, only its bundled JS)."""
    package, relative = CHART_LIBRARY
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / relative
    return path if path.is_file() else None


@get("/board", opt={"public": True}, include_in_schema=False, sync_to_thread=False)
def board_page() -> File:
    """The big screen of the command center (1920x1080); it signs in and connects by itself."""
    return File(STATIC / "board" / "index.html", content_disposition_type="inline", media_type="text/html",
                headers={"Content-Security-Policy": BOARD_POLICY, "Cache-Control": "no-cache",
                         "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"})


@get("/static/vendor/plotly.min.js", opt={"public": True}, include_in_schema=False, sync_to_thread=False)
def chart_library() -> File:
    path = chart_library_path()
    if path is None:
        raise NotFoundException("图表库未安装（pip install plotly）")
    return File(path, content_disposition_type="inline", media_type="text/javascript", headers=LONG_CACHE)


ROUTES: list[Any] = [
    start_page,
    create_static_files_router(path="/static/start", directories=[STATIC / "start"], opt={"public": True},
                               include_in_schema=False, name="start-static"),
    board_page,
    chart_library,
    create_static_files_router(path="/static/board", directories=[STATIC / "board"], opt={"public": True},
                               include_in_schema=False),
]
