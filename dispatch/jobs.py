"""RQ jobs of dispatch/ and their schedule. Each job re-derives its work from the database."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from dispatch import followup, routing
from dispatch.actions import archive
from hotline.clock import now
from hotline.database import session_scope
from hotline.jobs import send_due_notifications
from hotline.models import Ticket
from hotline.vocabulary import Status
from hotline.workflow import SYSTEM_ACTOR

ARCHIVE_AFTER = timedelta(days=15)


def archive_stale_closed(batch: int = 500) -> int:
    """Close the file on tickets replied to long ago that nobody rated: 归档 by the system."""
    cutoff = now() - ARCHIVE_AFTER
    with session_scope() as session:
        tickets = session.scalars(
            select(Ticket).where(Ticket.status == Status.CLOSED, Ticket.closed_at < cutoff).limit(batch)
        ).all()
        for ticket in tickets:
            archive(session, ticket, SYSTEM_ACTOR)
        return len(tickets)


# (function, cron expression) pairs that the scheduler registers.
def route(ticket_id: int) -> str:
    """After intake (and after an operator submits a call): classify, flag, and dispatch when sure."""
    with session_scope() as session:
        ticket = session.get(Ticket, ticket_id)
        return routing.route_ticket(session, ticket) if ticket is not None else "missing"


def retrain_model() -> dict[str, object]:
    """Nightly: corpus + people's corrections → a new model, promoted only if it does no worse."""
    with session_scope() as session:
        return routing.retrain_with_corrections(session)


RECONCILE_AFTER = timedelta(minutes=2)


def reconcile(batch: int = 500) -> dict[str, int]:
    """Re-run follow-up work that never ran (a lost enqueue, a dead worker): the database is the truth.

    Tickets still waiting for routing are routed again; outbox rows are sent by `send_due_notifications`.
    """
    cutoff = now() - RECONCILE_AFTER
    with session_scope() as session:
        stuck = session.scalars(
            select(Ticket.id).where(Ticket.status == Status.PENDING_DISPATCH, Ticket.manual_review.is_(False),
                                    Ticket.updated_at < cutoff).order_by(Ticket.id).limit(batch)
        ).all()
        unclassified = session.scalars(
            select(Ticket.id).where(Ticket.status == Status.RECEIVED, Ticket.classified_at.is_(None),
                                    Ticket.created_at < cutoff).order_by(Ticket.id).limit(batch)
        ).all()
    outcomes: dict[str, int] = {}
    for ticket_id in [*stuck, *unclassified]:
        outcome = route(ticket_id)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    outcomes["notifications_sent"] = send_due_notifications()
    return outcomes


def sweep_deadlines() -> dict[str, int]:
    """Cards and escalation for whatever has fallen due since the last run."""
    return followup.sweep()


SCHEDULE = [(sweep_deadlines, "* * * * *"), (reconcile, "*/5 * * * *"), (archive_stale_closed, "15 2 * * *"), (retrain_model, "30 1 * * *")]
