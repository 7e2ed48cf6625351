"""The admin's API for the dispatch catalogue (派单目录), checked by `dispatch.catalogue` as the workbook is.

An entry names its units by code; an entry may only point at active units. "Deactivating" an entry removes it
(the catalogue has no inactive state, and nothing refers to an entry's row: tickets keep their category code):
routing then falls back to the county default for a township's override, or to the manual queue. This module
also tells hotline which units and townships the catalogue uses, so that those are not deactivated or removed.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, delete, get, post, put
from litestar.exceptions import NotFoundException
from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.catalogue import EntryRow, check_entries, upsert_entries
from dispatch.models import CatalogueEntry
from hotline import reference
from hotline.admin_controllers import ADMIN, HANDLERS, Refused, conflict, refuse_problems
from hotline.models import Area, Department

Code = Annotated[str, msgspec.Meta(max_length=32)]


class EntryFields(msgspec.Struct, forbid_unknown_fields=True):
    lead_code: Code
    category_name: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    co_codes: Annotated[list[Code], msgspec.Meta(max_length=20)] = msgspec.field(default_factory=list)
    time_limits: dict[str, float] = msgspec.field(default_factory=dict)  # ticket type -> working days


class EntryCreate(EntryFields, forbid_unknown_fields=True):
    category_code: Annotated[str, msgspec.Meta(max_length=16)] = ""
    township: Annotated[str, msgspec.Meta(max_length=32)] | None = None  # None: the county default


class UnitRef(msgspec.Struct):
    id: int
    code: str
    name: str


class EntryRead(msgspec.Struct):
    id: int
    category_code: str
    category_name: str
    township: str | None
    lead: UnitRef
    co: list[UnitRef]
    time_limits: dict[str, float] | None


def _entry_read(entry: CatalogueEntry, units: dict[int, Department]) -> EntryRead:
    def ref(unit_id: int) -> UnitRef:
        unit = units[unit_id]
        return UnitRef(id=unit.id, code=unit.code, name=unit.name)
    return EntryRead(id=entry.id, category_code=entry.category_code, category_name=entry.category_name,
                     township=entry.township, lead=ref(entry.lead_department_id),
                     co=[ref(i) for i in entry.co_department_ids if i in units], time_limits=entry.time_limits)


def _units(session: Session) -> dict[int, Department]:
    return {d.id: d for d in session.scalars(select(Department))}


def _entry(session: Session, entry_id: int) -> CatalogueEntry:
    entry = session.get(CatalogueEntry, entry_id)
    if entry is None:
        raise NotFoundException(f"派单目录条目 {entry_id} 不存在")
    return entry


def _store(session: Session, row: EntryRow) -> EntryRead:
    refuse_problems(check_entries(session, [row]))
    inactive = set(session.scalars(select(Department.code).where(~Department.active)))
    for field, codes in (("lead_code", [row.lead_code]), ("co_codes", list(row.co_codes))):
        if stopped := [c for c in codes if c in inactive]:
            message = f"单位「{'、'.join(stopped)}」已停用，不能承接派单"
            raise Refused(400, message, [{"field": field, "message": message}])
    upsert_entries(session, [row])
    session.commit()
    entry = session.scalars(select(CatalogueEntry).where(CatalogueEntry.category_code == row.category_code,
                                                         _township_is(row.township))).one()
    return _entry_read(entry, _units(session))


def _township_is(township: str | None):
    return CatalogueEntry.township.is_(None) if township is None else CatalogueEntry.township == township


def _row(category_code: str, township: str | None, data: EntryFields) -> EntryRow:
    return EntryRow(category_code=category_code, lead_code=data.lead_code.strip(),
                    category_name=(data.category_name or "").strip() or None, township=township,
                    co_codes=tuple(dict.fromkeys(c.strip() for c in data.co_codes if c.strip())),
                    time_limits=data.time_limits)


class CatalogueController(Controller):
    path = "/api/admin/catalogue"
    tags = ["admin"]
    exception_handlers = HANDLERS

    @get("/", guards=ADMIN, sync_to_thread=True)
    def list_entries(self, db_session: Session) -> list[EntryRead]:
        units = _units(db_session)
        query = select(CatalogueEntry).order_by(CatalogueEntry.category_code, CatalogueEntry.id)
        return [_entry_read(e, units) for e in db_session.scalars(query)]

    @post("/", guards=ADMIN, sync_to_thread=True)
    def create_entry(self, data: EntryCreate, db_session: Session) -> EntryRead:
        township = (data.township or "").strip() or None
        row = _row(data.category_code.strip(), township, data)
        reference.write_lock(db_session)
        if db_session.scalars(select(CatalogueEntry.id).where(CatalogueEntry.category_code == row.category_code,
                                                              _township_is(township))).first() is not None:
            raise conflict(f"分类「{row.key}」已在派单目录中，请修改原条目")
        return _store(db_session, row)

    @put("/{entry_id:int}", guards=ADMIN, sync_to_thread=True)
    def edit_entry(self, entry_id: int, data: EntryFields, db_session: Session) -> EntryRead:
        """Lead and co-units, name and time limits (the whole record); the category and township stay."""
        reference.write_lock(db_session)
        entry = _entry(db_session, entry_id)
        return _store(db_session, _row(entry.category_code, entry.township, data))

    @delete("/{entry_id:int}", guards=ADMIN, sync_to_thread=True)
    def remove_entry(self, entry_id: int, db_session: Session) -> None:
        reference.write_lock(db_session)
        db_session.delete(_entry(db_session, entry_id))
        db_session.commit()


def unit_users(session: Session, unit: Department) -> list[str]:
    entries = session.scalars(select(CatalogueEntry)).all()
    used = [e for e in entries if unit.id == e.lead_department_id or unit.id in (e.co_department_ids or [])]
    if not used:
        return []
    keys = "、".join(f"{e.category_code}{'（' + e.township + '）' if e.township else ''}" for e in used[:5])
    return [f"派单目录{keys}{'等' if len(used) > 5 else ''}（共 {len(used)} 条）"]


def area_users(session: Session, area: Area) -> list[str]:
    if area.parent_id is not None:
        return []
    codes = session.scalars(select(CatalogueEntry.category_code).where(CatalogueEntry.township == area.name)).all()
    return [f"派单目录乡镇例外{'、'.join(codes[:5])}"] if codes else []


reference.UNIT_USERS.append(unit_users)
reference.AREA_USERS.append(area_users)

ROUTES = [CatalogueController]
