"""Wake the relay right after a commit that wrote ticket events, instead of at its next poll.

Only a shortcut: a process that never imports this (an RQ worker) is still relayed at the next poll. Inside a web
process the relay is woken directly; elsewhere a Redis PUBLISH reaches whichever process leads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import redis
from redis.asyncio import Redis as AsyncRedis
from sqlalchemy import event
from sqlalchemy.orm import Session

from command.retry import backoff, retrying
from hotline.models import TicketEvent
from hotline.redis_conn import redis_url

log = logging.getLogger(__name__)

CHANNEL = "hotline:board:nudge"
_FLAG = "board_nudge"

# wakers of the relays in this process, and whether one of them leads (then no Redis round trip is needed)
_local: dict[int, tuple[Callable[[], None], Callable[[], bool]]] = {}
_quiet_until = 0.0
PUBLISH_EVERY = 0.05  # seconds; the leader scans at least every BOARD_POLL_SECONDS (0.1) whether nudged or not
_published_at = float("-inf")


def register(key: int, wake: Callable[[], None], leads: Callable[[], bool]) -> None:
    _local[key] = (wake, leads)


def unregister(key: int) -> None:
    _local.pop(key, None)


@lru_cache(maxsize=1)
def _client() -> redis.Redis:
    """Short timeouts: a commit must never wait on a nudge."""
    return redis.Redis.from_url(redis_url(), socket_timeout=0.25, socket_connect_timeout=0.25)


def nudge() -> None:
    """At most one PUBLISH per `PUBLISH_EVERY` from a process that does not lead: one per commit made every web
    process read every other's commits (a sixteenth of a web process at the intake peak), while a nudge only
    saves an idle leader part of its poll interval."""
    global _quiet_until, _published_at
    leading = False
    for wake, leads in list(_local.values()):
        if leads():  # a relay that does not lead has nothing to scan: waking it only tried the lease again
            wake()
            leading = True
    moment = time.monotonic()
    if leading or moment < _quiet_until or moment - _published_at < PUBLISH_EVERY:
        return
    _published_at = moment
    try:
        _client().publish(CHANNEL, b"")
    except (redis.RedisError, OSError):
        _quiet_until = time.monotonic() + 5.0  # Redis is away: the relay's poll will do


@event.listens_for(Session, "after_flush")
def _note_events(session: Session, _context: Any) -> None:
    if not session.info.get(_FLAG) and any(isinstance(item, TicketEvent) for item in session.new):
        session.info[_FLAG] = True


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    """Only the real commit counts: SQLAlchemy fires this on releasing a SAVEPOINT too, before anything is visible."""
    if not session.in_nested_transaction() and session.info.pop(_FLAG, False):
        nudge()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_FLAG, None)


def threadsafe_setter(loop: asyncio.AbstractEventLoop, flag: asyncio.Event) -> Callable[[], None]:
    def wake() -> None:
        with contextlib.suppress(RuntimeError):  # the loop has closed
            loop.call_soon_threadsafe(flag.set)

    return wake


async def listen(client: AsyncRedis, wake: asyncio.Event, leads: Callable[[], bool]) -> None:
    """Nudges from other processes, for this process's relay while it leads; Redis going away only means falling
    back to polling until it returns."""
    retry = retrying((redis.RedisError, OSError), backoff(0.1, 2.0))
    while True:
        await retry.call_with_retry(lambda: _follow(client, wake, leads), _quietly)


async def _follow(client: AsyncRedis, wake: asyncio.Event, leads: Callable[[], bool]) -> None:
    """Subscribe, then pass nudges on until the connection drops; failing to subscribe is what backs off."""
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    try:
        await pubsub.subscribe(CHANNEL)
        with contextlib.suppress(redis.RedisError, OSError):
            while True:
                message = await pubsub.get_message(timeout=1.0)
                if message is not None and leads():
                    wake.set()
    finally:
        with contextlib.suppress(Exception):
            await pubsub.aclose()


async def _quietly(_: Exception) -> None:
    """Nothing to report: the relay's poll carries on without nudges."""
