"""Grid cells (网格): the county's reference table of cells, who works each one, and which tickets came from it.

A cell lies in a township (and, where the county draws it so, in one village or community), recorded by name
as tickets record places. A grid worker (网格员, role ``grid_worker``) works exactly one cell; a ticket reported
from a cell keeps that cell (``ticket_grid``), and the cell's workers see those tickets and no others.
Checked here for both the admin API and the county workbook: every problem of a record at once.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime

import msgspec
from sqlalchemy import Boolean, ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql import Select

from hotline.clock import now
from hotline.models import Area, Base, BigId, Staff
from hotline.reference import Changes, Problem
from hotline.vocabulary import Role

CODE = re.compile(r"[A-Za-z0-9_\-]{1,32}")


class GridCell(Base):
    """One 网格: a code the county gives it, a name people know it by, and where it lies."""

    __tablename__ = "grid_cell"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    township: Mapped[str] = mapped_column(String(32))
    village: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=now)


class GridWorker(Base):
    """A grid worker's cell: one per account (the primary key), so moving a worker is one update."""

    __tablename__ = "grid_worker"
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), primary_key=True)
    grid_cell_id: Mapped[int] = mapped_column(ForeignKey("grid_cell.id"), index=True)


class TicketGrid(Base):
    """The cell a ticket was reported from, and by whom: what a grid worker's view is cut to."""

    __tablename__ = "ticket_grid"
    ticket_id: Mapped[int] = mapped_column(BigId, ForeignKey("ticket.id"), primary_key=True)
    grid_cell_id: Mapped[int] = mapped_column(ForeignKey("grid_cell.id"), index=True)
    reported_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))


class CellRow(msgspec.Struct, frozen=True):
    code: str
    name: str
    township: str
    village: str | None = None
    workers: tuple[str, ...] = ()  # usernames of grid workers; None of them may work another cell afterwards


def cell_of(session: Session, staff_id: int | None) -> GridCell | None:
    """The active cell a grid worker works, or None (not assigned, or the cell was deactivated)."""
    if staff_id is None:
        return None
    return session.scalars(select(GridCell).join(GridWorker, GridWorker.grid_cell_id == GridCell.id)
                           .where(GridWorker.staff_id == staff_id, GridCell.active.is_(True))).first()


def tickets_of_worker(staff_id: int | None) -> Select[tuple[int]]:
    """Ids of the tickets reported from the worker's cell (hotline.access cuts a grid worker's view to these)."""
    return (select(TicketGrid.ticket_id).join(GridWorker, GridWorker.grid_cell_id == TicketGrid.grid_cell_id)
            .join(GridCell, GridCell.id == GridWorker.grid_cell_id)
            .where(GridWorker.staff_id == staff_id, GridCell.active.is_(True)))


def check_cell(session: Session, row: CellRow) -> list[Problem]:
    return check_cells(session, [row])


def check_cells(session: Session, rows: Sequence[CellRow], *, areas: Mapping[str, Collection[str]] | None = None,
                workers: Collection[str] = ()) -> list[Problem]:
    """Every problem of a batch: codes and names, places in 行政区划, workers' accounts, each worker in one cell.
    `areas` (township → villages) and `workers` (grid workers' usernames): what the same workbook declares."""
    problems: list[Problem] = []
    declared = areas or {}
    names = {u for row in rows for u in row.workers}
    found = {s.username: s.role for s in session.scalars(select(Staff).where(Staff.username.in_(names)))}
    found |= dict.fromkeys(workers, Role.GRID)
    codes: set[str] = set()
    placed: dict[str, str] = {}
    for index, row in enumerate(rows):
        if row.code in codes:
            problems.append(Problem(index, "code", f"网格编码「{row.code}」在本表中重复出现"))
        codes.add(row.code)
        if not CODE.fullmatch(row.code):
            problems.append(Problem(index, "code", "网格编码只能是 1 到 32 位字母、数字、下划线或连字符"))
        if not row.name or len(row.name) > 64:
            problems.append(Problem(index, "name", "网格名称不能为空，最长 64 个字"))
        problems += _place_problems(session, row, index, declared)
        for username in row.workers:
            if username not in found:
                problems.append(Problem(index, "workers", f"账号「{username}」不存在"))
            elif found[username] != Role.GRID:
                problems.append(Problem(index, "workers", f"账号「{username}」不是网格员"))
            elif placed.setdefault(username, row.code) != row.code:
                problems.append(Problem(index, "workers", f"网格员「{username}」已列在网格「{placed[username]}」，"
                                                          "每人只负责一个网格"))
    return problems


