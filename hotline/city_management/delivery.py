"""RQ jobs that send a platform its callbacks: claimed once, in order per event, retried with hotline's backoff.

The same shape as the SMS outbox (hotline.jobs): the row is the truth, a job after the commit is the fast path,
the minute sweep sends what is due (retries, and rows whose job was lost), a row stuck in `sending` by a dead
worker is tried again. One difference: a platform must see its event's steps in order, so a row waits while an
earlier one of the same event is still to be sent.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

import msgspec
from sqlalchemy import exists, select, update
from sqlalchemy.orm import aliased

from hotline.city_management.models import CityCallback, CityEvent, CitySystem
from hotline.city_management.transport import DeliveryFailed, get_transport, signed_headers
from hotline.clock import now
from hotline.database import session_scope
from hotline.jobs import BACKOFF, STUCK_AFTER

log = logging.getLogger("hotline.city_management.delivery")
WAITING = ("pending", "sending")


def _claim(callback_id: int) -> tuple[CityCallback, CitySystem] | None:
    """Take the row for sending; a second worker racing for it, or an earlier step still unsent, gets nothing."""
    earlier = aliased(CityCallback)
    with session_scope() as session:
        claimed = session.execute(
            update(CityCallback)
            .where(CityCallback.id == callback_id, CityCallback.state == "pending",
                   CityCallback.next_attempt_at <= now(),
                   ~exists().where(earlier.city_event_id == CityCallback.city_event_id, earlier.id < CityCallback.id,
                                   earlier.state.in_(WAITING)))
            .values(state="sending", attempts=CityCallback.attempts + 1, next_attempt_at=now())
        ).rowcount
        if not claimed:
            return None
        row = session.execute(select(CityCallback, CitySystem)
                              .join(CityEvent, CityEvent.id == CityCallback.city_event_id)
                              .join(CitySystem, CitySystem.id == CityEvent.system_id)
                              .where(CityCallback.id == callback_id)).one()
        session.expunge_all()
        return row[0], row[1]


def _finish(callback_id: int, **values: Any) -> None:
    with session_scope() as session:
        session.execute(update(CityCallback).where(CityCallback.id == callback_id).values(**values))


def _failed(callback: CityCallback, reason: str, *, final: bool = False) -> str:
    final = final or callback.attempts > len(BACKOFF)
    values: dict[str, Any] = {"state": "failed" if final else "pending", "last_error": reason[:500]}
    if not final:
        values["next_attempt_at"] = now() + BACKOFF[callback.attempts - 1]
    _finish(callback.id, **values)
    log.warning("city-management callback %s attempt %s failed: %s", callback.id, callback.attempts, reason)
    return values["state"]


def deliver_one(callback_id: int) -> str:
    claimed = _claim(callback_id)
    if claimed is None:
        return "skipped"
    callback, system = claimed
    if system.revoked_at is not None or not system.callback_url:
        return _failed(callback, "平台已停用或已取消回调地址", final=True)
    body = msgspec.json.encode(callback.payload)
    try:
        get_transport().post(system.callback_url, body, signed_headers(system.signing_secret, body, callback.id))
    except DeliveryFailed as exc:
        return _failed(callback, str(exc))
    _finish(callback_id, state="sent", sent_at=now(), last_error=None)
    return "sent"


def _next_of(callback_id: int) -> int | None:
    """The event's next step waiting to be sent, once this one went."""
    later = aliased(CityCallback)
    with session_scope() as session:
        return session.scalar(select(later.id).join(CityCallback, CityCallback.city_event_id == later.city_event_id)
                              .where(CityCallback.id == callback_id, later.id > callback_id,
                                     later.state == "pending", later.next_attempt_at <= now())
                              .order_by(later.id).limit(1))


def deliver(*callback_ids: int) -> dict[str, int]:
    """The fast path after a commit: each row the transaction wrote, then whatever of its event waited on it."""
    outcomes: Counter[str] = Counter()
    for callback_id in callback_ids:
        current: int | None = callback_id
        while current is not None:
            outcome = deliver_one(current)
            outcomes[outcome] += 1
            current = _next_of(current) if outcome == "sent" else None
    return dict(outcomes)


def deliver_due(batch: int = 200) -> int:
    """The sweep: rows due (retries, lost jobs), oldest first; a row stuck in `sending` is tried again."""
    moment = now()
    with session_scope() as session:
        session.execute(update(CityCallback)
                        .where(CityCallback.state == "sending", CityCallback.next_attempt_at < moment - STUCK_AFTER)
                        .values(state="pending"))
        due = session.scalars(select(CityCallback.id)
                              .where(CityCallback.state == "pending", CityCallback.next_attempt_at <= moment)
                              .order_by(CityCallback.id).limit(batch)).all()
    return sum(deliver_one(callback_id) == "sent" for callback_id in due)


SCHEDULE = [(deliver_due, "* * * * *")]
