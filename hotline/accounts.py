"""Staff accounts: password hashing (argon2 via pwdlib), sign-in, and revoking an account's tokens."""

from __future__ import annotations

from functools import lru_cache

from pwdlib import PasswordHash
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from hotline.models import Staff
from hotline.vocabulary import Role
from hotline.workflow import Actor


@lru_cache(maxsize=1)
def _hasher() -> PasswordHash:
    return PasswordHash.recommended()


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def authenticate(session: Session, username: str, password: str) -> Staff | None:
    staff, correct = check_password(session, username, password)
    return staff if correct else None


def check_password(session: Session, username: str, password: str) -> tuple[Staff | None, bool]:
    """The active account of that name (None if there is none) and whether the password is its own."""
    staff = session.scalars(select(Staff).where(Staff.username == username, Staff.active)).first()
    if staff is None:
        _hasher().hash(password)  # same work either way, so timing does not reveal usernames
        return None, False
    return staff, _hasher().verify(password, staff.password_hash)


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


MIN_PASSWORD_CHARS = 10  # for accounts made from now on (`createadmin`); the demo's shared password predates it
NAME_CHARS = 32  # the Staff.username and Staff.display_name columns


def new_staff_problem(session: Session, username: str, display_name: str) -> str | None:
    """Why an account of this name may not be created (in Chinese, for the person typing), or None."""
    if not username:
        return "用户名不能为空"
    if len(username) > NAME_CHARS or any(char.isspace() for char in username):
        return f"用户名不能含空白，最长 {NAME_CHARS} 个字符"
    if not display_name or len(display_name) > NAME_CHARS:
        return f"显示名称不能为空，最长 {NAME_CHARS} 个字符"
    if session.scalars(select(Staff.id).where(Staff.username == username)).first() is not None:
        return f"用户名 {username} 已存在，未做任何修改"
    return None


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD_CHARS:
        return f"密码太短：至少 {MIN_PASSWORD_CHARS} 个字符（现在 {len(password)} 个）"
    return None


def revoke_tokens(session: Session, staff: Staff) -> int:
    """Raise the account's token version in this transaction (in SQL, so two revocations at once both count);
    once committed, announce it (`hotline.token_versions.announce`) and every token issued before is refused."""
    version = session.execute(update(Staff).where(Staff.id == staff.id).values(
        token_version=Staff.token_version + 1).returning(Staff.token_version)).scalar_one()
    set_committed_value(staff, "token_version", version)  # what the row now holds, without another write
    return version
