"""POST requests: a GeoReport form becomes a letter and goes through hotline's intake, like any letter.

So it gets the same numbering, receipt SMS, event log, classification and dispatch (the routing job runs
after the commit). In batch mode the checked letter waits in `open311_request` for a worker, and the client
gets a token to exchange for the ticket number later.
"""

from __future__ import annotations

import logging
import re
import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import msgspec
from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.policy import current_clock
from hotline import abuse, attachments, intake, jobs
from hotline.clock import now
from hotline.database import session_scope
from hotline.models import Ticket
from hotline.schemas import PartnerLetter
from hotline.uploads import Prepared, UploadRefused, prepare
from hotline.vocabulary import Channel
from hotline.workflow import CITIZEN_ACTOR
from open311 import catalogue
from open311.formats import Open311Error
from open311.mapping import MEDIA_SOURCE, service_notice
from open311.models import Open311ApiKey, Open311Request

log = logging.getLogger("open311.submit")
FILE_JOB = "open311.submit.file_pending"
MAX_DESCRIPTION = 4000
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
_CJK = re.compile(r"[\u3400-\u9fff]")
_AT_PATH = re.compile(r" - at `\$[^`]*`$")  # msgspec's pointer to the field, after the message


class Media(msgspec.Struct, frozen=True):
    """The file of a multipart POST's `media` part, as sent: nothing is checked until the rest of the form is."""

    data: bytes
    name: str | None


class Form(msgspec.Struct, kw_only=True):
    """The spec's POST fields; jurisdiction_id, email, device_id and account_id are accepted and not kept."""

    fields: dict[str, str]
    attributes: dict[str, list[str]]
    media: Media | None = None

    def get(self, name: str) -> str | None:
        value = self.fields.get(name, "").strip()
        return value or None


def is_multipart(content_type: str) -> bool:
    return content_type.lower().lstrip().startswith("multipart/form-data")


def parse_form(body: bytes, content_type: str, query: list[tuple[str, str]]) -> Form:
    """Form-urlencoded as the spec says; parameters in the query string (some clients put api_key
    there) count too, the body winning."""
    if body and "application/x-www-form-urlencoded" not in content_type.lower():
        raise Open311Error(400, "提交诉求须使用 Content-Type: application/x-www-form-urlencoded"
                                "（附带照片或录音时用 multipart/form-data，文件放在 media 字段）")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        raise Open311Error(400, "请求内容须为 UTF-8 编码") from None
    return _form([*query, *pairs])


def multipart_form(parts: list[tuple[str, str]], media: Media | None, query: list[tuple[str, str]]) -> Form:
    """A multipart POST (many apps upload the photo itself instead of a media_url): the text parts read as the
    urlencoded fields do, the file in `media`."""
    form = _form([*query, *parts])
    form.media = media
    return form


def _form(pairs: list[tuple[str, str]]) -> Form:
    fields: dict[str, str] = {}
    attributes: dict[str, list[str]] = {}
    for key, value in pairs:
        if match := _ATTRIBUTE.match(key):
            attributes.setdefault(match.group(1), []).append(value)
        else:
            fields[key] = value
    return Form(fields=fields, attributes=attributes)


def _coordinates(form: Form) -> tuple[float | None, float | None]:
    lat, lon = form.get("lat"), form.get("long")
    if lat is None and lon is None:
        return None, None
    if lat is None or lon is None:
        raise Open311Error(400, "lat 与 long 须同时提供")
    try:
        latitude, longitude = float(lat), float(lon)
    except ValueError:
        raise Open311Error(400, f"lat/long 须为数字（收到「{lat}」「{lon}」）") from None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise Open311Error(400, "lat 须在 -90 到 90 之间，long 须在 -180 到 180 之间")
    return latitude, longitude


def _media_url(form: Form) -> str | None:
    url = form.get("media_url")
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 500:
        raise Open311Error(400, "media_url 须为 500 字以内的 http(s) 地址")
    return url


def _name(form: Form) -> str | None:
    first, last = form.get("first_name") or "", form.get("last_name") or ""
    name = f"{last}{first}" if _CJK.search(first + last) else f"{first} {last}".strip()
    return name[:32] or None


def _content(description: str | None, leaf_name: str, extras: list[str]) -> str:
    """The citizen's words first; attribute lines and the media link follow when they fit in 4,000."""
    content = description or f"【{leaf_name}】（通过 Open311 提交，未填写文字描述）"
    for line in extras:
        if len(content) + 1 + len(line) <= MAX_DESCRIPTION:
            content = f"{content}\n{line}"
    return content


def build_letter(session: Session, form: Form) -> tuple[PartnerLetter, str, dict[str, Any], str | None]:
    """Check everything before anything is written: (letter, service_code, attributes, media_url)."""
    item = catalogue.find(form.get("service_code"))
    latitude, longitude = _coordinates(form)
    address = form.get("address_string")
    if latitude is None and address is None:
        hint = "（本系统不使用 address_id）" if form.get("address_id") else ""
        raise Open311Error(400, f"缺少位置：须提供 lat 与 long，或 address_string{hint}")
    if address is not None and len(address) > 200:
        raise Open311Error(400, "address_string 最多 200 字")
    description = form.get("description")
    if description is not None and len(description) > MAX_DESCRIPTION:
        raise Open311Error(400, f"description 最多 {MAX_DESCRIPTION} 字（收到 {len(description)} 字）")
    attributes = catalogue.check_attributes(item.code, form.attributes)
    media_url = _media_url(form)
    extras = catalogue.describe_attributes(item.code, attributes) + ([f"【图片】{media_url}"] if media_url else [])
    phone = form.get("phone")
    if phone is not None and len(phone) > 32:  # hotline.schemas.Phone; worded as web/errors.py words it
        raise Open311Error(400, "phone: 联系电话过长，最多 32 个字")
    township, village = intake.places_named_in(session, address)  # the township's own catalogue applies
    raw = {
        "title": item.name, "content": _content(description, item.name, extras), "phone": phone,
        "channel": Channel.APP, "type": catalogue.ticket_type(item.code), "name": _name(form),
        "township": township, "village": village, "address": address, "latitude": latitude, "longitude": longitude,
    }
    try:
        letter = msgspec.convert(raw, PartnerLetter)
    except msgspec.ValidationError as exc:
        # all but the phone number is checked above; hotline's phone check words its refusal in Chinese
        message = _AT_PATH.sub("", str(exc))
        field = "phone" if "电话" in message else "request"
        raise Open311Error(400, f"{field}: {message}") from None
    return letter, item.code, attributes, media_url


