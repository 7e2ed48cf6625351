"""The GeoReport v2 endpoints under /open311: discovery, services, requests, tokens and the
servicerequestupdates extension, each in .xml and .json. Thin: parsing and answers only."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from anyio import to_thread
from litestar import Request, Response, Router, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import HTTPException
from litestar.handlers import HTTPRouteHandler
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from hotline import attachments
from hotline.client_address import client_address
from hotline.settings import BODY_LIMIT, get_settings
from open311 import catalogue, keys, queries, submit
from open311.formats import FORMATS, JSON, XML, Open311Error, error_response, render, split_format
from open311.models import Open311ApiKey
from open311.openapi import operation_class

log = logging.getLogger("open311")
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
V2 = "/open311/v2"
EITHER = operation_class(XML, JSON)  # the format is the resource name's extension


def _format_of(request: Request) -> str:
    fmt = request.url.path.rpartition(".")[2].lower()
    return fmt if fmt in FORMATS else XML


def _both(decorator: Callable[..., Any], name: str, function: Callable[..., Response]) -> list[HTTPRouteHandler]:
    """One handler per format: Litestar 2.25 mis-wraps a sync_to_thread handler that has several paths."""
    return [decorator(f"{name}.{fmt}", name=f"open311_{function.__name__}_{fmt}", operation_class=operation_class(fmt))(
        function) for fmt in FORMATS]


def _client_key(request: Request, session: Session) -> Open311ApiKey | None:
    """Check the key if one is sent (a wrong key is a 403 even where none is needed) and count the call."""
    key = keys.authenticate(session, request.query_params.get("api_key"), required=False)
    keys.spend(key, client_address(request))
    return key


def _answer(session: Session, fmt: str, root: str, value: Any) -> Response:
    """A read's answer. The read's own transaction ends here, carrying the key's last use if authenticate noted one
    (already flushed by the queries, so always a commit: it costs what the rollback at the session's close would)."""
    response = render(fmt, root, value)
    session.commit()
    return response


def _params(request: Request) -> queries.Params:
    return queries.Params.of(request.query_params.multi_items())


def discovery(request: Request) -> Response:
    """The endpoint's URL is OPEN311_BASE_URL's, or relative to this document when none is set: never built from
    the request's Host header, which any client sets to whatever it likes (a cache or a proxy would then hand
    other clients an endpoint on the sender's host)."""
    settings = get_settings().open311
    base = settings.base_url
    endpoint = {
        "specification": SPECIFICATION,
        "url": f"{base}{V2}",
        "changeset": catalogue.CHANGESET,
        "type": "production",
        "formats": ["text/xml", "application/json"],
    }
    value = {"changeset": catalogue.CHANGESET, "contact": settings.contact, "key_service": settings.key_service,
             "endpoints": [endpoint]}
    return render(_format_of(request), "discovery", value)


def services(request: Request, db_session: Session) -> Response:
    _client_key(request, db_session)
    listed = catalogue.service_list(get_settings().open311.service_type)
    return _answer(db_session, _format_of(request), "services", listed)


@get("/v2/services/{name:str}", sync_to_thread=True, operation_class=EITHER)
def service_definition(name: str, request: Request, db_session: Session) -> Response:
    code, fmt = split_format(name)
    _client_key(request, db_session)
    return _answer(db_session, fmt, "service_definition", catalogue.definition(code))


def list_requests(request: Request, db_session: Session) -> Response:
    _client_key(request, db_session)
    found = queries.find_requests(db_session, _params(request))
    return _answer(db_session, _format_of(request), "service_requests", found)


async def _form_body(request: Request) -> bytes:
    """An urlencoded body carries no file, so it keeps the app's small limit, not the upload route's."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > BODY_LIMIT:
        raise Open311Error(413, "提交的内容过大")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > BODY_LIMIT:
            raise Open311Error(413, "提交的内容过大")
    return bytes(body)


async def _read_form(request: Request) -> submit.Form:
    """Urlencoded as the spec says, or multipart with the photo or recording itself in `media`. A body over the
    upload limit is cut off while it streams and answered in the spec's error shape."""
    content_type = request.headers.get("content-type", "")
    query = request.query_params.multi_items()
    try:
        if not submit.is_multipart(content_type):
            return submit.parse_form(await _form_body(request), content_type, query)
        parts: list[tuple[str, str]] = []
        media: submit.Media | None = None
        for name, value in (await request.form()).multi_items():
            if isinstance(value, UploadFile):
                if name != "media":
                    raise Open311Error(400, f"文件只能放在 media 字段（收到字段「{name[:40]}」）")
                if media is not None:
                    raise Open311Error(400, "media: 每次只能附带一个文件")
                media = submit.Media(data=await value.read(), name=value.filename)
            elif name == "media":
                raise Open311Error(400, "media 须为上传的文件；图片地址请放在 media_url")
            else:
                parts.append((name, value))
        return submit.multipart_form(parts, media, query)
    except HTTPException as exc:
        if exc.status_code == 413:
            raise Open311Error(413, f"media: {attachments.upload_too_large()}") from None
        raise Open311Error(400, "multipart/form-data 格式不正确") from None


async def create_request(request: Request, db_session: Session) -> Response:
    form = await _read_form(request)

    def file() -> dict[str, Any]:
        key = keys.authenticate(db_session, form.get("api_key"), required=True)
        keys.spend(key, None)
        return submit.create(db_session, form, key, get_settings().open311.service_type)

    return render(_format_of(request), "service_requests", [await to_thread.run_sync(file)])


@get("/v2/requests/{name:str}", sync_to_thread=True, operation_class=EITHER)
def one_request(name: str, request: Request, db_session: Session) -> Response:
    number, fmt = split_format(name)
    _client_key(request, db_session)
    return _answer(db_session, fmt, "service_requests", queries.find_request(db_session, number))


@get("/v2/tokens/{name:str}", sync_to_thread=True, operation_class=EITHER)
def token(name: str, request: Request, db_session: Session) -> Response:
    value, fmt = split_format(name)
    _client_key(request, db_session)
    return _answer(db_session, fmt, "service_requests", [submit.token_item(db_session, value)])


def request_updates(request: Request, db_session: Session) -> Response:
    _client_key(request, db_session)
    found = queries.find_updates(db_session, _params(request))
    return _answer(db_session, _format_of(request), "service_request_updates", found)


@get("/v2/{rest:path}", sync_to_thread=False, operation_class=EITHER)
def unknown(rest: str, request: Request) -> Response:
    """Anything else under the endpoint answers in the spec's error shape, not the API's own."""
    return error_response(_format_of(request), [(404, f"没有这个资源：{rest.lstrip('/')}")], 404)


def open311_error(request: Request, exc: Open311Error) -> Response:
    return error_response(_format_of(request), [(exc.status, exc.description)], exc.status, exc.headers)


def service_error(request: Request, exc: SQLAlchemyError) -> Response:
    """The spec's "general service error" is a 400; the cause goes to the log, not to the client."""
    log.exception("open311 %s %s failed", request.method, request.url.path, exc_info=exc)
    return error_response(_format_of(request), [(400, "服务暂时无法处理该请求，请稍后再试")], 400)


EXCEPTION_HANDLERS: dict[Any, Any] = {Open311Error: open311_error, SQLAlchemyError: service_error}

open311_router = Router(
    path="/open311",
    route_handlers=[
        *_both(partial(get, sync_to_thread=False), "/discovery", discovery),
        *_both(partial(get, sync_to_thread=True), "/v2/services", services),
        service_definition,
        *_both(partial(get, sync_to_thread=True), "/v2/requests", list_requests),
        *_both(partial(post, status_code=200, request_max_body_size=attachments.largest_upload()), "/v2/requests",
               create_request),
        one_request,
        token,
        *_both(partial(get, sync_to_thread=True), "/v2/servicerequestupdates", request_updates),
        unknown,
    ],
    exception_handlers=EXCEPTION_HANDLERS,
    opt={"public": True},  # no staff sign-in: GETs are open, POSTs carry an api_key
    tags=["open311"],
)
