"""Photos and recordings kept with a ticket: add one, list a ticket's, hand out a link, purge by retention.

Why this shape: the bytes go to the file store (hotline.file_store) before the row is committed, and are deleted
again if the commit fails, so a row never names a missing file; a crash between the two leaves bytes no row names,
which the daily sweep deletes after a grace hour. Nobody is given a store key or a path: pages and apps get a
signed link (a JWT naming the attachment and a variant, valid ``link_minutes``), so an <img> can show a file
without a staff token or a citizen's query code in its address, and a link cannot be turned into another file.
A merged ticket's files stay its own and are listed with the ticket it was merged into.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

import jwt
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.clock import now
from hotline.file_store import FileMissing, FileStore, open_store
from hotline.models import Ticket, TicketAttachment, TicketEvent
from hotline.schemas import AttachmentRead
from hotline.settings import get_settings
from hotline.uploads import Limits, Prepared, UploadRefused
from hotline.vocabulary import Action, Status
from hotline.workflow import Actor, apply

LINK_AUDIENCE = "attachment"
VARIANTS = ("file", "thumb")
ORPHAN_GRACE = timedelta(hours=1)


@lru_cache(maxsize=4)
def _store_for(url: str, var_dir: str) -> FileStore:
    return open_store(url, Path(var_dir))


def file_store() -> FileStore:
    settings = get_settings()
    return _store_for(settings.attachments.store, str(settings.var_dir))


def limits() -> Limits:
    cfg = get_settings().attachments
    return Limits(cfg.image_mb * 1024 * 1024, cfg.audio_mb * 1024 * 1024, cfg.max_pixels)


def largest_upload() -> int:
    """The request body limit of an upload route: the larger file kind, with room for the form around it."""
    cfg = get_settings().attachments
    return max(cfg.image_mb, cfg.audio_mb) * 1024 * 1024 + 64 * 1024


def upload_too_large() -> str:
    cfg = get_settings().attachments
    return f"文件过大：图片不能超过 {cfg.image_mb} MB，录音不能超过 {cfg.audio_mb} MB"


def live_count(session: Session, ticket: Ticket) -> int:
    return session.scalar(select(func.count()).select_from(TicketAttachment).where(
        TicketAttachment.ticket_id == ticket.id, TicketAttachment.purged_at.is_(None))) or 0


def add(session: Session, ticket: Ticket, actor: Actor, prepared: Prepared, source: str) -> TicketAttachment:
    """Store the bytes, write the row and its event, and commit; on any failure nothing is left behind."""
    cap = get_settings().attachments.max_per_ticket
    if live_count(session, ticket) >= cap:
        raise UploadRefused(f"每张工单最多上传 {cap} 个附件，已达上限", 409)
    event = apply(session, ticket, Action.ATTACH, actor, data={"kind": prepared.kind, "source": source})
    stem = f"t/{ticket.id}/{secrets.token_hex(12)}"
    key, thumb_key = f"{stem}.{prepared.extension}", (f"{stem}.thumb.jpg" if prepared.thumbnail else None)
    row = TicketAttachment(
        ticket_id=ticket.id, kind=prepared.kind, content_type=prepared.content_type, name=prepared.name,
        size=len(prepared.data), width=prepared.width, height=prepared.height, key=key, thumb_key=thumb_key,
        source=source, uploaded_by=actor.id, department_id=actor.department_id, created_at=now(),
    )
    store = file_store()
    written: list[str] = []
    try:
        store.put(key, prepared.data, prepared.content_type)
        written.append(key)
        if thumb_key and prepared.thumbnail:
            store.put(thumb_key, prepared.thumbnail, "image/jpeg")
            written.append(thumb_key)
        session.add(row)
        session.flush()
        event.data = {**event.data, "attachment_id": row.id}
        session.commit()
    except BaseException:
        session.rollback()
        for done in written:
            store.delete(done)
        raise
    return row


def _tickets_shown_with(session: Session, ticket: Ticket) -> list[int]:
    merged = select(Ticket.id).where(Ticket.parent_id == ticket.id, Ticket.status == Status.MERGED)
    return [ticket.id, *session.scalars(merged)]


def for_ticket(session: Session, ticket: Ticket) -> list[AttachmentRead]:
    """The ticket's files and those of tickets merged into it, oldest first, each with fresh links."""
    ids = _tickets_shown_with(session, ticket)
    rows = session.execute(
        select(TicketAttachment, Ticket.number).join(Ticket, Ticket.id == TicketAttachment.ticket_id)
        .where(TicketAttachment.ticket_id.in_(ids)).order_by(TicketAttachment.id)).all()
    return [read(row, number) for row, number in rows]


