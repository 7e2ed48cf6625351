"""RQ jobs of dispatch/ and their schedule. Each job re-derives its work from the database."""

from __future__ import annotations

import logging
import time
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import lazyload

from dispatch import followup, routing
from dispatch.actions import archive
from dispatch.policy import calendar_coverage
from hotline.clock import local, now
from hotline.database import session_scope
from hotline.jobs import send_due_notifications
from hotline.models import Ticket
from hotline.vocabulary import Status
from hotline.workflow import SYSTEM_ACTOR

ARCHIVE_AFTER = timedelta(days=15)
log = logging.getLogger("dispatch.jobs")


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


def route_one(ticket_id: int) -> str:
    """Classify, flag, and dispatch when sure, in a transaction of the ticket's own."""
    with session_scope() as session:
        # the departments are not needed to route: loaded only if dispatch touches them
        ticket = session.get(Ticket, ticket_id, options=[lazyload(Ticket.lead_department),
                                                         lazyload(Ticket.co_departments)])
        return routing.route_ticket(session, ticket) if ticket is not None else "missing"


def route(*ticket_ids: int) -> dict[str, int]:
    """After intake (a batch hands over all its tickets at once) and after an operator submits a call.

    One ticket that fails does not stop the others; the job then fails so that RQ tries it again, and routing a
    ticket twice changes nothing (each step checks what is already done). The reconciler catches the rest.
    """
    outcomes: Counter[str] = Counter()
    failed: Exception | None = None
    for ticket_id in ticket_ids:
        try:
            outcomes[route_one(ticket_id)] += 1
        except Exception as error:
            log.exception("routing ticket %s failed", ticket_id)
            failed = failed or error
    if failed is not None:
        raise failed
    return dict(outcomes)


def retrain_model() -> dict[str, object]:
    """Nightly: corpus + people's corrections → a new model, promoted only if it does no worse."""
    with session_scope() as session:
        return routing.retrain_with_corrections(session)


RECONCILE_AFTER = timedelta(minutes=2)
RECONCILE_BUDGET = timedelta(minutes=2)  # then stop and leave the rest to the next run (the job timeout is 3 min)


def _unrouted(cutoff: datetime, after_id: int, batch: int) -> list[int]:
    """Tickets whose routing never ran: waiting for dispatch with no person asked yet, or calls never classified."""
    waiting = ((Ticket.status == Status.PENDING_DISPATCH) & Ticket.manual_review.is_(False)
               & (Ticket.updated_at < cutoff))
    unclassified = ((Ticket.status == Status.RECEIVED) & Ticket.classified_at.is_(None)
                    & (Ticket.created_at < cutoff))
    with session_scope() as session:
        return list(session.scalars(select(Ticket.id).where(Ticket.id > after_id, or_(waiting, unclassified))
                                    .order_by(Ticket.id).limit(batch)))


def reconcile(batch: int = 500, older_than: timedelta = RECONCILE_AFTER,
              budget: timedelta = RECONCILE_BUDGET) -> dict[str, int]:
    """Re-run follow-up work that never ran (a lost enqueue, a dead worker): the database is the truth.

    Tickets still waiting for routing (untouched for `older_than`, so a job in flight is left alone) are routed
    again, batch after batch until none is left or the budget is spent; one ticket that fails is logged and
    counted, never allowed to stop the others. Outbox rows are sent by `send_due_notifications`. After an outage
    an operator may run it at once: `python -c "from datetime import timedelta; from dispatch.jobs import
    reconcile; print(reconcile(older_than=timedelta(0)))"`.
    """
    cutoff = now() - older_than
    stop_at = time.monotonic() + budget.total_seconds()
    outcomes: Counter[str] = Counter()
    last_id = 0
    while time.monotonic() < stop_at and (ids := _unrouted(cutoff, last_id, batch)):
        for ticket_id in ids:
            if time.monotonic() >= stop_at:
                break
            last_id = ticket_id
            try:
                outcomes[route_one(ticket_id)] += 1
            except Exception:  # a ticket that cannot be routed now waits for the next run, the rest go on
                log.exception("reconcile: routing ticket %s failed", ticket_id)
                outcomes["failed"] += 1
    outcomes["notifications_sent"] = send_due_notifications()
    return dict(outcomes)


def sweep_deadlines() -> dict[str, int]:
    """Cards and escalation for whatever has fallen due since the last run."""
    return followup.sweep()


def check_calendar_coverage() -> list[int]:
    """Daily: a WARNING while a year a deadline can reach has no holiday data (only Monday to Friday would count)."""
    with session_scope() as session:
        coverage = calendar_coverage(session, local(now()).date())
    if coverage.uncovered:
        log.warning("%s（期限最远可到 %s）", coverage.message, coverage.horizon.isoformat())
    return coverage.uncovered


# (function, cron expression) pairs that the scheduler registers.
SCHEDULE = [(sweep_deadlines, "* * * * *"), (reconcile, "*/5 * * * *"), (archive_stale_closed, "15 2 * * *"),
            (retrain_model, "30 1 * * *"), (check_calendar_coverage, "0 1 * * *")]
