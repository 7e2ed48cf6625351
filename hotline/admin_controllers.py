"""The admin's API for the county's units (承办单位) and areas (行政区划), checked by `hotline.reference`.

Every write takes the reference write lock first (`reference.write_lock`), so the check and the write it allows
are one step; a refused request writes nothing. Staff accounts are in `hotline.staff_controllers`.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, delete, get, post, put
from litestar.exceptions import NotFoundException
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline import reference
from hotline.dependencies import roles
from hotline.models import Area, Department, Ticket
from hotline.reference import UNIT_KINDS, AreaRow, Problem, UnitRow
from hotline.vocabulary import Role

ADMIN = [roles(Role.ADMIN)]
KIND_LABELS = {value: label for label, value in reversed(UNIT_KINDS.items())}  # township -> 乡镇政府
Text32 = Annotated[str, msgspec.Meta(max_length=32)]
Text64 = Annotated[str, msgspec.Meta(max_length=64)]
Phone = Annotated[str, msgspec.Meta(max_length=40)]


class Refused(Exception):
    """A 4xx with a Chinese sentence and, for a 400, each field's problem."""

    def __init__(self, status: int, detail: str, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.errors = status, detail, errors or []


def refused(_: Request, exc: Refused) -> Response[dict[str, Any]]:
    return Response({"status_code": exc.status, "detail": exc.detail, "errors": exc.errors}, status_code=exc.status)


HANDLERS = {Refused: refused}


def refuse_problems(problems: list[Problem], fields: dict[str, str] | None = None) -> None:
    """400 with every problem of a one-row batch (`fields` renames a row's field to the API's)."""
    if problems:
        errors = [{"field": (fields or {}).get(p.field, p.field), "message": p.message} for p in problems]
        raise Refused(400, "；".join(e["message"] for e in errors), errors)


def conflict(detail: str) -> Refused:
    return Refused(409, detail)


# -- units ----------------------------------------------------------------------------------------------------------

class UnitFields(msgspec.Struct, forbid_unknown_fields=True):
    name: Text64
    kind: str  # office, bureau, township, enterprise (docs/admin.md)
    duty_phone: Phone | None = None
    township: Text32 | None = None
    parent_code: Text32 | None = None


class UnitCreate(UnitFields, forbid_unknown_fields=True):
    code: Text32 = ""


class UnitRead(msgspec.Struct):
    id: int
    code: str
    name: str
    kind: str
    kind_label: str
    duty_phone: str | None
    township: str | None
    parent_code: str | None
    active: bool


def unit_read(unit: Department, codes: dict[int, str]) -> UnitRead:
    return UnitRead(id=unit.id, code=unit.code, name=unit.name, kind=unit.kind,
                    kind_label=KIND_LABELS.get(unit.kind, unit.kind), duty_phone=unit.duty_phone,
                    township=unit.township, parent_code=codes.get(unit.parent_id) if unit.parent_id else None,
                    active=unit.active)


def _codes(session: Session) -> dict[int, str]:
    return dict(session.execute(select(Department.id, Department.code)).all())


def _unit(session: Session, unit_id: int) -> Department:
    unit = session.get(Department, unit_id)
    if unit is None:
        raise NotFoundException(f"单位 {unit_id} 不存在")
    return unit


def _store_unit(session: Session, row: UnitRow) -> UnitRead:
    if row.parent_code is not None:
        parent = session.scalars(select(Department).where(Department.code == row.parent_code)).first()
        if parent is not None and not parent.active:
            raise Refused(400, f"上级单位「{parent.name}」已停用", [{"field": "parent_code",
                                                               "message": f"上级单位「{parent.name}」已停用"}])
    refuse_problems(reference.check_units(session, [row]))
    reference.upsert_units(session, [row])
    session.commit()
    unit = session.scalars(select(Department).where(Department.code == row.code)).one()
    return unit_read(unit, _codes(session))


def _row(code: str, data: UnitFields) -> UnitRow:
    return UnitRow(code=code, name=data.name.strip(), kind=data.kind, township=data.township or None,
                   duty_phone=reference.normal_phone(data.duty_phone), parent_code=data.parent_code or None)


class UnitController(Controller):
    path = "/api/admin/units"
    tags = ["admin"]
    exception_handlers = HANDLERS

    @get("/", guards=ADMIN, sync_to_thread=True)
    def list_units(self, db_session: Session) -> list[UnitRead]:
        codes = _codes(db_session)
        return [unit_read(u, codes) for u in db_session.scalars(select(Department).order_by(Department.code))]

    @post("/", guards=ADMIN, sync_to_thread=True)
    def create_unit(self, data: UnitCreate, db_session: Session) -> UnitRead:
        code = data.code.strip()
        reference.write_lock(db_session)
        if code and db_session.scalars(select(Department.id).where(Department.code == code)).first():
            raise conflict(f"单位编码「{code}」已存在")
        if data.duty_phone and not reference.PHONE.fullmatch(reference.normal_phone(data.duty_phone) or ""):
            raise Refused(400, reference.PHONE_PROBLEM, [{"field": "duty_phone", "message": reference.PHONE_PROBLEM}])
        return _store_unit(db_session, _row(code, data))

    @put("/{unit_id:int}", guards=ADMIN, sync_to_thread=True)
    def edit_unit(self, unit_id: int, data: UnitFields, db_session: Session) -> UnitRead:
        """The whole record, as the workbook's row (a field left out is cleared); the code stays."""
        reference.write_lock(db_session)
        unit = _unit(db_session, unit_id)
        if data.duty_phone and not reference.PHONE.fullmatch(reference.normal_phone(data.duty_phone) or ""):
            raise Refused(400, reference.PHONE_PROBLEM, [{"field": "duty_phone", "message": reference.PHONE_PROBLEM}])
        return _store_unit(db_session, _row(unit.code, data))

    @post("/{unit_id:int}/deactivate", guards=ADMIN, sync_to_thread=True, status_code=200)
    def deactivate_unit(self, unit_id: int, db_session: Session) -> UnitRead:
        """Refused while the catalogue still sends work there (move those entries first)."""
        reference.write_lock(db_session)
        unit = _unit(db_session, unit_id)
        if users := [use for check in reference.UNIT_USERS for use in check(db_session, unit)]:
            raise conflict(f"单位「{unit.name}」仍被使用，不能停用：{'；'.join(users)}")
        unit.active = False
        db_session.commit()
        return unit_read(unit, _codes(db_session))

    @post("/{unit_id:int}/reactivate", guards=ADMIN, sync_to_thread=True, status_code=200)
    def reactivate_unit(self, unit_id: int, db_session: Session) -> UnitRead:
        reference.write_lock(db_session)
        unit = _unit(db_session, unit_id)
        unit.active = True
        db_session.commit()
        return unit_read(unit, _codes(db_session))


# -- areas ----------------------------------------------------------------------------------------------------------

class AreaCreate(msgspec.Struct, forbid_unknown_fields=True):
    township: Text32
    village: Text32 | None = None  # None: the township itself


class AreaRename(msgspec.Struct, forbid_unknown_fields=True):
    name: Text32


class AreaRead(msgspec.Struct):
    id: int
    name: str
    kind: str  # township, village, community
    township: str | None  # a village's township


def _area_read(area: Area, session: Session) -> AreaRead:
    parent = session.get(Area, area.parent_id) if area.parent_id else None
    return AreaRead(id=area.id, name=area.name, kind=area.kind, township=parent.name if parent else None)


def _area(session: Session, area_id: int) -> Area:
    area = session.get(Area, area_id)
    if area is None:
        raise NotFoundException(f"区划 {area_id} 不存在")
    return area


def area_users(session: Session, area: Area) -> list[str]:
    """What refers to an area by its name: its villages, units, tickets (and, registered by dispatch, the
    catalogue). Names are what tickets record, so an area in use is neither renamed nor removed."""
    uses: list[str] = []
    if area.parent_id is None:
        if villages := session.scalars(select(Area.name).where(Area.parent_id == area.id).limit(3)).all():
            uses.append(f"下辖村（社区）{'、'.join(villages)}")
        if units := session.scalars(select(Department.name).where(Department.township == area.name).limit(3)).all():
            uses.append(f"单位{'、'.join(units)}")
        tickets = select(Ticket.number).where(Ticket.township == area.name)
    else:
        township = session.get(Area, area.parent_id)
        tickets = select(Ticket.number).where(Ticket.township == (township.name if township else None),
                                              Ticket.village == area.name)
    if numbers := session.scalars(tickets.limit(3)).all():
        uses.append(f"工单{'、'.join(numbers)}等")
    return uses


reference.AREA_USERS.append(area_users)


class AreaController(Controller):
    path = "/api/admin/areas"
    tags = ["admin"]
    exception_handlers = HANDLERS

    @get("/", guards=ADMIN, sync_to_thread=True)
    def list_areas(self, db_session: Session) -> list[AreaRead]:
        areas = db_session.scalars(select(Area).order_by(Area.id)).all()
        names = {a.id: a.name for a in areas}
        return [AreaRead(id=a.id, name=a.name, kind=a.kind, township=names.get(a.parent_id)) for a in areas]

    @post("/", guards=ADMIN, sync_to_thread=True)
    def create_area(self, data: AreaCreate, db_session: Session) -> AreaRead:
        row = AreaRow(township=data.township.strip(), village=(data.village or "").strip() or None)
        reference.write_lock(db_session)
        refuse_problems(reference.check_areas(db_session, [row]))
        changes = reference.upsert_areas(db_session, [row])
        if not changes.created:
            raise conflict(f"「{row.township}{'/' + row.village if row.village else ''}」已存在")
        db_session.commit()
        township = db_session.scalars(select(Area).where(Area.name == row.township, Area.parent_id.is_(None))).one()
        if row.village is None:
            return _area_read(township, db_session)
        village = db_session.scalars(select(Area).where(Area.parent_id == township.id, Area.name == row.village)).one()
        return _area_read(village, db_session)

    @put("/{area_id:int}", guards=ADMIN, sync_to_thread=True)
    def rename_area(self, area_id: int, data: AreaRename, db_session: Session) -> AreaRead:
        """Only while nothing refers to the old name (see `area_users`): for a name mistyped at set-up."""
        name = data.name.strip()
        reference.write_lock(db_session)
        area = _area(db_session, area_id)
        if not name:
            raise Refused(400, "名称不能为空", [{"field": "name", "message": "名称不能为空"}])
        if name == area.name:
            return _area_read(area, db_session)
        siblings = select(Area.id).where(Area.name == name, Area.parent_id.is_(None) if area.parent_id is None
                                         else Area.parent_id == area.parent_id)
        if db_session.scalars(siblings).first() is not None:
            raise conflict(f"「{name}」已存在")
        if users := [use for check in reference.AREA_USERS for use in check(db_session, area)]:
            raise conflict(f"「{area.name}」已被使用，不能改名：{'；'.join(users)}")
        area.name = name
        if area.parent_id is not None:
            area.kind = reference.area_kind(name)
        db_session.commit()
        return _area_read(area, db_session)

    @delete("/{area_id:int}", guards=ADMIN, sync_to_thread=True)
    def remove_area(self, area_id: int, db_session: Session) -> None:
        reference.write_lock(db_session)
        area = _area(db_session, area_id)
        if users := [use for check in reference.AREA_USERS for use in check(db_session, area)]:
            raise conflict(f"「{area.name}」仍被使用，不能删除：{'；'.join(users)}")
        db_session.delete(area)
        db_session.commit()


ROUTES = [UnitController, AreaController]