def read(row: TicketAttachment, number: str) -> AttachmentRead:
    live = row.purged_at is None
    return AttachmentRead(
        id=row.id, ticket_number=number, kind=row.kind, content_type=row.content_type, name=row.name,
        size=row.size, width=row.width, height=row.height, source=row.source, created_at=row.created_at,
        purged=not live, url=link(row.id, "file") if live else None,
        thumb_url=link(row.id, "thumb") if live and row.thumb_key else None,
    )


def link(attachment_id: int, variant: str) -> str:
    settings = get_settings()
    claims = {"aud": LINK_AUDIENCE, "a": attachment_id, "v": variant,
              "exp": now() + timedelta(minutes=settings.attachments.link_minutes)}
    return f"/api/public/files/{jwt.encode(claims, settings.secret_key, algorithm='HS256')}"


class LinkInvalid(Exception):
    message = "链接无效或已过期，请刷新页面后重试"


@dataclass(frozen=True)
class Served:
    data: bytes
    content_type: str
    name: str


def open_link(session: Session, token: str) -> Served:
    try:
        claims = jwt.decode(token, get_settings().secret_key, algorithms=["HS256"], audience=LINK_AUDIENCE)
    except jwt.PyJWTError:
        raise LinkInvalid from None
    row = session.get(TicketAttachment, claims.get("a")) if isinstance(claims.get("a"), int) else None
    variant = claims.get("v")
    if row is None or row.purged_at is not None or variant not in VARIANTS:
        raise LinkInvalid
    key = row.key if variant == "file" else row.thumb_key
    if key is None:
        raise LinkInvalid
    try:
        data = file_store().get(key)
    except FileMissing:
        raise LinkInvalid from None
    if variant == "thumb":
        return Served(data, "image/jpeg", row.name.rsplit(".", 1)[0] + ".thumb.jpg")
    return Served(data, row.content_type, row.name)


def _archived_before(cutoff: datetime):
    ended = select(TicketEvent.ticket_id).where(TicketEvent.action.in_((Action.ARCHIVE, Action.IMPORT))) \
        .group_by(TicketEvent.ticket_id).having(func.max(TicketEvent.created_at) < cutoff)
    return select(Ticket.id).where(Ticket.status == Status.ARCHIVED, Ticket.id.in_(ended))


def purge_expired(session: Session, years: int | None = None, moment: datetime | None = None) -> int:
    """Delete the bytes of files whose ticket was archived ``years`` ago (ATTACHMENT_RETENTION_YEARS; 0 keeps
    them); the rows stay, marked purged, so the ticket still shows that a file was there. Returns the count."""
    years = get_settings().attachments.retention_years if years is None else years
    if years <= 0:
        return 0
    moment = moment or now()
    cutoff = moment.replace(year=moment.year - years, day=min(moment.day, 28) if moment.month == 2 else moment.day)
    rows = list(session.scalars(select(TicketAttachment).where(
        TicketAttachment.purged_at.is_(None), TicketAttachment.ticket_id.in_(_archived_before(cutoff)))))
    store = file_store()
    for row in rows:
        for key in (row.key, row.thumb_key):
            if key:
                store.delete(key)
        row.purged_at = moment
    session.commit()
    return len(rows)


def sweep_orphans(session: Session, moment: datetime | None = None) -> int:
    """Delete stored bytes that no row names and that are older than the grace hour (a crash between the
    store's write and the commit). Returns how many keys went."""
    moment = moment or now()
    known: set[str] = set()
    for key, thumb in session.execute(select(TicketAttachment.key, TicketAttachment.thumb_key)):
        known.add(key)
        if thumb:
            known.add(thumb)
    store = file_store()
    stale = [key for key, modified in store.listing() if key not in known and moment - modified > ORPHAN_GRACE]
    for key in stale:
        store.delete(key)
    return len(stale)


def daily(session: Session) -> dict[str, int]:
    """The scheduler's daily job: retention first, then orphans."""
    return {"purged": purge_expired(session), "orphans": sweep_orphans(session)}

