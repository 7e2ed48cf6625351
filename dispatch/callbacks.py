"""回访: every 办结 is due for a callback within the policy's working days; the operator records each call.

A task opens when a ticket reaches 办结 and closes when a rating is recorded by any path (the citizen online, the
operator's callback), or as 回访失败 after the policy's number of failed calls; the ticket can then be archived as
before. Each call is a ticket event (回访记录), so the audit trail and the KPIs read the one log.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.models import CallbackTask
from dispatch.policy import current_clock
from hotline.clock import now
from hotline.models import Ticket
from hotline.vocabulary import Action
from hotline.workflow import Actor, TransitionRefused, apply

OPEN, REACHED, FAILED = "open", "reached", "failed"
NO_ANSWER, BUSY, REFUSED, CONNECTED = "no_answer", "busy", "refused", "reached"
OUTCOME_LABELS = {NO_ANSWER: "未接通", BUSY: "占线", REFUSED: "拒绝回访", CONNECTED: "已接通"}


def open_for(session: Session, ticket: Ticket) -> CallbackTask:
    """The callback due for this 办结, under the policy in force (a county may change the day count)."""
    clock = current_clock(session)
    closed_at = ticket.closed_at or now()
    task = CallbackTask(ticket_id=ticket.id, department_id=ticket.lead_department_id, closed_at=closed_at,
                        due_at=clock.calendar.add_working_days(closed_at, clock.rules.callback_working_days),
                        status=OPEN, attempts=0, failed_attempts=0)
    session.add(task)
    return task


def open_task(session: Session, ticket_id: int) -> CallbackTask | None:
    return session.scalars(select(CallbackTask).where(CallbackTask.ticket_id == ticket_id,
                                                      CallbackTask.status == OPEN)
                           .order_by(CallbackTask.id.desc()).limit(1)).first()


def rated(session: Session, ticket: Ticket) -> None:
    """A rating by any path ends the ticket's open callback as reached."""
    if (task := open_task(session, ticket.id)) is not None:
        task.status, task.done_at = REACHED, now()


def record_failed(session: Session, ticket: Ticket, actor: Actor, outcome: str, note: str | None) -> CallbackTask:
    """A call that did not reach the caller (未接通/占线/拒绝回访); the last one the policy allows ends the task as
    回访失败. A ticket with no open callback is refused (409)."""
    task = _require_open(session, ticket, actor)
    task.attempts += 1
    task.failed_attempts += 1
    task.last_outcome = outcome
    limit = current_clock(session).rules.callback_max_failed_attempts
    apply(session, ticket, Action.CALLBACK_ATTEMPT, actor, note=note, data={
        "outcome": outcome, "outcome_label": OUTCOME_LABELS[outcome], "attempt": task.attempts,
        "failed_attempts": task.failed_attempts, "due_at": task.due_at.isoformat()})
    if task.failed_attempts >= limit:
        task.status, task.done_at = FAILED, now()
        apply(session, ticket, Action.CALLBACK_FAILED, actor,
              data={"failed_attempts": task.failed_attempts, "limit": limit})
    return task


def record_reached(session: Session, ticket: Ticket, actor: Actor, note: str | None) -> CallbackTask:
    """The caller answered: the attempt is logged here, the rating through dispatch.actions.rate."""
    task = _require_open(session, ticket, actor)
    task.attempts += 1
    task.last_outcome = CONNECTED
    apply(session, ticket, Action.CALLBACK_ATTEMPT, actor, note=note, data={
        "outcome": CONNECTED, "outcome_label": OUTCOME_LABELS[CONNECTED], "attempt": task.attempts,
        "failed_attempts": task.failed_attempts, "due_at": task.due_at.isoformat()})
    return task


def _require_open(session: Session, ticket: Ticket, actor: Actor) -> CallbackTask:
    task = open_task(session, ticket.id)
    if task is None:
        raise TransitionRefused(ticket, Action.CALLBACK_ATTEMPT, f"工单 {ticket.number} 不在回访队列中（未办结、已评价或已回访失败）",
                                role=actor.role)
    return task


def queue(session: Session, limit: int = 500) -> list[tuple[CallbackTask, Ticket]]:
    """Open callbacks of tickets still at 办结, the earliest due (so the overdue) first."""
    rows = session.execute(select(CallbackTask, Ticket).join(Ticket, Ticket.id == CallbackTask.ticket_id)
                           .where(CallbackTask.status == OPEN, Ticket.status == "closed")
                           .order_by(CallbackTask.due_at, CallbackTask.id).limit(limit))
    return [(task, ticket) for task, ticket in rows]
