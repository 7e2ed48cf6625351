"""The admin's API for the block list (恶意来电/留言): list, add with a reason, remove.

Phones are shown in full here, as on the accounts list: the list is the admin's own, who must be able to read a
number back to the person who complains. Adding and removing are logged with the phone masked.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Controller, Request, delete, get, post
from litestar.exceptions import NotFoundException
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotline import blocklist
from hotline.admin_controllers import ADMIN, HANDLERS, Refused, conflict
from hotline.models import BlockedPhone, Staff
from hotline.privacy import PhoneError, mask_phone

log = logging.getLogger("hotline.blocklist")
Phone = Annotated[str, msgspec.Meta(max_length=40)]
Reason = Annotated[str, msgspec.Meta(max_length=500)]


class BlockCreate(msgspec.Struct, forbid_unknown_fields=True):
    phone: Phone
    reason: Reason


class BlockRead(msgspec.Struct):
    id: int
    phone: str
    reason: str
    created_by: str | None  # the admin's display name
    created_at: datetime


def block_read(session: Session, entry: BlockedPhone) -> BlockRead:
    admin = session.get(Staff, entry.created_by) if entry.created_by else None
    return BlockRead(id=entry.id, phone=entry.phone, reason=entry.reason,
                     created_by=admin.display_name if admin else None, created_at=entry.created_at)


class BlockListController(Controller):
    path = "/api/admin/blocked-phones"
    tags = ["admin"]
    exception_handlers = HANDLERS

    @get("/", guards=ADMIN, sync_to_thread=True)
    def list_blocked(self, db_session: Session) -> list[BlockRead]:
        return [block_read(db_session, entry) for entry in blocklist.listed(db_session)]

    @post("/", guards=ADMIN, sync_to_thread=True)
    def add(self, data: BlockCreate, db_session: Session, request: Request) -> BlockRead:
        """New public letters from the phone are refused from now on; tickets it already has are untouched."""
        reason = data.reason.strip()
        if not reason:
            raise Refused(400, "请写明列入黑名单的理由", [{"field": "reason", "message": "请写明列入黑名单的理由"}])
        try:
            if blocklist.find(db_session, data.phone) is not None:
                raise conflict("该号码已在黑名单中")
            entry = blocklist.block(db_session, data.phone, reason, request.user.id)
            db_session.commit()
        except PhoneError as exc:
            raise Refused(400, str(exc), [{"field": "phone", "message": str(exc)}]) from None
        except IntegrityError:  # another admin listed the same phone a moment ago
            db_session.rollback()
            raise conflict("该号码已在黑名单中") from None
        log.info("phone %s put on the block list by staff %s", mask_phone(entry.phone), request.user.id)
        return block_read(db_session, entry)

    @delete("/{entry_id:int}", guards=ADMIN, sync_to_thread=True, status_code=200)
    def remove(self, entry_id: int, db_session: Session, request: Request) -> BlockRead:
        entry = db_session.get(BlockedPhone, entry_id)
        if entry is None:
            raise NotFoundException(f"黑名单条目 {entry_id} 不存在")
        answer = block_read(db_session, entry)
        db_session.delete(entry)
        db_session.commit()
        log.info("phone %s taken off the block list by staff %s", mask_phone(answer.phone), request.user.id)
        return answer


ROUTES = [BlockListController]
