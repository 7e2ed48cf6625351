"""Each web process's fan-out: one subscription to the board stream, one bounded queue per connected board.

The hub checks the stream against the `prev` chain the relay writes into every frame, and fills any hole from
the database, so what it hands on is every published event, once, in id order. A slow board only fills its own
queue; when that is full the board is told to resnapshot and everyone else carries on.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import msgspec

from command.schemas import EventFrame, Mark, Resnapshot, Resync, StreamFrame

log = logging.getLogger(__name__)

CLOSE_RESNAPSHOT = 4000  # reconnect without `after`
CLOSE_REAUTH = 4001  # fetch a new pass, then resume with `after`
CLOSE_REVOKED = 4003  # the sign-in or device token behind the pass was revoked: sign in again

LoadFrames = Callable[[int, int], Awaitable[list[EventFrame] | None]]


class Client:
    """One board's outbox. Items are (event id or None, text, close code or None)."""

    __slots__ = ("backlog", "behind", "expired", "grant", "queue", "wake")

    def __init__(self, backlog: int, grant: Any = None) -> None:
        self.backlog = backlog
        self.grant = grant  # who watches (command.access.Grant), for closing a revoked board
        self.queue: deque[tuple[int | None, str, int | None]] = deque()
        self.wake = asyncio.Event()
        self.behind = False
        self.expired = False  # the connection reached its age limit

    def expire(self) -> None:
        self.expired = True
        self.wake.set()

    def push(self, event_id: int | None, text: str, close: int | None = None) -> None:
        if self.behind:
            return
        if len(self.queue) >= self.backlog:
            self.behind = True  # the sender tells the board to resnapshot as soon as it can write again
            self.queue.clear()
        else:
            self.queue.append((event_id, text, close))
        self.wake.set()


class Hub:
    def __init__(self, ring_size: int, backlog: int, resume_limit: int, load_frames: LoadFrames) -> None:
        self.last: int | None = None
        self.clients: set[Client] = set()
        self.delivered = 0
        self._backlog = backlog
        self._resume_limit = resume_limit
        self._ring: deque[tuple[int, int, str]] = deque(maxlen=ring_size)  # (id, prev, text), consecutive
        self._load_frames = load_frames
        self._decoder = msgspec.json.Decoder(StreamFrame)
        self._waiters: set[asyncio.Future[None]] = set()

    # -- input ---------------------------------------------------------------------------------------------------

    async def run(self, frames: AsyncIterator[bytes]) -> None:
        async for raw in frames:
            try:
                await self.receive(raw)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("board hub: could not take a frame; boards resnapshot")
                self._broadcast_close(Resnapshot(reason="hub error"))
            await asyncio.sleep(0)  # a burst read at once: let the boards' senders write between frames

    async def receive(self, raw: bytes) -> None:
        item = self._decoder.decode(raw)
        if isinstance(item, EventFrame):
            if self.last is None:
                self.last = item.prev
            if item.id <= self.last:
                return  # a duplicate: a new relay leader may repeat its predecessor's last frames
            if item.prev > self.last:
                await self._fill(item.prev)
            self._deliver(item.id, item.prev, raw.decode())
        elif isinstance(item, Mark):
            if self.last is None:
                self.last = item.last
            elif item.reset and item.last != self.last:
                self._reset(item.last)
            elif item.last > self.last:
                await self._fill(item.last)
        elif isinstance(item, Resync):
            self._broadcast_close(Resnapshot(reason=item.reason))
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def _fill(self, upto: int) -> None:
        """Frames the stream lost (Redis restarted, stream trimmed): the relay published them, the database has them."""
        assert self.last is not None
        frames = await self._load_frames(self.last, upto)
        if frames is None:
            log.warning("board hub: %s..%s too far to fill; boards resnapshot", self.last, upto)
            self._ring.clear()
            self._broadcast_close(Resnapshot(reason="behind"))
        else:
            for item in frames:
                self._deliver(item.id, item.prev, msgspec.json.encode(item).decode())
        self.last = upto

    def _deliver(self, event_id: int, prev: int, text: str) -> None:
        self.last = event_id
        self._ring.append((event_id, prev, text))
        self.delivered += 1
        for client in self.clients:
            client.push(event_id, text)

    def _reset(self, last: int) -> None:
        log.warning("board hub: event log reset to %s; boards resnapshot", last)
        self.last = last
        self._ring.clear()
        self._broadcast_close(Resnapshot(reason="log reset"))

    def _broadcast_close(self, message: Resnapshot) -> None:
        text = msgspec.json.encode(message).decode()
        for client in self.clients:
            client.push(None, text, CLOSE_RESNAPSHOT)

    def broadcast(self, text: str) -> None:
        """A frame without an event id (a refreshed snapshot) to every board."""
        for client in self.clients:
            client.push(None, text)

    # -- boards --------------------------------------------------------------------------------------------------

    async def wait_for(self, position: int | None, timeout: float) -> bool:
        """Until the hub knows where the stream is (and, if given, has reached `position`), at most `timeout`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout

        def reached() -> bool:
            return self.last is not None and (position is None or self.last >= position)

        while not reached():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            waiter: asyncio.Future[None] = loop.create_future()
            timer = loop.call_later(remaining, lambda w=waiter: w.done() or w.set_result(None))
            self._waiters.add(waiter)
            try:
                await waiter
            finally:
                timer.cancel()
                self._waiters.discard(waiter)
        return True

    def attach(self, grant: Any = None) -> tuple[Client, int]:
        """Register a board and the position its live frames start after, in one step (no await between)."""
        assert self.last is not None
        client = Client(self._backlog, grant)
        self.clients.add(client)
        return client, self.last

    def detach(self, client: Client) -> None:
        self.clients.discard(client)

    async def replay(self, after: int, upto: int) -> list[str] | None:
        """Texts of the events in (after, upto]: from memory when it reaches back far enough, else the database."""
        if after >= upto:
            return []
        ring = self._ring
        if ring and ring[0][1] <= after:  # the ring is consecutive: it holds everything after `after`
            texts = [text for event_id, _, text in ring if after < event_id <= upto]
            return texts if len(texts) <= self._resume_limit else None
        frames = await self._load_frames(after, upto)
        if frames is None:
            return None
        return [msgspec.json.encode(item).decode() for item in frames]
