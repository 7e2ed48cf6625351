"""The leadership's read-only lists: the county's overdue tickets, nearest-past deadline first (callers masked for
anyone the privacy rule does not let see them: hotline.views.ticket_read)."""

from __future__ import annotations

from litestar import Controller, Request, get
from sqlalchemy.orm import Session

from hotline import access_log
from hotline.access import visible_tickets
from hotline.clock import now
from hotline.dependencies import roles
from hotline.models import Ticket
from hotline.schemas import TicketRead
from hotline.views import sees_personal_data, ticket_read
from hotline.vocabulary import Role
from hotline.workflow import CLOCK_RUNNING


class LeadershipController(Controller):
    path = "/api/leadership"
    tags = ["leadership"]

    @get("/overdue", guards=[roles(Role.LEADER, Role.COMMANDER, Role.AUDITOR)], sync_to_thread=True)
    def overdue(self, db_session: Session, request: Request) -> list[TicketRead]:
        """超期在办: tickets whose clock runs past their deadline, the longest overdue first."""
        query = (visible_tickets(request.user)
                 .where(Ticket.status.in_(CLOCK_RUNNING), Ticket.due_at < now())
                 .order_by(Ticket.due_at, Ticket.id).limit(200))
        tickets = list(db_session.scalars(query))
        if sees_personal_data(request.user):  # the commander reads callers in full: that is recorded
            access_log.record(db_session, request.user, [t.id for t in tickets], access_log.LIST)
            db_session.commit()
        return [ticket_read(t, request.user) for t in tickets]


ROUTES = [LeadershipController]
