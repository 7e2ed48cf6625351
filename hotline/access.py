"""Who may see which ticket. Another department's ticket looks exactly like an unknown one."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from hotline.grid_cells import tickets_of_worker
from hotline.models import Ticket, TicketCoDepartment
from hotline.vocabulary import Role
from hotline.workflow import Actor

# Who reads a caller's name, phone and words in full: the operator who took the call, the commander who dispatches
# and supervises it, and the handler, who only ever loads its own department's tickets (visible_tickets). The
# auditor, the admin, the board, wall devices and Open311 get hotline.redaction's text.
SEES_PERSONAL_DATA = frozenset({Role.OPERATOR, Role.HANDLER, Role.COMMANDER})


class TicketNotFound(Exception):
    def __init__(self, number: str) -> None:
        super().__init__(f"工单 {number} 不存在")


def visible_tickets(actor: Actor) -> Select[tuple[Ticket]]:
    """A select of the tickets this actor may see; a handler sees only its department's, a grid worker its cell's."""
    query = select(Ticket)
    if actor.role == Role.HANDLER:
        co_handled = select(TicketCoDepartment.ticket_id).where(
            TicketCoDepartment.department_id == actor.department_id
        )
        query = query.where(
            or_(Ticket.lead_department_id == actor.department_id, Ticket.id.in_(co_handled))
        )
    elif actor.role == Role.GRID:  # 网格员: the tickets reported from their own cell only
        query = query.where(Ticket.id.in_(tickets_of_worker(actor.id)))
    return query


def load_ticket(session: Session, number: str, actor: Actor) -> Ticket:
    ticket = session.scalars(visible_tickets(actor).where(Ticket.number == number)).first()
    if ticket is None:
        raise TicketNotFound(number)
    return ticket


def load_led_ticket(session: Session, number: str, actor: Actor) -> Ticket:
    """For actions: a handler acts only on tickets its department leads; co-handlers only read."""
    ticket = load_ticket(session, number, actor)
    if actor.role == Role.HANDLER and ticket.lead_department_id != actor.department_id:
        raise TicketNotFound(number)
    return ticket