def _prepared_media(media: Media | None) -> Prepared | None:
    """The photo or recording checked as every upload is (type from the bytes, limits, EXIF gone), before
    anything is written: a refused file means no ticket."""
    if media is None:
        return None
    try:
        return prepare(media.data, media.name, attachments.limits())
    except UploadRefused as refused:
        raise Open311Error(refused.status, f"media: {refused.message}") from None


def create(session: Session, form: Form, key: Open311ApiKey, service_type: str) -> dict[str, Any]:
    """One element of the POST answer: the ticket number at once, or a token in batch mode."""
    letter, code, attributes, media_url = build_letter(session, form)
    try:
        abuse.refuse_blocked(session, letter.phone)  # in batch mode too: the answer says so now, not the worker
    except abuse.Blocked as blocked:
        raise Open311Error(403, blocked.detail) from None
    prepared = _prepared_media(form.media)
    extra = Open311Request(api_key_id=key.id, service_code=code, attributes=attributes, media_url=media_url,
                           created_at=now())
    if prepared is not None:
        # a file cannot wait in a payload for a worker: the request is filed now, in batch mode too, and its
        # token already names the ticket
        if service_type == "batch":
            extra.token = secrets.token_urlsafe(18)
        number, notice = _file_with_media(session, letter, extra, prepared)
        named = {"token": extra.token} if extra.token else {"service_request_id": number}
        return {**named, "service_notice": notice, "account_id": None}
    if service_type == "batch":
        extra.token = secrets.token_urlsafe(18)
        extra.payload = msgspec.to_builtins(letter)
        session.add(extra)
        session.flush()
        jobs.after_commit(session, FILE_JOB, extra.id)
        session.commit()
        return {"token": extra.token, "service_notice": "已收到，正在受理；请稍后凭 token 查询工单号",
                "account_id": None}
    ticket = intake.receive_letter(session, letter)
    extra.ticket_id, extra.filed_at = ticket.id, ticket.created_at
    session.add(extra)
    session.flush()
    notice = service_notice(ticket, current_clock(session))
    session.commit()
    return {"service_request_id": ticket.number, "service_notice": notice, "account_id": None}


def _file_with_media(session: Session, letter: PartnerLetter, extra: Open311Request,
                     prepared: Prepared) -> tuple[str, str | None]:
    """Ticket, request row and file in one transaction: attachments.add stores the bytes, then commits all of it,
    and on any failure rolls everything back and deletes what it stored, so no ticket is left without its file.
    Returns (number, service notice)."""
    ticket = intake.receive_letter(session, letter)
    extra.ticket_id, extra.filed_at = ticket.id, ticket.created_at
    session.add(extra)
    session.flush()
    number, notice = ticket.number, service_notice(ticket, current_clock(session))
    try:
        attachments.add(session, ticket, CITIZEN_ACTOR, prepared, source=MEDIA_SOURCE)
    except UploadRefused as refused:
        raise Open311Error(refused.status, f"media: {refused.message}") from None
    except Exception:  # the store away (disk, S3): add() has rolled back and deleted; the spec's general error
        log.exception("open311 media for a %s request could not be stored", extra.service_code)
        raise Open311Error(400, "服务暂时无法保存附件，诉求未提交，请稍后再试") from None
    return number, notice


def token_item(session: Session, token: str) -> dict[str, Any]:
    extra = session.scalars(select(Open311Request).where(Open311Request.token == token)).first()
    if extra is None:
        raise Open311Error(404, f"token「{token}」不存在")
    number = session.get(Ticket, extra.ticket_id).number if extra.ticket_id is not None else None
    return {"service_request_id": number, "token": token}


def file_pending(request_id: int) -> str | None:
    """RQ job: file a batch request through intake; a second run (or a second worker) does nothing."""
    with session_scope() as session:
        extra = session.get(Open311Request, request_id, with_for_update=True)
        if extra is None or extra.ticket_id is not None or extra.payload is None:
            return None
        ticket = intake.receive_letter(session, msgspec.convert(extra.payload, PartnerLetter), accepted_before=True)
        extra.ticket_id, extra.filed_at, extra.payload = ticket.id, ticket.created_at, None
        return ticket.number


def file_pending_requests(older_than: timedelta = timedelta(minutes=1)) -> int:
    """The slow path, for the scheduler: batch requests whose job was lost (Redis away at the commit)."""
    with session_scope() as session:
        waiting = session.scalars(select(Open311Request.id).where(
            Open311Request.ticket_id.is_(None), Open311Request.payload.is_not(None),
            Open311Request.created_at < now() - older_than)).all()
    filed = 0
    for request_id in waiting:
        try:
            filed += file_pending(request_id) is not None
        except Exception:  # one bad row must not stop the others; it stays pending and is logged
            log.exception("open311 request %s could not be filed", request_id)
    return filed


SCHEDULE = [(file_pending_requests, "* * * * *")]
