"""Admin endpoints for platform keys: issue (key and signing secret shown once), list, set the callback URL,
revoke. The callback URL is the admin's to set, not the key holder's: our server POSTs to it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.exceptions import NotFoundException
from litestar.params import Parameter
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline import text
from hotline.city_management import keys
from hotline.city_management.models import CityCallback, CityEvent, CitySystem
from hotline.dependencies import roles
from hotline.schemas import MAX_ROW_ID
from hotline.vocabulary import Role

CallbackUrl = Annotated[str, msgspec.Meta(max_length=500, description="状态回推地址，http(s)")]


def _checked_url(url: str | None) -> str | None:
    url = text.optional(url)
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"callback_url 须为 http(s) 地址（收到「{url[:60]}」）")
    return url


class SystemCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=64, description="数字城管平台名称")]
    contact: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    callback_url: CallbackUrl | None = None

    def __post_init__(self) -> None:
        self.name = text.required(self.name, "名称")
        self.contact = text.optional(self.contact)
        self.callback_url = _checked_url(self.callback_url)


class SystemUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """callback_url null stops the callbacks (the platform can still pull)."""

    callback_url: CallbackUrl | None

    def __post_init__(self) -> None:
        self.callback_url = _checked_url(self.callback_url)


class SystemRead(msgspec.Struct, kw_only=True):
    id: int
    name: str
    key_prefix: str
    contact: str | None
    callback_url: str | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    events_filed: int
    callbacks_failed: int


class SystemCreated(SystemRead, kw_only=True):
    api_key: str  # shown this once; only its hash is stored
    signing_secret: str  # shown this once too: the platform checks our callbacks' signature with it


def _read(system: CitySystem, filed: int = 0, failed: int = 0) -> dict[str, Any]:
    return {"id": system.id, "name": system.name, "key_prefix": system.key_prefix, "contact": system.contact,
            "callback_url": system.callback_url, "created_at": system.created_at,
            "last_used_at": system.last_used_at, "revoked_at": system.revoked_at, "events_filed": filed,
            "callbacks_failed": failed}


def _counts(session: Session) -> tuple[dict[int, int], dict[int, int]]:
    """Per platform: events filed, and callbacks given up on (the admin's cue to call the platform)."""
    filed = dict(session.execute(select(CityEvent.system_id, func.count()).group_by(CityEvent.system_id)).all())
    failed = dict(session.execute(
        select(CityEvent.system_id, func.count()).join(CityCallback, CityCallback.city_event_id == CityEvent.id)
        .where(CityCallback.state == "failed").group_by(CityEvent.system_id)).all())
    return filed, failed


def _found(session: Session, system_id: int) -> CitySystem:
    system = session.get(CitySystem, system_id)
    if system is None:
        raise NotFoundException(f"数字城管平台 {system_id} 不存在")
    return system


ADMIN_ONLY = [roles(Role.ADMIN)]
SystemId = Annotated[int, Parameter(ge=1, le=MAX_ROW_ID)]


class CitySystemController(Controller):
    path = "/api/admin/city-management/systems"
    tags = ["admin", "city-management"]
    # guards on each handler, as in open311/admin.py: a controller's guards also run for the automatic OPTIONS

    @get("/", sync_to_thread=True, guards=ADMIN_ONLY)
    def list_systems(self, db_session: Session) -> list[SystemRead]:
        filed, failed = _counts(db_session)
        return [SystemRead(**_read(system, filed.get(system.id, 0), failed.get(system.id, 0)))
                for system in db_session.scalars(select(CitySystem).order_by(CitySystem.id))]

    @post("/", sync_to_thread=True, guards=ADMIN_ONLY)
    def issue(self, data: SystemCreate, db_session: Session, request: Request) -> SystemCreated:
        system, raw = keys.issue(db_session, data.name, data.contact, data.callback_url, request.user.id)
        db_session.commit()
        return SystemCreated(**_read(system), api_key=raw, signing_secret=system.signing_secret)

    @patch("/{system_id:int}", sync_to_thread=True, guards=ADMIN_ONLY)
    def update(self, system_id: SystemId, data: SystemUpdate, db_session: Session) -> SystemRead:
        system = _found(db_session, system_id)
        system.callback_url = data.callback_url
        db_session.commit()
        filed, failed = _counts(db_session)
        return SystemRead(**_read(system, filed.get(system_id, 0), failed.get(system_id, 0)))

    @delete("/{system_id:int}", sync_to_thread=True, guards=ADMIN_ONLY)
    def revoke(self, system_id: SystemId, db_session: Session) -> None:
        """Revoked, not deleted: the events it filed keep pointing at it; its callbacks stop."""
        keys.revoke(_found(db_session, system_id))
        db_session.commit()
