"""The admin's API for staff accounts (人员): list, create, edit, change role or unit, deactivate, reset password.

Checks are the workbook's (`hotline.reference.check_staff`, `hotline.accounts`); a new role or unit, deactivation
and a password reset revoke the account's tokens (`accounts.revoke_tokens`, announced to every web process after
the commit). Phones are shown in full here: the list is for admins only, who keep them up to date; they are never
logged. An admin cannot deactivate themselves or change their own role, so there is always an admin left.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Controller, Request, get, post, put
from litestar.exceptions import NotFoundException
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline import login_guard, reference, token_versions
from hotline.accounts import hash_password, new_staff_problem, password_problem, revoke_tokens
from hotline.admin_controllers import ADMIN, HANDLERS, Refused, conflict, refuse_problems
from hotline.client_address import client_address
from hotline.models import Department, Staff
from hotline.redis_conn import get_redis
from hotline.reference import StaffRow
from hotline.vocabulary import Role

Text32 = Annotated[str, msgspec.Meta(max_length=32)]
Phone = Annotated[str, msgspec.Meta(max_length=40)]
Password = Annotated[str, msgspec.Meta(max_length=128)]
ROLE_CHOICES = "、".join(f"{role.value}（{role.label}）" for role in Role)


class StaffEdit(msgspec.Struct, forbid_unknown_fields=True):
    display_name: Text32
    role: str
    unit_code: Text32 | None = None  # a handler's unit; ignored for the county-wide roles
    phone: Phone | None = None


class StaffCreate(StaffEdit, forbid_unknown_fields=True):
    username: Text32 = ""
    password: Password | None = None  # None: a random first password, answered once


class PasswordReset(msgspec.Struct, forbid_unknown_fields=True):
    password: Password | None = None  # None: a random one, answered once


class AccountRead(msgspec.Struct):
    id: int
    username: str
    display_name: str
    role: str
    role_label: str
    unit_code: str | None
    unit_name: str | None
    phone: str | None
    active: bool
    created_at: datetime


class AccountCreated(msgspec.Struct):
    staff: AccountRead
    password: str | None  # only when generated: shown this once, never stored in clear


class PasswordSet(msgspec.Struct):
    password: str | None  # only when generated


def account_read(staff: Staff) -> AccountRead:
    unit = staff.department
    return AccountRead(id=staff.id, username=staff.username, display_name=staff.display_name, role=staff.role,
                       role_label=Role(staff.role).label, unit_code=unit.code if unit else None,
                       unit_name=unit.name if unit else None, phone=staff.phone, active=staff.active,
                       created_at=staff.created_at)


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        message = f"未知的角色「{value}」，应为：{ROLE_CHOICES}"
        raise Refused(400, message, [{"field": "role", "message": message}]) from None


def _staff_row(username: str, data: StaffEdit) -> StaffRow:
    role = _role(data.role)
    unit = (data.unit_code or "").strip() or None
    return StaffRow(username=username, display_name=data.display_name.strip(), role=role,
                    unit_code=unit if role == Role.HANDLER else None, phone=reference.normal_phone(data.phone))


def _check(session: Session, row: StaffRow) -> None:
    refuse_problems(reference.check_staff(session, [row]))
    if row.unit_code is not None:
        unit = session.scalars(select(Department).where(Department.code == row.unit_code)).one()
        if not unit.active:
            message = f"单位「{unit.name}」已停用"
            raise Refused(400, message, [{"field": "unit_code", "message": message}])


def _password(given: str | None) -> tuple[str, str | None]:
    """The password to set and, if it was generated, the one to answer."""
    if given is None:
        generated = reference.first_password()
        return generated, generated
    if problem := password_problem(given):
        raise Refused(400, problem, [{"field": "password", "message": problem}])
    return given, None


def _account(session: Session, staff_id: int) -> Staff:
    staff = session.get(Staff, staff_id)
    if staff is None:
        raise NotFoundException(f"账号 {staff_id} 不存在")
    return staff


def _commit_revoking(session: Session, staff: Staff, revoke: bool) -> AccountRead:
    version = revoke_tokens(session, staff) if revoke else None
    session.commit()
    if version is not None:
        token_versions.announce(get_redis(), {staff.id: version})
    session.refresh(staff)
    return account_read(staff)


def _not_self(request: Request, staff: Staff, what: str) -> None:
    if staff.id == request.user.id:
        raise conflict(f"不能{what}自己的账号（请另一位管理员操作）")


class StaffController(Controller):
    path = "/api/admin/staff"
    tags = ["admin"]
    exception_handlers = HANDLERS

    @get("/", guards=ADMIN, sync_to_thread=True)
    def list_staff(self, db_session: Session) -> list[AccountRead]:
        return [account_read(s) for s in db_session.scalars(select(Staff).order_by(Staff.username))]

    @post("/", guards=ADMIN, sync_to_thread=True)
    def create_staff(self, data: StaffCreate, db_session: Session) -> AccountCreated:
        username = data.username.strip()
        row = _staff_row(username, data)
        _check(db_session, row)
        password, answered = _password(data.password)
        digest = hash_password(password)  # before the lock: argon2 takes a while
        reference.write_lock(db_session)
        if (problem := new_staff_problem(db_session, username, row.display_name)) is not None:
            raise conflict(problem) if "已存在" in problem else Refused(400, problem, [{"field": "username",
                                                                                    "message": problem}])
        reference.upsert_staff(db_session, [row], {username: digest})
        db_session.commit()
        staff = db_session.scalars(select(Staff).where(Staff.username == username)).one()
        return AccountCreated(staff=account_read(staff), password=answered)

    @put("/{staff_id:int}", guards=ADMIN, sync_to_thread=True)
    def edit_staff(self, staff_id: int, data: StaffEdit, db_session: Session, request: Request) -> AccountRead:
        """Name, phone, role and unit; a new role or unit revokes the account's tokens."""
        reference.write_lock(db_session)
        staff = _account(db_session, staff_id)
        row = _staff_row(staff.username, data)
        _check(db_session, row)
        if row.role.value != staff.role:
            _not_self(request, staff, "修改")
        changes = reference.upsert_staff(db_session, [row], {})
        return _commit_revoking(db_session, staff, revoke=False) if not changes.revoked else \
            _announce_import(db_session, staff)

    @post("/{staff_id:int}/deactivate", guards=ADMIN, sync_to_thread=True, status_code=200)
    def deactivate(self, staff_id: int, db_session: Session, request: Request) -> AccountRead:
        reference.write_lock(db_session)
        staff = _account(db_session, staff_id)
        _not_self(request, staff, "停用")
        was_active, staff.active = staff.active, False
        return _commit_revoking(db_session, staff, revoke=was_active)

    @post("/{staff_id:int}/reactivate", guards=ADMIN, sync_to_thread=True, status_code=200)
    def reactivate(self, staff_id: int, db_session: Session) -> AccountRead:
        reference.write_lock(db_session)
        staff = _account(db_session, staff_id)
        staff.active = True
        return _commit_revoking(db_session, staff, revoke=False)

    @post("/{staff_id:int}/password", guards=ADMIN, sync_to_thread=True, status_code=200)
    def reset_password(self, staff_id: int, db_session: Session, data: PasswordReset | None = None) -> PasswordSet:
        """A new password (given, or generated and answered once); the account's tokens are revoked."""
        password, answered = _password(data.password if data else None)
        digest = hash_password(password)
        reference.write_lock(db_session)
        staff = _account(db_session, staff_id)
        staff.password_hash = digest
        _commit_revoking(db_session, staff, revoke=True)
        return PasswordSet(password=answered)

    @post("/{staff_id:int}/unlock", guards=ADMIN, sync_to_thread=True, status_code=200)
    def unlock(self, staff_id: int, db_session: Session, request: Request) -> AccountRead:
        """Lift a sign-in lock and wait early (hotline.login_guard), e.g. when someone else's guesses locked it."""
        staff = _account(db_session, staff_id)
        login_guard.unlock(db_session, staff, client_address(request))
        return account_read(staff)


def _announce_import(session: Session, staff: Staff) -> AccountRead:
    """`upsert_staff` raised the version itself (a new role or unit): commit, then announce it."""
    session.commit()
    token_versions.announce(get_redis(), token_versions.raised_versions(session, [staff.id]))
    session.refresh(staff)
    return account_read(staff)


ROUTES = [StaffController]