def _place_problems(session: Session, row: CellRow, index: int,
                    declared: Mapping[str, Collection[str]]) -> list[Problem]:
    township = session.scalars(select(Area).where(Area.name == row.township, Area.parent_id.is_(None))).first()
    if township is None and row.township not in declared:
        return [Problem(index, "township", f"乡镇（街道）「{row.township}」不在行政区划中")]
    if not row.village or row.village in declared.get(row.township, ()):
        return []
    if township is None or session.scalars(select(Area.id).where(
            Area.parent_id == township.id, Area.name == row.village)).first() is None:
        return [Problem(index, "village", f"{row.township}没有「{row.village}」这个村（社区）")]
    return []


def upsert_cells(session: Session, rows: Sequence[CellRow]) -> Changes:
    changes = Changes()
    for row in rows:
        existed = session.scalars(select(GridCell.id).where(GridCell.code == row.code)).first() is not None
        _, changed = upsert_cell(session, row)
        changes.count(row.code, existed, changed)
    return changes


def upsert_cell(session: Session, row: CellRow) -> tuple[GridCell, bool]:
    """Create or update by code; the listed workers move to this cell, and workers no longer listed leave it.
    Returns the cell and whether anything changed."""
    cell = session.scalars(select(GridCell).where(GridCell.code == row.code)).first()
    changed = cell is None
    if cell is None:
        cell = GridCell(code=row.code, name=row.name, township=row.township, village=row.village, active=True)
        session.add(cell)
        session.flush()
    elif (cell.name, cell.township, cell.village) != (row.name, row.township, row.village):
        cell.name, cell.township, cell.village = row.name, row.township, row.village
        changed = True
    wanted = set(session.scalars(select(Staff.id).where(Staff.username.in_(row.workers)))) if row.workers else set()
    current = {w.staff_id: w for w in session.scalars(select(GridWorker).where(GridWorker.grid_cell_id == cell.id))}
    for staff_id, link in current.items():
        if staff_id not in wanted:
            session.delete(link)
            changed = True
    for staff_id in wanted - current.keys():
        link = session.get(GridWorker, staff_id)
        if link is None:
            session.add(GridWorker(staff_id=staff_id, grid_cell_id=cell.id))
        else:
            link.grid_cell_id = cell.id
        changed = True
    session.flush()
    return cell, changed


def workers_of(session: Session, cell_ids: list[int]) -> dict[int, list[Staff]]:
    found: dict[int, list[Staff]] = {cell_id: [] for cell_id in cell_ids}
    rows = session.execute(select(GridWorker.grid_cell_id, Staff).join(Staff, Staff.id == GridWorker.staff_id)
                           .where(GridWorker.grid_cell_id.in_(cell_ids)).order_by(Staff.username))
    for cell_id, staff in rows:
        found[cell_id].append(staff)
    return found


def area_users(session: Session, area: Area) -> list[str]:
    """An area a cell lies in is neither renamed nor removed (hotline.reference.AREA_USERS)."""
    if area.parent_id is None:
        query = select(GridCell.name).where(GridCell.township == area.name)
    else:
        township = session.get(Area, area.parent_id)
        query = select(GridCell.name).where(GridCell.township == (township.name if township else None),
                                            GridCell.village == area.name)
    names = session.scalars(query.limit(3)).all()
    return [f"网格{'、'.join(names)}"] if names else []
