"""Viewing personal data leaves a trace: a row per ticket whose caller fields a staff member's request returned.

One multi-row INSERT per request, in the request's own session (the lists write theirs in one statement too), so
a ticket read costs one more small write. Rows are never changed; the auditor and the admin list them through
GET /api/audit/access (docs/threat-model-data.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from hotline.clock import now
from hotline.models import PersonalDataAccess, Staff, Ticket
from hotline.settings import TIME_ZONE
from hotline.workflow import Actor

DETAIL, ACTION, LIST, INBOX, CALLER_HISTORY = "detail", "action", "list", "inbox", "caller_history"
SEARCH, PHONE_SEARCH = "search", "phone_search"  # hotline.search_controllers


def record(session: Session, reader: Actor, ticket_ids: Iterable[int], view: str) -> None:
    """Add the rows to the session's transaction; the caller commits (nothing for a reader who saw none)."""
    at = now()
    rows = [{"staff_id": reader.id, "staff_role": reader.role, "ticket_id": ticket_id, "view": view, "at": at}
            for ticket_id in dict.fromkeys(ticket_ids)]
    if rows and reader.id is not None:
        session.execute(insert(PersonalDataAccess), rows)


def record_numbers(session: Session, reader: Actor, numbers: list[str], view: str) -> None:
    if numbers:
        record(session, reader, session.scalars(select(Ticket.id).where(Ticket.number.in_(numbers))), view)


def listing(ticket: str | None, staff: str | None, day_from: date | None, day_to: date | None,
            before_id: int | None, limit: int) -> Select:
    """Newest first, paged by id: (record, ticket number, username, display name)."""
    query = (select(PersonalDataAccess, Ticket.number, Staff.username, Staff.display_name)
             .join(Ticket, Ticket.id == PersonalDataAccess.ticket_id)
             .join(Staff, Staff.id == PersonalDataAccess.staff_id)
             .order_by(PersonalDataAccess.id.desc()).limit(limit))
    if ticket is not None:
        query = query.where(Ticket.number == ticket)
    if staff is not None:
        query = query.where(Staff.username == staff)
    if day_from is not None:
        query = query.where(PersonalDataAccess.at >= _start(day_from))
    if day_to is not None:
        query = query.where(PersonalDataAccess.at < _start(day_to + timedelta(days=1)))
    if before_id is not None:
        query = query.where(PersonalDataAccess.id < before_id)
    return query


def _start(day: date) -> datetime:
    return datetime.combine(day, time(0), TIME_ZONE)
