"""HTTP endpoints of the grid worker's page (/grid): their cell, a report, the cell's tickets, 核查.

Only the 网格员 role; each answer is cut to the worker's own cell (hotline.access), so another cell's ticket
answers 404 exactly as an unknown number does. Photos go through the attachment API like everyone's.
"""

from __future__ import annotations

from litestar import Controller, Request, get, post
from sqlalchemy.orm import Session

from dispatch import grid_check
from dispatch.grid_check import GridCheck
from hotline import grid_reports
from hotline.access import load_ticket
from hotline.dependencies import roles
from hotline.grid_reports import CellRead, GridReport, GridTicketRead
from hotline.vocabulary import Role

GRID = [roles(Role.GRID)]


class GridController(Controller):
    path = "/api/grid"
    tags = ["grid"]

    @get("/me", guards=GRID, sync_to_thread=True)
    def my_cell(self, request: Request, db_session: Session) -> CellRead:
        return grid_reports.cell_read(grid_reports.require_cell(db_session, request.user))

    @post("/reports", guards=GRID, sync_to_thread=True, status_code=201)
    def report(self, data: GridReport, request: Request, db_session: Session) -> GridTicketRead:
        """网格上报: a ticket of the 网格上报 channel in the worker's cell, routed like any other."""
        ticket = grid_reports.report(db_session, request.user, data)
        db_session.commit()
        return grid_reports.grid_ticket(db_session, ticket)

    @get("/tickets", guards=GRID, sync_to_thread=True)
    def tickets(self, request: Request, db_session: Session) -> list[GridTicketRead]:
        return [grid_reports.grid_ticket(db_session, t) for t in grid_reports.cell_tickets(db_session, request.user)]

    @get("/tickets/{number:str}", guards=GRID, sync_to_thread=True)
    def ticket(self, number: str, request: Request, db_session: Session) -> GridTicketRead:
        grid_reports.require_cell(db_session, request.user)
        return grid_reports.grid_ticket(db_session, load_ticket(db_session, number[:32], request.user), full=True)

    @post("/tickets/{number:str}/check", guards=GRID, sync_to_thread=True, status_code=200)
    def check(self, number: str, data: GridCheck, request: Request, db_session: Session) -> GridTicketRead:
        """核查通过 or 核查未通过 with what is still wrong (dispatch.grid_check)."""
        grid_reports.require_cell(db_session, request.user)
        ticket = load_ticket(db_session, number[:32], request.user)
        grid_check.check(db_session, ticket, request.user, data)
        db_session.commit()
        return grid_reports.grid_ticket(db_session, ticket, full=True)


ROUTES = [GridController]
