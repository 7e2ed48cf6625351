"""Sign-in throttling: a growing wait per username and per client address, a lock after repeated failures, and
the record the auditor reads (login_event).

Everything is keyed by the username as typed, whether or not an account has it, and a refused attempt is answered
before any password is hashed: an unknown name and a real one get the same answers, in the same time. A correct
password while the name is locked or waiting is refused all the same. Counters live in Redis (hotline.throttle);
a success clears the name's failures.
"""

from __future__ import annotations

import contextlib
import logging

import redis
from sqlalchemy.orm import Session

from hotline import throttle
from hotline.models import LoginEvent, Staff
from hotline.privacy import mask_name
from hotline.redis_conn import get_redis
from hotline.settings import get_settings
from hotline.throttle import Throttled, in_words

log = logging.getLogger("hotline.login")
LOCK_KEY = "hotline:login:lock:"
WAIT = "登录失败次数过多，请{wait}后再试。"
LOCKED = "登录失败次数过多，该用户名已暂时锁定，请{wait}后再试；忘记密码请联系系统管理员重置。"


def _account(username: str) -> str:
    return throttle.key(username.strip().lower())


def _lock_spec() -> str:
    limits = get_settings().throttle
    return f"{limits.login_lock_failures}/{limits.login_lock_window_minutes} minutes"


def check(username: str, address: str) -> None:
    """Before the password is looked at: raises Throttled while the name is locked or either must wait."""
    limits, account = get_settings().throttle, _account(username)
    try:
        if (locked := get_redis().ttl(LOCK_KEY + account)) > 0:
            raise Throttled(LOCKED.format(wait=in_words(locked)), locked)
        wait = max(throttle.wait_seconds(limits.login_failures_per_account, "login-account", account),
                   throttle.wait_seconds(limits.login_failures_per_address, "login-address", throttle.key(address)))
    except redis.RedisError:
        log.warning("sign-in limits not checked: Redis unavailable")
        return
    if wait:
        raise Throttled(WAIT.format(wait=in_words(wait)), wait)


def _shown(username: str, staff: Staff | None) -> str:
    """An account's name as it is; any other text masked (it may be a password typed in the wrong box)."""
    if staff is not None:
        return staff.username
    return mask_name(username.strip()[:32]) or "-"


def _record(session: Session, username: str, staff: Staff | None, address: str, outcome: str) -> None:
    session.add(LoginEvent(staff_id=staff.id if staff else None, username=_shown(username, staff),
                           address=address, outcome=outcome))


def failed(session: Session, username: str, staff: Staff | None, address: str) -> None:
    """A wrong password or an unknown name: counted, recorded, and the name locked once there were too many."""
    limits, account = get_settings().throttle, _account(username)
    _record(session, username, staff, address, "failure")
    try:
        throttle.count(limits.login_failures_per_account, "login-account", account)
        throttle.count(limits.login_failures_per_address, "login-address", throttle.key(address))
        throttle.count(_lock_spec(), "login-lock", account)
        if throttle.wait_seconds(_lock_spec(), "login-lock", account):
            get_redis().set(LOCK_KEY + account, "1", ex=limits.login_lock_minutes * 60)
            for item in throttle.items(_lock_spec()):
                throttle.limiter().clear(item, "login-lock", account)
            _record(session, username, staff, address, "locked")
            log.warning("sign-in locked for %s minutes after %s failures (%s)", limits.login_lock_minutes,
                        limits.login_lock_failures, _shown(username, staff))
    except redis.RedisError:
        log.warning("sign-in failure not counted: Redis unavailable")
    session.commit()


def succeeded(session: Session, username: str, staff: Staff, address: str) -> None:
    _record(session, username, staff, address, "success")
    session.commit()
    with contextlib.suppress(redis.RedisError):  # the name's failures stay until they age out
        _clear(username)


def unlock(session: Session, staff: Staff, address: str) -> None:
    """An admin lifts a lock early (the owner was locked out by someone else's guesses): the wait goes too, and
    the auditor sees an "unlocked" row (the address is the admin's)."""
    get_redis().delete(LOCK_KEY + _account(staff.username))
    _clear(staff.username)
    _record(session, staff.username, staff, address, "unlocked")
    session.commit()


def _clear(username: str) -> None:
    account = _account(username)
    for spec, name in ((get_settings().throttle.login_failures_per_account, "login-account"),
                       (_lock_spec(), "login-lock")):
        for item in throttle.items(spec):
            throttle.limiter().clear(item, name, account)
