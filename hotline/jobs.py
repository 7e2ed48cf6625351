"""RQ jobs of hotline/ and the one place that enqueues them. The database row stays the truth."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import redis
from rq import Queue, Retry
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from hotline import attachments
from hotline.clock import now
from hotline.database import session_scope
from hotline.models import Notification
from hotline.notify import get_sender
from hotline.redis_conn import get_redis
from hotline.settings import get_settings

log = logging.getLogger("hotline.jobs")
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30))
STUCK_AFTER = timedelta(minutes=10)


@lru_cache(maxsize=1)
def get_queue() -> Queue:
    return Queue(get_settings().queue_name, connection=get_redis())


@lru_cache(maxsize=1)
def get_training_queue() -> Queue:
    """Training's own queue, read only by the training worker (`worker --training`)."""
    return Queue(get_settings().training_queue_name, connection=get_redis())


RETRY = Retry(max=3, interval=[5, 30, 120])
KEEP_RESULT = 0  # the database row is the outcome; RQ kept each finished job and its result for 500 s, two per ticket


def enqueue(func: Callable[..., Any] | str, *args: Any) -> bool:
    """Enqueue after the commit; if Redis is away the row is already safe and a sweep will pick it up."""
    return enqueue_all([(func, args)])


def enqueue_all(calls: list[tuple[Callable[..., Any] | str, tuple[Any, ...]]]) -> bool:
    """Several jobs in one Redis round trip (intake hands over two: routing and the receipt)."""
    try:
        get_queue().enqueue_many([Queue.prepare_data(func, args, retry=RETRY, result_ttl=KEEP_RESULT)
                                  for func, args in calls])
    except redis.RedisError:
        log.warning("could not enqueue %s: Redis unavailable",
                    ", ".join(f"{getattr(func, '__name__', func)}{args!r}" for func, args in calls))
        return False
    return True


def after_commit(session: Session, func: Callable[..., Any] | str, *args: Any) -> None:
    """Enqueue once the transaction has committed, so a worker never sees a row that is not there yet."""
    session.info.setdefault("after_commit_jobs", []).append((func, args))


def after_commit_each(session: Session, func: Callable[..., Any] | str, item_id: int) -> None:
    """Like `after_commit`, but all the ids a transaction gathers for `func` go to one job, `func(*ids)`.

    Why: a batch of intake (hotline.group_commit) hands over a routing job and a receipt per ticket, and RQ's own
    work per job (creating, pickling and storing it in the web process; fetching it and keeping its registries in
    the worker) cost more than a receipt's send. `func` must take any number of ids and handle each on its own.
    """
    session.info.setdefault("after_commit_each", {}).setdefault(func, []).append(item_id)


@event.listens_for(Session, "after_commit")
def _enqueue_committed(session: Session) -> None:
    """Only the real commit counts. SQLAlchemy fires this when a SAVEPOINT is released too (intake uses one for
    a ticket with an idempotency key): enqueueing then handed a worker a ticket it could not see yet, and a slow
    Redis held the transaction, with its row locks and event ids, open for the length of the Redis timeout."""
    if session.in_nested_transaction():
        return
    calls = session.info.pop("after_commit_jobs", [])
    calls += [(func, tuple(ids)) for func, ids in session.info.pop("after_commit_each", {}).items()]
    if calls:
        enqueue_all(calls)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    """A SAVEPOINT rolled back (an intake that lost the race on its idempotency key) keeps the jobs of the
    transaction around it: each job re-reads the database, so one whose row went with the savepoint finds nothing
    to do."""
    if not session.in_nested_transaction():
        session.info.pop("after_commit_jobs", None)
        session.info.pop("after_commit_each", None)


_intake_followers: list[Callable[..., Any]] = []


def follow_intake(job: Callable[..., Any]) -> None:
    """Let a later layer (routing) run a job on every new or submitted ticket without hotline importing it.
    Every process registers its followers in one place (web.process), so none can forget one."""
    if job not in _intake_followers:
        _intake_followers.append(job)


