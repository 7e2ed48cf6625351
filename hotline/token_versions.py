"""Which sign-in tokens still count: each account's current token version, known to every web process.

A token carries the account's `token_version` from the moment it was issued; deactivating the account, giving it
a new role or unit, or resetting its password raises the version in the database, and every older token is
refused. The database is the truth. So that a request still costs no database read, each web process keeps the
versions in memory (`Versions`), and checks at most every `REFRESH_SECONDS` whether they moved, with one Redis
HGET of a stamp: one Redis hash holds every raised version plus that stamp, which each change replaces. A
revocation therefore takes effect in every web process within `REFRESH_SECONDS` (plus a Redis round trip).

Redis emptied (flushed, restarted without data): the hash is missing, and the next process to look rebuilds it
from the database. Redis unreachable: each process reads the versions from the database instead, at most once
per `REFRESH_SECONDS`, so a revocation still holds. Versions only ever rise (a Lua max), so two processes
writing at once cannot lower one.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
import weakref
from collections.abc import Collection, Mapping

import redis
from redis.asyncio import Redis as AsyncRedis
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.database import get_session_factory
from hotline.models import Staff

log = logging.getLogger(__name__)

KEY = "hotline:auth:token_versions"  # field "<staff id>" -> version; field "_stamp" -> the last change's id
STAMP = "_stamp"
REFRESH_SECONDS = 1.0  # "at once": a revoked token is refused by every web process within this (docs/admin.md)

# Raise fields to at least the given versions and replace the stamp; only if the hash exists (else whoever reads
# next rebuilds it whole from the database, which already holds the change). ARGV: rebuild flag, field, version...
_RAISE = """
if ARGV[1] == '0' and redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
for i = 3, #ARGV, 2 do
  local held = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '-1')
  if tonumber(ARGV[i + 1]) > held then redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
redis.call('HSET', KEYS[1], '_stamp', ARGV[2])
return 1
"""


def _arguments(rebuild: bool, versions: Mapping[int, int]) -> list[str]:
    flat = [str(part) for staff_id, version in versions.items() for part in (staff_id, version)]
    return ["1" if rebuild else "0", uuid.uuid4().hex, *flat]


def raised_versions(session: Session, ids: Collection[int] | None = None) -> dict[int, int]:
    """Every account whose tokens were ever revoked (version 0 is the default: nothing to remember), or those
    of `ids`."""
    query = select(Staff.id, Staff.token_version).where(Staff.token_version > 0)
    if ids is not None:
        query = query.where(Staff.id.in_(list(ids)))
    return dict(session.execute(query).all())


def announce(client: redis.Redis, versions: Mapping[int, int]) -> None:
    """After the commit that raised them: tell every web process (this one's maps look again on their next
    request). A failure is logged, and the hash dropped if possible so that it is rebuilt from the database; if
    Redis is down the readers read the database anyway."""
    for local in list(_LOCAL):
        local.expire()
    try:
        client.eval(_RAISE, 1, KEY, *_arguments(False, versions))
    except redis.RedisError as exc:
        log.warning("token versions not announced (%s); asking for a rebuild", exc.__class__.__name__)
        try:
            client.delete(KEY)
        except redis.RedisError:
            log.warning("token versions: Redis unreachable; web processes read the database meanwhile")


def _load() -> dict[int, int]:
    session = get_session_factory()()
    try:
        return raised_versions(session)
    finally:
        session.close()


_LOCAL: weakref.WeakSet[Versions] = weakref.WeakSet()  # this process's maps: told at once by `announce`


class Versions:
    """One web process's map of raised token versions, refreshed at most every REFRESH_SECONDS."""

    def __init__(self, client: AsyncRedis, refresh: float = REFRESH_SECONDS) -> None:
        self._redis = client
        self._refresh = refresh
        self._versions: dict[int, int] = {}
        self._stamp: bytes | None = None
        self._checked = float("-inf")
        self._pending: asyncio.Future[None] | None = None
        self._expired = 0  # how often `expire` was called: a refresh running meanwhile may have missed the change
        _LOCAL.add(self)

    def expire(self) -> None:
        """Look again on the next request (safe from any thread: plain assignments under the GIL)."""
        self._expired += 1
        self._checked = float("-inf")

    async def current(self, staff_id: int) -> int:
        """The account's current version (0 if never raised); waits for a refresh only when one is due."""
        if time.monotonic() - self._checked >= self._refresh:
            if self._pending is None:  # one refresh at a time; concurrent requests wait for the same one
                self._pending = asyncio.ensure_future(self._update())
            pending = self._pending
            try:
                await asyncio.shield(pending)
            finally:
                if self._pending is pending and pending.done():
                    self._pending = None
        return self._versions.get(staff_id, 0)

    async def _update(self) -> None:
        started, expired = time.monotonic(), self._expired
        try:
            stamp = await self._redis.hget(KEY, STAMP)
            if stamp is None:
                versions = await asyncio.to_thread(_load)
                await self._redis.eval(_RAISE, 1, KEY, *_arguments(True, versions))
                stamp = await self._redis.hget(KEY, STAMP)
            if stamp != self._stamp:
                held = await self._redis.hgetall(KEY)
                self._versions = {int(k): int(v) for k, v in held.items() if k != STAMP.encode()}
                self._stamp = stamp
        except (redis.RedisError, OSError) as exc:
            log.warning("token versions: Redis unavailable (%s); read from the database", exc.__class__.__name__)
            self._versions, self._stamp = await asyncio.to_thread(_load), None
        if expired == self._expired:
            self._checked = started

    async def close(self) -> None:
        await self._redis.aclose()
