"""What a platform reads of its event (the pull endpoint, and the answer to its POST)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.city_management.models import CityEvent
from hotline.city_management.schemas import EventRead, StatusStep
from hotline.clock import local
from hotline.models import Ticket, TicketEvent
from hotline.vocabulary import Action, Status
from hotline.workflow import OPEN, action_label

ANSWERED = frozenset({Status.CLOSED, Status.RATED, Status.ARCHIVED})


def _local(moment: datetime | None) -> datetime | None:
    """A row just written still holds its UTC value; the platform reads +08:00 either way."""
    return local(moment) if moment is not None else None


def event_read(session: Session, link: CityEvent, ticket: Ticket) -> EventRead:
    """The ticket's status moves, oldest first; the unit's reply once there is an answer to close the case on."""
    steps = session.execute(select(TicketEvent.action, TicketEvent.to_status, TicketEvent.created_at)
                            .where(TicketEvent.ticket_id == ticket.id, TicketEvent.action != Action.RECEIVE,
                                   TicketEvent.from_status != TicketEvent.to_status)
                            .order_by(TicketEvent.id)).all()
    return EventRead(
        event_id=link.event_id, ticket_number=ticket.number, status=ticket.status,
        status_label=Status(ticket.status).label, finished=ticket.status not in OPEN,
        department=ticket.lead_department.name if ticket.lead_department else None,
        received_at=local(ticket.created_at), due_at=_local(ticket.due_at), closed_at=_local(ticket.closed_at),
        reply=ticket.reply if ticket.status in ANSWERED else None,
        history=[StatusStep(status=to_status, status_label=Status(to_status).label, action=action,
                            action_label=action_label(action), occurred_at=local(created_at))
                 for action, to_status, created_at in steps])
