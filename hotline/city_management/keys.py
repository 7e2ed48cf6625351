"""Platform keys: issued by an admin, stored hashed, checked on every platform request.

The same approach as Open311's keys (open311/keys.py): 256 random bits shown once, only the SHA-256 kept, a prefix
to tell keys apart, revoked rather than deleted. Open311 sits to the right of hotline, so its module cannot be
imported here. Each platform also gets a signing secret for the callbacks it receives.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.city_management.models import CitySystem
from hotline.clock import now

KEY_PREFIX = "cm_"
SECRET_PREFIX = "cmsig_"
TOUCH_EVERY = timedelta(minutes=1)  # last_used_at is a hint for admins, not worth a write per request


class KeyRefused(Exception):
    """A missing, wrong or revoked key: one answer for all three (401), so a caller learns nothing."""

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(detail)


def hash_key(raw: str) -> str:
    """Keys are 256 random bits, so a plain SHA-256 is enough: there is nothing to brute-force."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def issue(session: Session, name: str, contact: str | None, callback_url: str | None,
          created_by: int | None) -> tuple[CitySystem, str]:
    """The raw key goes back to the admin once (with the signing secret); only its hash is kept."""
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    system = CitySystem(name=name, key_hash=hash_key(raw), key_prefix=raw[:12], contact=contact,
                        signing_secret=SECRET_PREFIX + secrets.token_urlsafe(32), callback_url=callback_url,
                        created_by=created_by, created_at=now())
    session.add(system)
    session.flush()
    return system, raw


def revoke(system: CitySystem) -> None:
    if system.revoked_at is None:
        system.revoked_at = now()


def authenticate(session: Session, raw: str | None) -> CitySystem:
    """The platform the key belongs to; its last use is noted in the request's own transaction."""
    if not raw:
        raise KeyRefused("缺少 X-Api-Key：数字城管平台须使用管理员发放的接入密钥")
    system = session.scalars(select(CitySystem).where(CitySystem.key_hash == hash_key(raw.strip()))).first()
    if system is None or system.revoked_at is not None:
        raise KeyRefused("接入密钥无效或已停用，请联系热线管理员重新发放")
    moment = now()
    if system.last_used_at is None or moment - system.last_used_at > TOUCH_EVERY:
        system.last_used_at = moment
    return system
