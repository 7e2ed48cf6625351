"""Staff accounts: password hashing (argon2 via pwdlib) and sign-in."""

from __future__ import annotations

from functools import lru_cache

from pwdlib import PasswordHash
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import Staff
from hotline.vocabulary import Role
from hotline.workflow import Actor


@lru_cache(maxsize=1)
def _hasher() -> PasswordHash:
    return PasswordHash.recommended()


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def authenticate(session: Session, username: str, password: str) -> Staff | None:
    staff = session.scalars(select(Staff).where(Staff.username == username, Staff.active)).first()
    if staff is None:
        _hasher().hash(password)  # same work either way, so timing does not reveal usernames
        return None
    return staff if _hasher().verify(password, staff.password_hash) else None


def create_staff(
    session: Session, username: str, display_name: str, password: str, role: Role, department_id: int | None
) -> Staff:
    if role == Role.HANDLER and department_id is None:
        raise ValueError("承办人员必须绑定一个部门")
    staff = Staff(
        username=username,
        display_name=display_name,
        password_hash=hash_password(password),
        role=role,
        department_id=department_id if role == Role.HANDLER else None,
    )
    session.add(staff)
    return staff


def actor_of(staff: Staff) -> Actor:
    return Actor(role=staff.role, id=staff.id, department_id=staff.department_id, name=staff.display_name)
