"""The block list (恶意来电/留言): phones an admin has stopped from submitting without an account, with the reason.

Kept in the database (the admin's decision is a record), read on every public submission by one indexed look-up.
Phones are stored as `hotline.privacy.normalize_phone` writes them, so 139-1234-5678 and +86 13912345678 match.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import BlockedPhone
from hotline.privacy import normalize_phone


def is_blocked(session: Session, phone: str | None) -> bool:
    """`phone` as intake stores it (already normalised)."""
    if not phone:
        return False
    return session.scalar(select(BlockedPhone.id).where(BlockedPhone.phone == phone)) is not None


def listed(session: Session) -> list[BlockedPhone]:
    return list(session.scalars(select(BlockedPhone).order_by(BlockedPhone.id.desc())))


def find(session: Session, phone: str) -> BlockedPhone | None:
    return session.scalars(select(BlockedPhone).where(BlockedPhone.phone == normalize_phone(phone))).first()


def block(session: Session, phone: str, reason: str, staff_id: int | None) -> BlockedPhone:
    """Raises PhoneError for a number that is not one (ValueError: the API's 400)."""
    entry = BlockedPhone(phone=normalize_phone(phone), reason=reason, created_by=staff_id)
    session.add(entry)
    session.flush()
    return entry
