"""Litestar's Redis streams channels backend, made to ride out Redis restarts and to start at the newest entry."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator
from datetime import timedelta
from typing import Any

from litestar.channels import ChannelsPlugin
from litestar.channels.backends.redis import RedisChannelsStreamBackend
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from command.litestar_stream import StreamInternals
from command.retry import backoff, retrying

log = logging.getLogger(__name__)

CHANNEL = "board"
KEY_PREFIX = "hotline:board:stream"


class ResilientStreamBackend(RedisChannelsStreamBackend):
    """The stock generator ends for good on the first connection error, and replays the whole stream on start.

    Here a lost connection is retried with backoff, keeping the read position, and a new reader starts at the
    newest entry (handed out first, so the reader learns where the stream is) instead of at the oldest. What this
    needs of the stock class's private parts goes through `StreamInternals` (command/litestar_stream.py).
    """

    def __init__(self, history: int, **options: Any) -> None:
        super().__init__(history, **options)
        self._internals = StreamInternals(self)  # Litestar's private names, only through this
        self._retry = retrying((RedisConnectionError, RedisTimeoutError, OSError), backoff(0.05, 2.0))
        self._down = False

    async def stream_events(self) -> AsyncGenerator[tuple[str, Any], None]:
        positions: dict[str, bytes] = {}
        while True:
            fresh, data = await self._retry.call_with_retry(lambda: self._read(positions), self._unavailable)
            if self._down:
                log.info("board stream: Redis is back")
                self._down = False
            for item in fresh:
                yield item
            for stream_key, entries in data or []:
                for entry_id, fields in entries:
                    positions[stream_key.decode()] = entry_id
                    yield fields[b"channel"].decode(), fields[b"data"]

    async def _read(self, positions: dict[str, bytes]) -> tuple[list[tuple[str, Any]], Any]:
        """The newest entry of a stream not read before (where a new reader starts), then what follows."""
        fresh: list[tuple[str, Any]] = []
        internals = self._internals
        keys = await internals.subscribed_keys()
        for key in keys:
            if key not in positions:
                newest = await internals.redis.xrevrange(key, count=1)
                positions[key] = newest[0][0] if newest else b"0-0"
                fresh.extend((fields[b"channel"].decode(), fields[b"data"]) for _, fields in newest)
        data = await internals.redis.xread({key: positions[key] for key in keys}, block=internals.block_ms)
        return fresh, data

    async def _unavailable(self, exc: Exception) -> None:
        if not self._down:
            log.warning("board stream: Redis unavailable (%s); retrying", exc)
            self._down = True

    async def publish_many(self, items: list[bytes], channel: str) -> None:
        """Several entries in one round trip (the relay's batch of events): MULTI/EXEC, so all of them or none."""
        async with self._internals.redis.pipeline(transaction=True) as pipe:
            for data in items:
                await self._internals.append(pipe, channel, data)
            await pipe.execute()


def make_backend(redis: Redis, history: int) -> ResilientStreamBackend:
    return ResilientStreamBackend(
        history=history,
        redis=redis,
        stream_sleep_no_subscriptions=1000,  # XREAD blocks up to a second, and returns at once on a new entry
        stream_ttl=timedelta(days=1),
        key_prefix=KEY_PREFIX,
    )


def make_channels(backend: ResilientStreamBackend) -> ChannelsPlugin:
    return ChannelsPlugin(backend=backend, channels=[CHANNEL])
