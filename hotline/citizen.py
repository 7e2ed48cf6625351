"""The citizen's side: look a ticket up with its number and query code, rate it, add to it."""

from __future__ import annotations

import hmac

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from hotline.clock import now
from hotline.models import Ticket, TicketEvent
from hotline.schemas import PublicTicket, RatingCreate
from hotline.views import public_ticket
from hotline.workflow import CITIZEN_ACTOR, Actor, apply


class LookupFailed(Exception):
    """One answer for an unknown number and a wrong code, so neither can be told apart."""

    message = "未找到该工单，请核对工单号和查询码"


def find_for_citizen(session: Session, number: str, query_code: str) -> Ticket:
    # departments are not shown to citizens: not loading them saves a join and a query on every lookup
    query = select(Ticket).options(lazyload(Ticket.lead_department), lazyload(Ticket.co_departments))
    ticket = session.scalars(query.where(Ticket.number == number.strip())).first()
    stored = ticket.query_code if ticket else "00000000"
    matches = hmac.compare_digest(stored.encode(), query_code.strip().encode())
    if ticket is None or not matches:
        raise LookupFailed
    return ticket


def ticket_events(session: Session, ticket: Ticket) -> list[TicketEvent]:
    return list(session.scalars(ticket.events.select()))


def look_up(session: Session, number: str, query_code: str) -> PublicTicket:
    ticket = find_for_citizen(session, number, query_code)
    return public_ticket(ticket, ticket_events(session, ticket))


def record_rating(
    session: Session, ticket: Ticket, actor: Actor, satisfaction: str, solved: str, comment: str | None
) -> None:
    ticket.satisfaction = satisfaction
    ticket.solved = solved
    ticket.rating_comment = comment
    apply(session, ticket, "rate", actor, note=comment,
          data={"satisfaction": satisfaction, "solved": solved, "rated_at": now().isoformat()})


def rate(session: Session, rating: RatingCreate) -> PublicTicket:
    ticket = find_for_citizen(session, rating.number, rating.query_code)
    record_rating(session, ticket, CITIZEN_ACTOR, rating.satisfaction, rating.solved, rating.comment)
    session.flush()
    return public_ticket(ticket, ticket_events(session, ticket))