def hand_to_followers(session: Session, ticket_id: int) -> None:
    """After the commit, each follower gets the ticket; followers take any number of ids, so a batch of intake
    hands over one job per follower."""
    for job in _intake_followers:
        after_commit_each(session, job, ticket_id)


SendGate = Callable[[Session, Notification, datetime], datetime | None]
_gates: list[SendGate] = []


def hold_messages_with(gate: SendGate) -> None:
    """Let a later layer (dispatch's quiet hours, from the county policy) hold a message back: the gate answers
    None to send now, or the moment the row is due again. Registered in web.process, like `follow_intake`."""
    if gate not in _gates:
        _gates.append(gate)


def _held(session: Session, notification_id: int, moment: datetime) -> bool:
    """Ask the gates about a row due now; a held row is pushed to its moment, still pending, never dropped."""
    row = session.get(Notification, notification_id)
    if row is None or row.status != "pending" or row.next_attempt_at > moment:
        return False
    holds = [hold for gate in _gates if (hold := gate(session, row, moment)) is not None]
    if not holds:
        return False
    session.execute(update(Notification).where(Notification.id == notification_id, Notification.status == "pending")
                    .values(next_attempt_at=max(holds)))
    return True


def _claim(notification_id: int) -> Notification | None:
    """Take the row for sending; a second worker racing for it gets nothing."""
    with session_scope() as session:
        if _gates and _held(session, notification_id, now()):
            return None
        claimed = session.execute(
            update(Notification)
            .where(Notification.id == notification_id, Notification.status == "pending",
                   Notification.next_attempt_at <= now())
            .values(status="sending", attempts=Notification.attempts + 1, next_attempt_at=now())
        ).rowcount
        return session.get(Notification, notification_id, populate_existing=True) if claimed else None


def send_notification(notification_id: int) -> str:
    notification = _claim(notification_id)
    if notification is None:
        return "skipped"
    try:
        get_sender().send(notification.phone or "", notification.text)
    except Exception as exc:  # any sender failure is retried later, never lost
        return _failed(notification, exc)
    with session_scope() as session:
        session.execute(update(Notification).where(Notification.id == notification_id)
                        .values(status="sent", sent_at=now(), last_error=None))
    return "sent"


def _failed(notification: Notification, exc: Exception) -> str:
    attempt = notification.attempts
    final = attempt > len(BACKOFF)
    values: dict[str, Any] = {"status": "failed" if final else "pending", "last_error": str(exc)[:500]}
    if not final:
        values["next_attempt_at"] = now() + BACKOFF[attempt - 1]
    with session_scope() as session:
        session.execute(update(Notification).where(Notification.id == notification.id).values(**values))
    log.warning("notification %s attempt %s failed: %s", notification.id, attempt, exc)
    return values["status"]


def send_notifications(*notification_ids: int) -> dict[str, int]:
    """The fast path after a commit: every message the transaction queued, each claimed and sent on its own."""
    return dict(Counter(send_notification(notification_id) for notification_id in notification_ids))


def send_due_notifications(batch: int = 200) -> int:
    """The slow path: send what is due (new rows whose fast path was missed, and retries)."""
    moment = now()
    with session_scope() as session:
        session.execute(update(Notification)  # a worker died mid-send: try again
                        .where(Notification.status == "sending", Notification.next_attempt_at < moment - STUCK_AFTER)
                        .values(status="pending"))
        due = session.scalars(
            select(Notification.id).where(Notification.status == "pending", Notification.next_attempt_at <= moment)
            .order_by(Notification.next_attempt_at).limit(batch)
        ).all()
    return sum(send_notification(notification_id) == "sent" for notification_id in due)


def tidy_attachments() -> dict[str, int]:
    """Daily: files of tickets archived longer than the retention are purged, and bytes no row names removed."""
    with session_scope() as session:
        return attachments.daily(session)


SCHEDULE = [(send_due_notifications, "* * * * *"), (tidy_attachments, "40 3 * * *")]
