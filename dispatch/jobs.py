"""RQ jobs of dispatch/ and their schedule. Each job re-derives its work from the database."""

from __future__ import annotations

import logging
import time
from collections import Counter
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4

import msgspec
from rq import get_current_job
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import lazyload

from classifier.store import KEEP_VERSIONS
from dispatch import followup, history_training, routing, waiting
from dispatch.actions import archive
from dispatch.models import ReplyReview
from dispatch.policy import calendar_coverage
from hotline.clock import local, now
from hotline.database import session_scope
from hotline.jobs import get_training_queue, send_due_notifications
from hotline.models import Ticket
from hotline.vocabulary import Status
from hotline.workflow import SYSTEM_ACTOR

ARCHIVE_AFTER = timedelta(days=15)
log = logging.getLogger("dispatch.jobs")


def archive_stale_closed(batch: int = 500) -> int:
    """Close the file on tickets replied to long ago that nobody rated: 归档 by the system. A reply approved in
    办结审核 counts from its approval, when the citizen was told and asked to rate (closed_at is the reply's time)."""
    cutoff = now() - ARCHIVE_AFTER
    approved_lately = exists().where(ReplyReview.ticket_id == Ticket.id, ReplyReview.reviewed_at >= cutoff)
    with session_scope() as session:
        tickets = session.scalars(
            select(Ticket).where(Ticket.status == Status.CLOSED, Ticket.closed_at < cutoff, ~approved_lately)
            .limit(batch)
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


HISTORY_JOB_KEY = "hotline:history-training"  # the id of the one training job that may run at a time
HISTORY_JOB_TIMEOUT = 3600  # 100,000 history tickets train in a few minutes (docs/classifier.md)
HISTORY_RESULT_TTL = 7 * 86400  # the admin reads the verdict later
_ENDED = {JobStatus.FINISHED, JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED}
# delete the key only while it still names this job: a later start's key is never released by an older job
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"


class TrainingRunning(Exception):
    def __init__(self, job_id: str) -> None:
        super().__init__(f"已有一个历史训练任务在进行（任务 {job_id}），请等它结束后再试")
        self.job_id = job_id


def train_on_history(dry_run: bool = False) -> dict[str, Any]:
    """RQ job: history_training.train_history, its stage and counts in the job's meta as it goes."""
    job = get_current_job()

    def progress(stage: str, counts: dict[str, int]) -> None:
        if job is not None:
            job.meta.update(stage=stage, counts=counts)
            job.save_meta()

    try:
        outcome = msgspec.to_builtins(history_training.train_history(dry_run=dry_run, progress=progress))
        if not dry_run:
            prune_models()
        return outcome
    except Exception as error:
        if job is not None:
            refused = isinstance(error, history_training.HistoryRefused)
            job.meta.update(stage="refused" if refused else "failed",
                            error=str(error) if refused else "训练失败，详见任务进程的日志")
            job.save_meta()
        raise
    finally:
        if job is not None:
            job.connection.eval(_RELEASE, 1, HISTORY_JOB_KEY, job.id)


def start_history_training(dry_run: bool = False) -> Job:
    """Enqueue train_on_history unless one is queued or running (TrainingRunning). The key is taken with SET NX
    before the job exists, so two admins clicking at once start one job; a key left by a job that ended without
    releasing it (its worker killed) is cleared here, and in any case expires after the job timeout."""
    queue = get_training_queue()
    connection = queue.connection
    running = ""
    for _ in range(3):
        job_id = f"history-training-{uuid4().hex}"
        if connection.set(HISTORY_JOB_KEY, job_id, nx=True, ex=HISTORY_JOB_TIMEOUT + 600):
            try:
                return queue.enqueue(train_on_history, dry_run, job_id=job_id, job_timeout=HISTORY_JOB_TIMEOUT,
                                     result_ttl=HISTORY_RESULT_TTL, failure_ttl=HISTORY_RESULT_TTL)
            except Exception:
                connection.eval(_RELEASE, 1, HISTORY_JOB_KEY, job_id)
                raise
        if (running := connection.get(HISTORY_JOB_KEY)) is None:
            continue
        running = running.decode()
        try:
            status = Job.fetch(running, connection=connection).get_status()
        except NoSuchJobError:
            status = None  # another start between its SET and its enqueue
        if status not in _ENDED:
            raise TrainingRunning(running)
        connection.eval(_RELEASE, 1, HISTORY_JOB_KEY, running)
    raise TrainingRunning(running)


def history_job(job_id: str) -> Job | None:
    """A training job by id (None: unknown, expired, or some other job)."""
    try:
        job = Job.fetch(job_id, connection=get_training_queue().connection)
    except NoSuchJobError:
        return None
    return job if job.func_name == f"{__name__}.{train_on_history.__name__}" else None


def retrain_model() -> dict[str, object]:
    """Nightly: a new model, promoted only if it does no worse. Once the county's history is in, on the history
    (+ people's corrections), judged on its fixed slice; before that, on the shipped corpus + corrections. With
    history too thin to train on, nothing is trained: the corpus must not win back a county that has history.
    While an admin's history training runs, the night leaves it alone (it holds the same key as that job)."""
    with session_scope() as session:
        if not history_training.has_history(session):
            outcome = routing.retrain_with_corrections(session)
            return {**outcome, "pruned": prune_models()}
    connection, night = get_training_queue().connection, f"nightly-{uuid4().hex}"
    if not connection.set(HISTORY_JOB_KEY, night, nx=True, ex=HISTORY_JOB_TIMEOUT):
        log.warning("nightly retrain skipped: a history training job is running")
        return {"skipped": "history training running"}
    try:
        outcome = history_training.train_history()
    except history_training.HistoryRefused as refused:
        log.warning("nightly retrain skipped: %s", refused)
        return {"skipped": str(refused)}
    finally:
        connection.eval(_RELEASE, 1, HISTORY_JOB_KEY, night)
    return {"candidate": outcome.candidate, "promoted": outcome.promoted, "reason": outcome.reason,
            "source": "history", "pruned": prune_models()}


def prune_models(keep: int = KEEP_VERSIONS) -> list[str]:
    """After each retrain (and on `model prune`): old versions go, the current one and the one before it stay."""
    gone = routing.get_store().prune(keep)
    if gone:
        log.info("model store pruned: %d old versions deleted (%s … %s)", len(gone), gone[0], gone[-1])
    return gone


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


def time_out_waits() -> int:
    """待补充 past the citizen's supplement deadline: the ticket goes on without it (dispatch.waiting)."""
    return waiting.sweep()


def check_calendar_coverage() -> list[int]:
    """Daily: a WARNING while a year a deadline can reach has no holiday data (only Monday to Friday would count)."""
    with session_scope() as session:
        coverage = calendar_coverage(session, local(now()).date())
    if coverage.uncovered:
        log.warning("%s（期限最远可到 %s）", coverage.message, coverage.horizon.isoformat())
    return coverage.uncovered


# (function, cron expression) pairs that the scheduler registers, read in the county's time (web/schedule.py);
# the functions in TRAINING go to the training queue with their timeout, the rest to the routing workers' queue.
SCHEDULE = [(sweep_deadlines, "* * * * *"), (time_out_waits, "* * * * *"), (reconcile, "*/5 * * * *"), (archive_stale_closed, "15 2 * * *"),
            (retrain_model, "30 1 * * *"), (check_calendar_coverage, "0 1 * * *")]
TRAINING = {retrain_model: HISTORY_JOB_TIMEOUT}
