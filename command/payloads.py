"""Committed events turned into board frames: the one place that decides what a wall display may show."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from command.schemas import EventFrame
from dispatch.models import CatalogueEntry
from hotline.models import Ticket, TicketEvent
from hotline.redaction import redact
from hotline.views import department_names
from hotline.vocabulary import LABELS, Action, Channel, Satisfaction, Solved, Status, TicketType
from hotline.workflow import action_label

SUPERVISION_ACTIONS = ("urge", "supervise", "escalate")
# an imported ticket's one event: relayed past, never sent to a board (docs/history.md)
NOT_HISTORY = TicketEvent.action != Action.IMPORT
SUMMARY_CHARS = 40

_SPACES = re.compile(r"\s+")

EVENT_COLUMNS = (
    TicketEvent.id, TicketEvent.action, TicketEvent.from_status, TicketEvent.to_status, TicketEvent.department_id,
    TicketEvent.data, TicketEvent.created_at, Ticket.number, Ticket.channel, Ticket.type, Ticket.urgency,
    Ticket.township, Ticket.category_code, Ticket.lead_department_id, Ticket.card, Ticket.escalation, Ticket.due_at,
    Ticket.title, Ticket.content, Ticket.caller_name, Ticket.caller_phone,
)


def label(value: str | None) -> str | None:
    """The Chinese label of a vocabulary value; unknown values are shown as they are."""
    if value is None:
        return None
    for enum in (Status, Channel, TicketType, Satisfaction, Solved):
        try:
            return LABELS[enum(value)]
        except ValueError:
            continue
    return value


def summarize(content: str, *, caller_name: str | None = None, caller_phone: str | None = None,
              limit: int = SUMMARY_CHARS) -> str:
    """Redact first (hotline.redaction), then shorten, so a cut can never leave half a phone number unmasked."""
    text = redact(_SPACES.sub(" ", content).strip(), names=[caller_name], phones=[caller_phone]) or ""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _detail(action: str, data: dict[str, Any]) -> dict[str, str | int | bool]:
    """Only a few harmless facts from the event's data: never replies, reasons or notes."""
    detail: dict[str, str | int | bool] = {}
    if action == "rate":
        for key in ("satisfaction", "solved"):
            if isinstance(data.get(key), str):
                detail[key] = label(data[key]) or data[key]
    if isinstance(data.get("on_time"), bool):
        detail["on_time"] = data["on_time"]
    if action == "transfer" and isinstance(data.get("line"), str):
        detail["line"] = data["line"]
    for key in ("days", "overdue_days", "level"):
        if isinstance(data.get(key), int) and not isinstance(data.get(key), bool):
            detail[key] = data[key]
    return detail


class Names:
    """Department and category names, reloaded now and then: frames are built far more often than these change."""

    def __init__(self, ttl: float = 60.0) -> None:
        self._ttl = ttl
        self._loaded = 0.0
        self.departments: dict[int, str] = {}
        self.categories: dict[str, str] = {}

    def refresh(self, session: Session, *, force: bool = False) -> Names:
        if force or time.monotonic() - self._loaded > self._ttl:
            self.departments = department_names(session)
            self.categories = {}
            for code, name in session.execute(select(CatalogueEntry.category_code, CatalogueEntry.category_name)):
                self.categories.setdefault(code, name)
            self._loaded = time.monotonic()
        return self

    def department(self, department_id: int | None) -> str | None:
        return self.departments.get(department_id) if department_id is not None else None


def event_rows(session: Session, after: int, *, upto: int | None = None, limit: int = 500,
               history: bool = True) -> Sequence[Row[Any]]:
    """Events after `after` in id order; `history=False` leaves imported tickets' events out (a bounded range
    only: the relay itself reads them all, to see every id, and passes them over)."""
    query = (select(*EVENT_COLUMNS).join(Ticket, Ticket.id == TicketEvent.ticket_id)
             .where(TicketEvent.id > after).order_by(TicketEvent.id).limit(limit))
    if upto is not None:
        query = query.where(TicketEvent.id <= upto)
    if not history:
        query = query.where(NOT_HISTORY)
    return session.execute(query).all()


def frame(row: Row[Any], prev: int, names: Names) -> EventFrame:
    action = row.action
    summary = None
    if action == "receive":
        summary = summarize(row.content, caller_name=row.caller_name, caller_phone=row.caller_phone)
    department = names.department(row.department_id) or names.department(row.lead_department_id)
    return EventFrame(
        id=row.id,
        prev=prev,
        at=row.created_at,
        ticket=row.number,
        action=action,
        action_label=action_label(action),
        from_status=row.from_status,
        to_status=row.to_status,
        status_label=label(row.to_status),
        channel=row.channel,
        channel_label=label(row.channel),
        ticket_type=row.type,
        ticket_type_label=label(row.type),
        urgency=row.urgency,
        township=row.township,
        department=department,
        category=row.category_code,
        category_name=names.categories.get(row.category_code or ""),
        card=row.card,
        escalation=row.escalation or 0,
        due_at=row.due_at,
        summary=summary,
        detail=_detail(action, row.data or {}),
    )


def frames_between(session: Session, names: Names, after: int, upto: int, limit: int) -> list[EventFrame] | None:
    """Events in (after, upto] chained by `prev`, or None when there are more than `limit` of them."""
    rows = event_rows(session, after, upto=upto, limit=limit + 1, history=False)
    if len(rows) > limit:
        return None
    names.refresh(session)
    result, prev = [], after
    for row in rows:
        result.append(frame(row, prev, names))
        prev = row.id
    return result
