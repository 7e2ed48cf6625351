"""Admin endpoints for Open311 API keys: create (the key is shown once), list, revoke."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Controller, Request, delete, get, post
from litestar.exceptions import NotFoundException
from litestar.params import Parameter
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline import text
from hotline.dependencies import roles
from hotline.schemas import MAX_ROW_ID
from hotline.vocabulary import Role
from open311 import keys
from open311.models import Open311ApiKey, Open311Request


class KeyCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=64, description="使用该密钥的应用或单位")]
    contact: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    rate_limit_per_minute: Annotated[int, msgspec.Meta(ge=1, le=10000)] | None = None

    def __post_init__(self) -> None:
        self.name = text.required(self.name, "名称")
        self.contact = text.optional(self.contact)


class KeyRead(msgspec.Struct, kw_only=True):
    id: int
    name: str
    key_prefix: str
    contact: str | None
    rate_limit_per_minute: int
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    requests_filed: int


class KeyCreated(KeyRead, kw_only=True):
    api_key: str  # shown this once; only its hash is stored


def _read(key: Open311ApiKey, filed: int) -> dict:
    return {"id": key.id, "name": key.name, "key_prefix": key.key_prefix, "contact": key.contact,
            "rate_limit_per_minute": key.rate_limit_per_minute, "created_at": key.created_at,
            "last_used_at": key.last_used_at, "revoked_at": key.revoked_at, "requests_filed": filed}


ADMIN_ONLY = [roles(Role.ADMIN)]


class Open311KeyController(Controller):
    path = "/api/admin/open311/keys"
    tags = ["admin", "open311"]
    # Guards sit on each handler, not on the controller: a controller's guards also run for the automatic
    # OPTIONS answer, which the sign-in middleware lets through unauthenticated (a 500 on "no user").

    @get("/", sync_to_thread=True, guards=ADMIN_ONLY)
    def list_keys(self, db_session: Session) -> list[KeyRead]:
        counts = dict(db_session.execute(select(Open311Request.api_key_id, func.count())
                                         .group_by(Open311Request.api_key_id)).all())
        found = db_session.scalars(select(Open311ApiKey).order_by(Open311ApiKey.id)).all()
        return [KeyRead(**_read(key, counts.get(key.id, 0))) for key in found]

    @post("/", sync_to_thread=True, guards=ADMIN_ONLY)
    def create_key(self, data: KeyCreate, db_session: Session, request: Request) -> KeyCreated:
        key, raw = keys.create_key(db_session, data.name, data.contact, data.rate_limit_per_minute, request.user.id)
        db_session.commit()
        return KeyCreated(**_read(key, 0), api_key=raw)

    @delete("/{key_id:int}", sync_to_thread=True, guards=ADMIN_ONLY)
    def revoke(self, key_id: Annotated[int, Parameter(ge=1, le=MAX_ROW_ID)], db_session: Session) -> None:
        """Revoked, not deleted: the requests a key filed keep pointing at it."""
        key = db_session.get(Open311ApiKey, key_id)
        if key is None:
            raise NotFoundException(f"API 密钥 {key_id} 不存在")
        keys.revoke_key(db_session, key)
        db_session.commit()
