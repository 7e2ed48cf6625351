"""The citizen's side: find a ticket with its number and query code, and what they may see of it.

What a citizen does to a ticket (rate it, add to it) is a workflow action: dispatch.actions."""

from __future__ import annotations

import hmac

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from hotline.attachments import for_ticket
from hotline.models import Ticket, TicketEvent
from hotline.schemas import PublicTicket
from hotline.views import public_ticket


class LookupFailed(Exception):
    """One answer for an unknown number and a wrong code, so neither can be told apart."""

    message = "未找到该工单，请核对工单号和查询码"


def find_for_citizen(session: Session, number: str, query_code: str) -> Ticket:
    # departments are not shown to citizens: not loading them saves a join and a query on every lookup
    query = select(Ticket).options(lazyload(Ticket.lead_department), lazyload(Ticket.co_departments))
    # imported history (hotline.history) is not looked up: its query code was never given to anyone
    ticket = session.scalars(query.where(Ticket.number == number.strip(), Ticket.imported_at.is_(None))).first()
    stored = ticket.query_code if ticket else "00000000"
    matches = hmac.compare_digest(stored.encode(), query_code.strip().encode())
    if ticket is None or not matches:
        raise LookupFailed
    return ticket


def ticket_events(session: Session, ticket: Ticket) -> list[TicketEvent]:
    return list(session.scalars(ticket.events.select()))


def look_up(session: Session, number: str, query_code: str) -> PublicTicket:
    ticket = find_for_citizen(session, number, query_code)
    read = public_ticket(ticket, ticket_events(session, ticket))
    read.attachments = for_ticket(session, ticket)
    return read
