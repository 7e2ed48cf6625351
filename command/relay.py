"""The relay: committed ticket events, read from the database in id order, published to the board stream.

One web process relays at a time (a lease in Redis, redis-py's lock); every web process runs one, so another takes
over when the leader stops. The database is the outbox: if Redis is down nothing is lost, the cursor just stays
where it was.

Ordering under concurrency. On PostgreSQL an event id is taken at insert, so a transaction holding id 10 may
commit after the one holding id 11. When the relay meets a hole it holds back everything above it and notes the
highest transaction id the server had handed out; once every transaction that was running then has ended
(`pg_snapshot_xmin` has passed it), the hole is final: it was a rollback, and the relay moves on. A transaction
that stays open longer than the grace period is passed over too; if its event appears later after all, every
board is told to resnapshot rather than receive an event out of order. SQLite writes one transaction at a time,
so ids commit in order there and a hole is always final.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import msgspec
from redis.asyncio import Redis
from redis.exceptions import LockNotOwnedError, RedisError
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from command.payloads import NOT_HISTORY, Names, event_rows, frame
from command.retry import backoff, retrying
from command.schemas import EventFrame, Mark, Resync
from hotline.database import get_session_factory
from hotline.models import TicketEvent
from hotline.settings import BoardSettings
from hotline.vocabulary import Action

log = logging.getLogger(__name__)

LOCK_KEY = "hotline:board:relay:lock"
CURSOR_KEY = "hotline:board:relay:cursor"
BATCH = 500
PUBLISH_BATCH = 50  # well under a board's backlog, so that a batch arriving at once never looks like a stuck board
LATE_WATCH_SECONDS = 600.0
LATE_WATCH_MAX = 1000
LATE_WATCH_HOLE = 64

@dataclass
class _Hole:
    """A hole seen at `since`: final once every transaction running then has ended, or after the grace."""

    horizon: int  # highest id visible when the hole was seen; holes below it are covered by this watch
    since: float
    xmax: int | None  # PostgreSQL: the next transaction id at that moment


@dataclass
class Scan:
    frames: list[EventFrame] = field(default_factory=list)
    reset_to: int | None = None
    late: list[int] = field(default_factory=list)
    more: bool = False
    passed: int | None = None  # the last imported ticket's event read: the cursor may move past it


class Relay:
    def __init__(self, publish: Callable[[list[bytes]], Awaitable[None]], redis: Redis, settings: BoardSettings,
                 known_position: Callable[[], int | None]) -> None:
        self._publish_raw = publish
        self._redis = redis
        self._settings = settings
        self._known_position = known_position
        # the lease: held while its owner renews it, taken by another relay once it lapses (SET NX PX underneath)
        self._lease = redis.lock(LOCK_KEY, timeout=settings.lock_seconds, blocking=False, thread_local=False)
        self._names = Names()
        self._hole: _Hole | None = None
        self._final_horizon = 0
        self._skipped: dict[int, float] = {}
        self._renewed_at = 0.0
        self._last_publish = 0.0
        self.cursor: int | None = None
        self.leader = False
        self.published = 0
        self.wake = asyncio.Event()
        self._retry = retrying((Exception,), backoff(0.1, 2.0))  # cancellation is no Exception: it goes through

    # -- the loop ------------------------------------------------------------------------------------------------

    async def run(self) -> None:
        """One step after another for as long as the process runs: the relay must outlive any outage or event."""
        while True:
            await self._retry.call_with_retry(self._step, self._failed)

    async def _step(self) -> None:
        if await self._hold_lease():
            if not await self._cycle():
                await self._gather()
        else:
            await self._sleep(self._settings.lock_seconds / 4)

    async def _failed(self, exc: Exception) -> None:
        if isinstance(exc, RedisError | OSError):
            if self.leader:
                log.warning("board relay: Redis unavailable (%s); events wait in the database", exc)
            self.leader = False
        elif isinstance(exc, SQLAlchemyError):
            log.warning("board relay: database unavailable (%s)", exc.__class__.__name__)
        else:
            log.error("board relay: unexpected error; retrying", exc_info=exc)

    async def stop(self) -> None:
        """Give the lease back, so another process takes over at once instead of after it expires."""
        if self.leader:
            self.leader = False
            with contextlib.suppress(RedisError, OSError, TimeoutError):  # LockError (not ours any more) included
                await asyncio.wait_for(self._lease.release(), 1.0)

    async def _gather(self) -> None:
        """Let events gather before the next scan, however often commits wake the relay.

        A scan costs the same for one event as for a hundred (a pooled connection, the hole check, the names, a
        Redis round trip). Woken by every commit, the leader scanned once per ticket and took a fifth of its web
        process at the intake benchmark's peak; now it scans at most every `gather_seconds` (the board lags by
        up to that much more).
        """
        await asyncio.sleep(self._settings.gather_seconds)
        await self._sleep(max(self._settings.poll_seconds - self._settings.gather_seconds, 0.0))

    async def _sleep(self, seconds: float) -> None:
        """Until woken or `seconds` pass. A timer, not asyncio.timeout: on Python 3.11 a timeout expiring just as
        the task is cancelled can swallow the cancellation, and the relay would never stop."""
        if not self.wake.is_set():
            timer = asyncio.get_running_loop().call_later(seconds, self.wake.set)
            try:
                await self.wake.wait()
            finally:
                timer.cancel()
        self.wake.clear()

    # -- leadership ----------------------------------------------------------------------------------------------

    async def _hold_lease(self) -> bool:
        moment = time.monotonic()
        if self.leader:
            if moment - self._renewed_at < self._settings.lock_seconds / 3:
                return True
            try:
                await self._lease.reacquire()  # back to the full lease time, if the lease is still ours
                self._renewed_at = moment
                return True
            except LockNotOwnedError:
                self.leader = False
                log.info("board relay: lease lost")
        if await self._lease.acquire():
            self.leader = True
            self._renewed_at = moment
            await self._on_elected()
            return True
        return False

    async def _on_elected(self) -> None:
        """Continue from the furthest point anyone is known to have published (the database only on a first run).

        Any of these may be missing or behind: the stored cursor (Redis restarted), this process's own (it never
        led), its hub's (it just started). Starting a little early only repeats frames the hubs drop; a cursor past
        the end of the log is caught by the truncation check.
        """
        stored = await self._redis.get(CURSOR_KEY)
        known = [int(stored)] if stored is not None else []
        known += [p for p in (self.cursor, self._known_position()) if p is not None]
        self.cursor = max(known) if known else await asyncio.to_thread(_newest_id)
        await self._redis.set(CURSOR_KEY, self.cursor)
        log.info("board relay: leading from event %s", self.cursor)
        await self._publish(Mark(last=self.cursor))

    # -- one cycle -----------------------------------------------------------------------------------------------

    async def _cycle(self) -> bool:
        assert self.cursor is not None
        scan = await asyncio.to_thread(self._scan, self.cursor)
        for start in range(0, len(scan.frames), PUBLISH_BATCH):
            batch = scan.frames[start:start + PUBLISH_BATCH]
            await self._publish(*batch)  # one round trip, all or nothing: on an error the cursor stays before it
            self.cursor = batch[-1].id
            self.published += len(batch)
        if scan.passed is not None and scan.passed > self.cursor:
            self.cursor = scan.passed  # every frame before it is out: the history events are done with
        if scan.frames or scan.passed is not None:
            await self._redis.set(CURSOR_KEY, self.cursor)
        if scan.reset_to is not None:
            log.warning("board relay: the event log was emptied; numbering restarts after %s", scan.reset_to)
            self.cursor = scan.reset_to
            self._hole, self._final_horizon, self._skipped = None, 0, {}
            await self._redis.set(CURSOR_KEY, self.cursor)
            await self._publish(Mark(last=self.cursor, reset=True))
        if scan.late:
            log.warning("board relay: events %s committed after they were passed over; boards resnapshot", scan.late)
            await self._publish(Resync(reason="late events"))
        if time.monotonic() - self._last_publish > self._settings.mark_seconds:
            await self._publish(Mark(last=self.cursor))
        return scan.more

    async def _publish(self, *items: EventFrame | Mark | Resync) -> None:
        await self._publish_raw([msgspec.json.encode(item) for item in items])
        self._last_publish = time.monotonic()

    # -- reading the database (in a worker thread) ---------------------------------------------------------------

    def _scan(self, cursor: int) -> Scan:
        session = get_session_factory()()
        try:
            return self._scan_in(session, cursor)
        finally:
            session.rollback()  # never leave a transaction open between polls
            session.close()

    def _scan_in(self, session: Session, cursor: int) -> Scan:
        postgres = session.get_bind().dialect.name == "postgresql"
        self._settle_hole(session, postgres)  # before reading: what it decides must hold for what we read
        rows = event_rows(session, cursor, limit=BATCH)
        self._names.refresh(session)
        scan, prev, read = Scan(), cursor, 0
        for row in rows:
            if row.id != prev + 1:
                if postgres and row.id > self._final_horizon + 1:
                    if self._hole is None:
                        self._hole = _Hole(horizon=rows[-1].id, since=time.monotonic(), xmax=_xmax(session))
                    break
                self._remember_skipped(prev + 1, row.id)
            if row.action == Action.IMPORT:  # history (hotline.history): passed over, never on a board
                scan.passed = row.id
            else:
                scan.frames.append(frame(row, prev, self._names))
            prev = row.id
            read += 1
        scan.more = len(rows) == BATCH and read == BATCH
        if not rows and cursor > 0:
            newest = session.scalar(select(func.max(TicketEvent.id))) or 0
            if newest < cursor:
                scan.reset_to = newest
        if self._skipped:
            scan.late = self._late(session)
        return scan

    def _settle_hole(self, session: Session, postgres: bool) -> None:
        hole = self._hole
        if hole is None:
            return
        expired = time.monotonic() - hole.since > self._settings.gap_grace_seconds
        if expired or (postgres and hole.xmax is not None and _xmin(session) >= hole.xmax):
            if expired:
                log.warning("board relay: gave up waiting below event %s after %.1fs", hole.horizon,
                            self._settings.gap_grace_seconds)
            self._final_horizon = max(self._final_horizon, hole.horizon)
            self._hole = None

    def _remember_skipped(self, first: int, end: int) -> None:
        """Watch small holes for a late commit; a wide one (a reset, a sequence jump) is no transaction in flight."""
        if end - first > LATE_WATCH_HOLE:
            return
        moment = time.monotonic()
        for event_id in range(first, end):
            self._skipped[event_id] = moment
        while len(self._skipped) > LATE_WATCH_MAX:
            self._skipped.pop(next(iter(self._skipped)))

    def _late(self, session: Session) -> list[int]:
        moment = time.monotonic()
        self._skipped = {i: t for i, t in self._skipped.items() if moment - t < LATE_WATCH_SECONDS}
        if not self._skipped:
            return []
        found = list(session.scalars(select(TicketEvent.id).where(TicketEvent.id.in_(list(self._skipped)),
                                                                  NOT_HISTORY)))  # a late import: never shown
        for event_id in found:
            self._skipped.pop(event_id, None)
        return found


def _xmax(session: Session) -> int:
    """A transaction id above every one handed out so far: once `pg_snapshot_xmin` has passed it, each of them has
    ended. This is a fresh id of the relay's own (its scan rolls back, so nothing is written), not the snapshot's
    xmax: that is the newest *finished* id plus one, and a transaction with a higher id may already be running,
    holding an event id below the hole. Under load the relay then took a hole for final while the `classify` event
    that filled it was still to commit, and the boards had to resnapshot (the fault tests caught it)."""
    return int(session.execute(text("SELECT pg_current_xact_id()::text")).scalar_one()) + 1


def _xmin(session: Session) -> int:
    return int(session.execute(text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text")).scalar_one())


def _newest_id() -> int:
    session = get_session_factory()()
    try:
        return session.scalar(select(func.max(TicketEvent.id))) or 0
    finally:
        session.rollback()
        session.close()
