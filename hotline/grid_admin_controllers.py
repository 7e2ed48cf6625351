"""The admin's API for grid cells (网格), checked by `hotline.grid_cells`, like units and areas.

Every write takes the reference write lock first. A worker's cell is read on every request of theirs, so moving
a worker (or deactivating a cell) takes effect at once without revoking their tokens.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, get, post, put
from litestar.exceptions import NotFoundException
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline import grid_cells, reference, text
from hotline.admin_controllers import ADMIN, HANDLERS, conflict, refuse_problems
from hotline.grid_cells import CellRow, GridCell

Text32 = Annotated[str, msgspec.Meta(max_length=32)]
Text64 = Annotated[str, msgspec.Meta(max_length=64)]
Usernames = Annotated[list[Text32], msgspec.Meta(max_length=50)]


class CellFields(msgspec.Struct, forbid_unknown_fields=True):
    name: Text64
    township: Text32
    village: Text32 | None = None
    workers: Usernames = msgspec.field(default_factory=list)


class CellCreate(CellFields, forbid_unknown_fields=True):
    code: Text32 = ""


class WorkerRef(msgspec.Struct):
    id: int
    username: str
    display_name: str


class CellAdminRead(msgspec.Struct):
    id: int
    code: str
    name: str
    township: str
    village: str | None
    active: bool
    workers: list[WorkerRef]


def _read(session: Session, cell: GridCell) -> CellAdminRead:
    workers = grid_cells.workers_of(session, [cell.id])[cell.id]
    return _as_read(cell, workers)


def _as_read(cell: GridCell, workers: list) -> CellAdminRead:
    return CellAdminRead(id=cell.id, code=cell.code, name=cell.name, township=cell.township, village=cell.village,
                         active=cell.active, workers=[WorkerRef(w.id, w.username, w.display_name) for w in workers])


def _row(code: str, data: CellFields) -> CellRow:
    """Cleaned as every typed text is (no control or invisible characters: a NUL would reach the database)."""
    names = tuple(dict.fromkeys(name for name in map(text.clean, data.workers) if name))
    return CellRow(code=text.clean(code), name=text.clean(data.name), township=text.clean(data.township),
                   village=text.optional(data.village), workers=names)


def _cell(session: Session, cell_id: int) -> GridCell:
    cell = session.get(GridCell, cell_id)
    if cell is None:
        raise NotFoundException(f"网格 {cell_id} 不存在")
    return cell


def _store(session: Session, row: CellRow) -> CellAdminRead:
    refuse_problems(grid_cells.check_cell(session, row))
    cell, _ = grid_cells.upsert_cell(session, row)
    session.commit()
    return _read(session, cell)


reference.AREA_USERS.append(grid_cells.area_users)


class GridCellController(Controller):
    path = "/api/admin/grid-cells"
    tags = ["admin"]
    exception_handlers = HANDLERS

    @get("/", guards=ADMIN, sync_to_thread=True)
    def list_cells(self, db_session: Session) -> list[CellAdminRead]:
        cells = db_session.scalars(select(GridCell).order_by(GridCell.township, GridCell.code)).all()
        workers = grid_cells.workers_of(db_session, [c.id for c in cells])
        return [_as_read(cell, workers[cell.id]) for cell in cells]

    @post("/", guards=ADMIN, sync_to_thread=True, status_code=201)
    def create_cell(self, data: CellCreate, db_session: Session) -> CellAdminRead:
        row = _row(data.code, data)
        reference.write_lock(db_session)
        if db_session.scalars(select(GridCell.id).where(GridCell.code == row.code)).first() is not None:
            raise conflict(f"网格编码「{row.code}」已存在")
        return _store(db_session, row)

    @put("/{cell_id:int}", guards=ADMIN, sync_to_thread=True)
    def edit_cell(self, cell_id: int, data: CellFields, db_session: Session) -> CellAdminRead:
        """The whole record: name, place and workers (a worker listed here leaves any other cell)."""
        reference.write_lock(db_session)
        return _store(db_session, _row(_cell(db_session, cell_id).code, data))

    @post("/{cell_id:int}/deactivate", guards=ADMIN, sync_to_thread=True, status_code=200)
    def deactivate(self, cell_id: int, db_session: Session) -> CellAdminRead:
        """Its workers can no longer report or read its tickets; its tickets go on being handled as before."""
        return self._set_active(db_session, cell_id, False)

    @post("/{cell_id:int}/reactivate", guards=ADMIN, sync_to_thread=True, status_code=200)
    def reactivate(self, cell_id: int, db_session: Session) -> CellAdminRead:
        return self._set_active(db_session, cell_id, True)

    @staticmethod
    def _set_active(session: Session, cell_id: int, active: bool) -> CellAdminRead:
        reference.write_lock(session)
        cell = _cell(session, cell_id)
        cell.active = active
        session.commit()
        return _read(session, cell)


ROUTES = [GridCellController]
