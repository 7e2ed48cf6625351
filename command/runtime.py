"""The board's moving parts in one web process: channels, relay, hub, snapshot cache and their tasks.

One runtime per run of the app, made on startup and kept on `app.state`, where handlers find it. It is made on
startup, not in the app factory, because its Redis client, channels plugin, tasks and queues belong to the event
loop they were made in, and one app object may be started more than once, on a new loop each time (the test suite
drives one app through a series of TestClients). So the channels plugin is entered here rather than registered on
the app.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
from dataclasses import dataclass

import msgspec
from litestar import Litestar
from redis.asyncio import BlockingConnectionPool, Redis
from sqlalchemy.exc import SQLAlchemyError

from command import nudge, revocation
from command.access import PassOffice
from command.backend import CHANNEL, make_backend, make_channels
from command.board import take_snapshot
from command.hub import Hub
from command.payloads import Names, frames_between
from command.relay import Relay
from command.schemas import EventFrame
from hotline.clock import now
from hotline.database import get_session_factory
from hotline.redis_conn import redis_url
from hotline.settings import BoardSettings, get_settings

log = logging.getLogger(__name__)

STATE_KEY = "board"
SNAPSHOT_MAX_AGE = 5.0  # a snapshot at the same position is shared by boards connecting within this time
REFRESH_AT_LEAST = 300.0  # quiet boards still get new figures (and a new day) this often
REDIS_CONNECTIONS = 64
GC_THRESHOLDS = (50_000, 20, 100)  # Python's defaults: (700, 10, 10)


def of(app: Litestar) -> BoardRuntime | None:
    """The app's running board, or None before startup and after shutdown."""
    return app.state.get(STATE_KEY)


@dataclass
class _Cached:
    position: int
    made: float
    text: str


class SnapshotCache:
    """One snapshot computation per position at a time, however many boards connect at once."""

    def __init__(self, names: Names) -> None:
        self._names = names
        self._cached: _Cached | None = None
        self._pending: dict[int, asyncio.Future[str]] = {}

    async def get(self, position: int) -> str:
        cached = self._cached
        if cached and cached.position == position and time.monotonic() - cached.made < SNAPSHOT_MAX_AGE:
            return cached.text
        if position not in self._pending:
            self._pending[position] = asyncio.ensure_future(self._compute(position))
        return await asyncio.shield(self._pending[position])

    async def _compute(self, position: int) -> str:
        try:
            text = await asyncio.to_thread(self._encode, position)
            self._cached = _Cached(position, time.monotonic(), text)
            return text
        finally:
            self._pending.pop(position, None)

    def _encode(self, position: int) -> str:
        return msgspec.json.encode(take_snapshot(position, now(), self._names)).decode()


class BoardRuntime:
    def __init__(self, settings: BoardSettings) -> None:
        self.settings = settings
        # a blocking pool: a burst of connecting boards waits a moment for a connection instead of failing
        self._pool = BlockingConnectionPool.from_url(redis_url(), max_connections=REDIS_CONNECTIONS, timeout=5,
                                                     socket_timeout=5, socket_connect_timeout=2,
                                                     health_check_interval=10)
        self.redis = Redis(connection_pool=self._pool)
        self.backend = make_backend(self.redis, settings.stream_history)
        self.channels = make_channels(self.backend)
        self.names = Names()
        self.hub = Hub(settings.ring_size, settings.client_backlog, settings.resume_limit, self._load_frames)
        self.relay = Relay(self._publish, self.redis, settings, lambda: self.hub.last)
        self.passes = PassOffice(self.redis, settings.pass_seconds)
        self.snapshots = SnapshotCache(self.names)
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        await self.channels.__aenter__()
        subscriber = await self.channels.subscribe(CHANNEL)
        self._tasks = [
            asyncio.create_task(self.hub.run(subscriber.iter_events()), name="board-hub"),
            asyncio.create_task(self.relay.run(), name="board-relay"),
            asyncio.create_task(self._refresh(), name="board-refresh"),
            asyncio.create_task(nudge.listen(self.redis, self.relay.wake, self._leads), name="board-nudge"),
            asyncio.create_task(revocation.watch(self.hub), name="board-revocation"),
        ]
        nudge.register(id(self), nudge.threadsafe_setter(loop, self.relay.wake), self._leads)

    async def stop(self) -> None:
        nudge.unregister(id(self))
        await _cancel(self._tasks)
        await self.relay.stop()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.channels.__aexit__(None, None, None), 2.0)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.redis.aclose(), 2.0)
            await asyncio.wait_for(self._pool.disconnect(), 2.0)

    def _leads(self) -> bool:
        return self.relay.leader

    async def _publish(self, items: list[bytes]) -> None:
        await self.backend.publish_many(items, CHANNEL)

    async def _load_frames(self, after: int, upto: int) -> list[EventFrame] | None:
        return await asyncio.to_thread(self._frames, after, upto)

    def _frames(self, after: int, upto: int) -> list[EventFrame] | None:
        session = get_session_factory()()
        try:
            return frames_between(session, self.names, after, upto, self.settings.resume_limit)
        finally:
            session.rollback()
            session.close()

    async def _refresh(self) -> None:
        """Rates, departments and categories move with every event but are not summed on the screen: resend them."""
        sent_at, sent_position = time.monotonic(), None
        while True:
            await asyncio.sleep(self.settings.refresh_seconds)
            position = self.hub.last
            if not self.hub.clients or position is None:
                continue
            if position == sent_position and time.monotonic() - sent_at < REFRESH_AT_LEAST:
                continue
            try:
                self.hub.broadcast(await self.snapshots.get(position))
                sent_at, sent_position = time.monotonic(), position
            except SQLAlchemyError as exc:
                log.warning("board refresh skipped: database unavailable (%s)", exc.__class__.__name__)


async def _cancel(tasks: list[asyncio.Task[None]]) -> None:
    """Cancel and wait, cancelling again if need be: a library that swallows a cancellation (Python 3.11's
    timeouts can, when they expire at the same moment) must not keep the process from shutting down."""
    for _ in range(20):
        pending = [task for task in tasks if not task.done()]
        if not pending:
            return
        for task in pending:
            task.cancel()
        await asyncio.wait(pending, timeout=0.25)
    log.warning("board: tasks still running at shutdown: %s", [t.get_name() for t in tasks if not t.done()])


_gc_frozen = False


def _tune_collector(settings: BoardSettings) -> None:
    """Keep the cycle collector from stalling every board at once.

    A full collection walks every tracked object: the app's (hundreds of thousands, from imports) and a thousand
    connections' worth. Measured with a thousand boards, each took 100-250 ms, about once a second. So: freeze
    what exists at start-up (it lives as long as the process), and collect less often (fan-out allocates many
    short-lived containers, nearly all freed by reference counting, not by the collector). Once per process.
    """
    global _gc_frozen
    if not _gc_frozen and settings.tune_gc:
        gc.collect()
        gc.freeze()
        gc.set_threshold(*GC_THRESHOLDS)
        _gc_frozen = True


async def start_board(app: Litestar) -> None:
    runtime = BoardRuntime(get_settings().board)
    await runtime.start()
    app.state[STATE_KEY] = runtime
    _tune_collector(runtime.settings)


async def stop_board(app: Litestar) -> None:
    runtime = app.state.pop(STATE_KEY, None)
    if runtime is not None:
        await runtime.stop()
