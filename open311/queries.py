"""GET requests and GET servicerequestupdates: the spec's filters, its 90-day and 1,000-row defaults."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from dispatch.policy import current_clock
from hotline.attachments import link
from hotline.clock import now
from hotline.models import Ticket, TicketAttachment, TicketEvent
from hotline.settings import TIME_ZONE, get_settings
from open311.formats import Open311Error
from open311.mapping import MEDIA_SOURCE, PUBLIC_ACTIONS, request_item, statuses_for, update_item
from open311.models import Open311Request

MAX_SPAN = timedelta(days=90)
MAX_ROWS = 1000
_SPACE_FOR_PLUS = re.compile(r" (\d\d:?\d\d)$")  # an unencoded '+' in a query string arrives as a space


@dataclass(frozen=True)
class Params:
    """Query parameters as the spec reads them: empty means absent, lists are comma separated and may
    also be repeated."""

    values: dict[str, list[str]]

    @classmethod
    def of(cls, pairs: Iterable[tuple[str, str]]) -> Params:
        values: dict[str, list[str]] = defaultdict(list)
        for key, value in pairs:
            if value.strip():
                values[key].append(value.strip())
        return cls(dict(values))

    def one(self, name: str) -> str | None:
        found = self.values.get(name)
        return found[-1] if found else None

    def many(self, name: str) -> list[str]:
        items = (part.strip() for value in self.values.get(name, []) for part in value.split(","))
        return list(dict.fromkeys(item for item in items if item))


def parse_w3c(name: str, raw: str | None) -> datetime | None:
    """W3C-DTF (2010-05-24T00:00:00Z, with an offset, or a bare date); no zone means the county's time."""
    if raw is None:
        return None
    text = _SPACE_FOR_PLUS.sub(r"+\1", raw.strip())
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise Open311Error(400, f"{name} 格式不正确，应为 W3C 日期时间，例如 2010-01-01T00:00:00Z（收到「{raw}」）") from None
    return moment.replace(tzinfo=TIME_ZONE) if moment.tzinfo is None else moment


def window(params: Params) -> tuple[datetime, datetime]:
    """Both dates, one of them (the other is 90 days away) or neither (the most recent 90 days)."""
    start = parse_w3c("start_date", params.one("start_date"))
    end = parse_w3c("end_date", params.one("end_date"))
    if end is None:
        end = start + MAX_SPAN if start is not None else now()
    if start is None:
        start = end - MAX_SPAN
    if end < start:
        raise Open311Error(400, "end_date 不能早于 start_date")
    if end - start > MAX_SPAN:
        raise Open311Error(400, "start_date 与 end_date 的间隔不能超过 90 天")
    return start, end


def _statuses(params: Params) -> set[str] | None:
    wanted = [s.lower() for s in params.many("status")]
    if not wanted:
        return None
    if bad := [s for s in wanted if s not in ("open", "closed")]:
        raise Open311Error(400, f"status 只能是 open 或 closed（收到「{'、'.join(bad)}」）")
    return statuses_for(wanted)


def _by_code(codes: list[str]):
    return or_(
        Ticket.category_code.in_(codes),
        and_(Ticket.category_code.is_(None), Ticket.suggested_category.in_(codes)),
        and_(Ticket.category_code.is_(None), Ticket.suggested_category.is_(None),
             Open311Request.service_code.in_(codes)),
    )


def _public_events(session: Session, ticket_ids: list[int]) -> dict[int, list[TicketEvent]]:
    events: dict[int, list[TicketEvent]] = defaultdict(list)
    for start in range(0, len(ticket_ids), 500):
        chunk = ticket_ids[start:start + 500]
        query = (select(TicketEvent).where(TicketEvent.ticket_id.in_(chunk), TicketEvent.action.in_(PUBLIC_ACTIONS))
                 .order_by(TicketEvent.id))
        for event in session.scalars(query):
            events[event.ticket_id].append(event)
    return events


def _first_photos(session: Session, ticket_ids: list[int]) -> dict[int, str]:
    """A signed link (ATTACHMENT_LINK_MINUTES) to the first photo each Open311 request uploaded, absolute when
    OPEN311_BASE_URL is set; only the app's own upload, never a file added later by the citizen or a department."""
    base = get_settings().open311.base_url
    first: dict[int, str] = {}
    for start in range(0, len(ticket_ids), 500):
        chunk = ticket_ids[start:start + 500]
        query = (select(TicketAttachment.ticket_id, func.min(TicketAttachment.id))
                 .where(TicketAttachment.ticket_id.in_(chunk), TicketAttachment.kind == "image",
                        TicketAttachment.source == MEDIA_SOURCE, TicketAttachment.purged_at.is_(None))
                 .group_by(TicketAttachment.ticket_id))
        for ticket_id, attachment_id in session.execute(query):
            first[ticket_id] = f"{base}{link(attachment_id, 'file')}"
    return first


def _items(session: Session, rows: list[tuple[Ticket, Open311Request | None]]) -> list[dict[str, Any]]:
    events = _public_events(session, [ticket.id for ticket, _ in rows])
    photos = _first_photos(session, [ticket.id for ticket, extra in rows if extra is not None])
    clock = current_clock(session)  # the policy a ticket not yet dispatched will get
    return [request_item(ticket, extra, events.get(ticket.id, []), clock, photos.get(ticket.id))
            for ticket, extra in rows]


def _base():
    """Live tickets only: a county's imported history was never a public request (nor can a citizen look it up)."""
    return (select(Ticket, Open311Request).outerjoin(Open311Request, Open311Request.ticket_id == Ticket.id)
            .where(Ticket.imported_at.is_(None)))


def find_requests(session: Session, params: Params) -> list[dict[str, Any]]:
    """service_request_id overrides every other argument, as the spec says; otherwise newest first."""
    if numbers := params.many("service_request_id"):
        if len(numbers) > MAX_ROWS:
            raise Open311Error(400, f"一次最多查询 {MAX_ROWS} 个 service_request_id")
        rows = session.execute(_base().where(Ticket.number.in_(numbers))).all()
        order = {number: i for i, number in enumerate(numbers)}
        return _items(session, sorted(rows, key=lambda row: order[row[0].number]))
    start, end = window(params)
    query = _base().where(Ticket.created_at >= start, Ticket.created_at <= end)
    if codes := params.many("service_code"):
        query = query.where(_by_code(codes))
    if (statuses := _statuses(params)) is not None:
        query = query.where(Ticket.status.in_(statuses))
    rows = session.execute(query.order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(MAX_ROWS)).all()
    return _items(session, list(rows))


def find_request(session: Session, number: str) -> list[dict[str, Any]]:
    rows = session.execute(_base().where(Ticket.number == number)).all()
    if not rows:
        raise Open311Error(404, f"service_request_id「{number}」不存在")
    return _items(session, list(rows))


def find_updates(session: Session, params: Params) -> list[dict[str, Any]]:
    """Public timeline entries in the window, oldest first, so a client can continue from the last one."""
    start, end = window(params)
    query = (select(TicketEvent, Ticket, Open311Request)
             .join(Ticket, Ticket.id == TicketEvent.ticket_id)
             .outerjoin(Open311Request, Open311Request.ticket_id == Ticket.id)
             .where(TicketEvent.created_at >= start, TicketEvent.created_at <= end,
                    TicketEvent.action.in_(PUBLIC_ACTIONS), Ticket.imported_at.is_(None))
             .order_by(TicketEvent.created_at, TicketEvent.id).limit(MAX_ROWS))
    rows = session.execute(query).all()
    return [item for event, ticket, extra in rows if (item := update_item(ticket, extra, event)) is not None]
