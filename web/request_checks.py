"""Checks every HTTP request passes before its handler runs: a path without control characters, and for a handler
that takes a JSON body (`data`), a body that says it is JSON and is not nested absurdly deep.

Why here, once: a NUL in a path reached the file system in the static router (a 500); a 100 000-deep array reached
the JSON decoder (a 500); and a body of any content type was decoded as JSON, so an HTML form on another site
(text/plain, urlencoded and multipart need no CORS preflight) could file letters in a visitor's name. Handlers that
take a raw body (`body: bytes`: Open311's form-encoded POSTs, the workbook and calendar imports) are not touched,
nor are Open311's paths: its handlers answer in the spec's own error shape and touch no file.
"""

from __future__ import annotations

import re

from litestar import Request
from litestar.exceptions import ClientException, HTTPException

MAX_DEPTH = 32  # our deepest body is three levels; a JSON decoder's own limit is far deeper than anyone needs
CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # refused in a path, escaped where a path is logged
_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"')
_BRACKETS = re.compile(rb"[\[\]{}]")
NOT_JSON = "请以 JSON 格式提交（Content-Type: application/json）"
TOO_DEEP = f"请求内容嵌套层数过多（最多 {MAX_DEPTH} 层），请检查格式"
BAD_PATH = "请求地址含有非法字符"


def nesting_depth(body: bytes) -> int:
    """How deep arrays and objects nest, brackets inside strings not counted; cheap for an ordinary body."""
    if body.count(b"[") + body.count(b"{") <= MAX_DEPTH:
        return 0  # cannot be too deep, whatever the order
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_STRINGS.sub(b"", body)):
        depth += 1 if bracket in (b"[", b"{") else -1
        deepest = max(deepest, depth)
    return deepest


def is_json(content_type: str) -> bool:
    return content_type == "application/json" or (content_type.startswith("application/") and
                                                  content_type.endswith("+json"))


async def check_request(request: Request) -> None:
    """The app's `before_request` hook."""
    path = request.scope["path"]
    if CONTROL.search(path) and not path.startswith("/open311/"):
        raise ClientException(BAD_PATH)
    if "data" not in request.route_handler.parsed_fn_signature.parameters:
        return
    body = await request.body()  # kept by the request: the handler's decoding reads it again for free
    if not body:
        return  # nothing to decode: the handler's own validation says what is missing
    if not is_json(request.content_type[0].lower()):
        raise HTTPException(status_code=415, detail=NOT_JSON)
    if nesting_depth(body) > MAX_DEPTH:
        raise ClientException(TOO_DEEP)
