"""The one place that reaches into Litestar's Redis streams channels backend.

The board's backend (command/backend.py) reads the stream its own way and publishes a batch in one round trip, so
it needs what the stock class keeps private: its client, key naming, subscribed channels, read block time, and
the XADD-and-expire script with the arguments the stock `publish` gives it. Those names are listed here and used
nowhere else; tests/board/test_litestar_contract.py checks each on the installed Litestar, so an upgrade that
renames one fails that test instead of the wall display.
"""

from __future__ import annotations

from typing import Any

from litestar.channels.backends.redis import RedisChannelsStreamBackend
from redis.asyncio import Redis

PRIVATE_ATTRIBUTES = ("_redis", "_stream_sleep_no_subscriptions", "_publish_script", "_history_limit", "_stream_ttl",
                      "_cap_streams_approximate")
PRIVATE_METHODS = ("_make_key", "_get_subscribed_channels")


class StreamInternals:
    """A stock streams backend's private parts, under names of our own."""

    def __init__(self, backend: RedisChannelsStreamBackend) -> None:
        self._backend = backend

    @property
    def redis(self) -> Redis:
        return self._backend._redis

    @property
    def block_ms(self) -> int:
        """How long one XREAD waits for a new entry."""
        return self._backend._stream_sleep_no_subscriptions

    def key(self, channel: str) -> str:
        return self._backend._make_key(channel)

    async def subscribed_keys(self) -> list[str]:
        """The stream keys of the subscribed channels; waits until there is one, as the stock reader does."""
        return [self.key(channel) for channel in await self._backend._get_subscribed_channels()]

    async def append(self, pipe: Any, channel: str, data: bytes) -> None:
        """Queue one entry on `pipe`, trimmed and expired as the stock `publish` does it."""
        backend = self._backend
        await backend._publish_script(keys=[self.key(channel)], client=pipe, args=[
            data, backend._history_limit, backend._stream_ttl, int(backend._cap_streams_approximate), channel])
