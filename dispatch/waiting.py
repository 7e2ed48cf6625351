"""待补充 that never ends: once the citizen's supplement deadline has passed, the ticket goes on without it.

The handler's request sets `ticket.supplement_due_at` (the policy's `supplement_working_days` after the pause,
default 5 working days; DESIGN.md names no figure) and the citizen is told that date. This sweep (every minute,
from the scheduler) resumes each ticket whose date has passed, as the system, with a `resume` event that says
`timed_out`, moves the deadline by the paused working time exactly as a supplement would, and tells the citizen.
Like the card sweep it locks each row (SKIP LOCKED on PostgreSQL) and relies on the ticket's version: two sweeps
at once resume a ticket once, and the message's dedupe key sends it once.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from dispatch.actions import resume
from hotline.clock import now
from hotline.database import get_session_factory
from hotline.models import Ticket
from hotline.vocabulary import Status
from hotline.workflow import SYSTEM_ACTOR

log = logging.getLogger("dispatch.waiting")


def sweep(batch: int = 500) -> int:
    """Resume every 待补充 ticket past its supplement deadline; returns how many this run resumed."""
    moment = now()
    factory = get_session_factory()
    due = ((Ticket.status == Status.WAITING_CITIZEN) & (Ticket.supplement_due_at <= moment)
           & Ticket.imported_at.is_(None))
    with factory() as session:
        ids = session.scalars(select(Ticket.id).where(due).order_by(Ticket.supplement_due_at).limit(batch)).all()
    resumed = 0
    for ticket_id in ids:
        with factory() as session:
            ticket = session.scalars(select(Ticket).where(Ticket.id == ticket_id, due)
                                     .with_for_update(skip_locked=True, of=Ticket)).first()
            if ticket is None:  # answered meanwhile, or another sweep holds it
                continue
            try:
                resume(session, ticket, SYSTEM_ACTOR, timed_out=True)
                session.commit()
            except (StaleDataError, IntegrityError):
                session.rollback()
                log.info("ticket %s was resumed by someone else meanwhile", ticket_id)
                continue
            resumed += 1
    return resumed
