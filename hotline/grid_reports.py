"""A grid worker's reports (网格上报) and what they read of their cell's tickets.

A report is a ticket of its own channel (``grid``) that goes through the normal intake: numbered, received and
submitted by the worker, then routed by the classifier like any letter. Its place is the worker's cell (its
township and village), never typed, plus the phone's position. The worker reads the cell's tickets without the
internal notes: the public steps, the unit's reply and the 核查 results.
"""

from __future__ import annotations

from datetime import datetime

import msgspec
from litestar.exceptions import PermissionDeniedException
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline import attachments, intake, text
from hotline.access import visible_tickets
from hotline.grid_cells import GridCell, TicketGrid, cell_of
from hotline.models import Staff, Ticket, TicketEvent
from hotline.schemas import Address, AttachmentRead, CallCreate, Content, IdempotencyKey, Latitude, Longitude
from hotline.views import public_text
from hotline.vocabulary import Action, Channel, Status, TicketType, Urgency
from hotline.workflow import Actor, apply

REPORT_TYPES = (TicketType.HELP, TicketType.COMPLAINT, TicketType.SUGGESTION, TicketType.REPORT,
                TicketType.CONSULTATION)
LIST_LIMIT = 200


class GridReport(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """What the worker sends from the street; the place comes from their cell."""

    content: Content
    address: Address | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    type: TicketType = TicketType.HELP
    urgency: Urgency = Urgency.NORMAL
    idempotency_key: IdempotencyKey | None = None

    def __post_init__(self) -> None:
        self.content = text.required(self.content, "事件描述")
        self.address = text.optional(self.address)
        if self.type not in REPORT_TYPES:
            raise ValueError("网格上报的类型只能是求助、投诉、建议、举报或咨询")
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("经纬度需要同时填写")


class CellRead(msgspec.Struct):
    code: str
    name: str
    township: str
    village: str | None


class GridStep(msgspec.Struct):
    time: datetime
    text: str


class GridCheckRead(msgspec.Struct):
    passed: bool
    comment: str | None
    at: datetime


class GridTicketRead(msgspec.Struct):
    number: str
    status: str
    status_label: str
    content: str
    type_label: str
    address: str | None
    township: str | None
    village: str | None
    latitude: float | None
    longitude: float | None
    created_at: datetime
    closed_at: datetime | None
    department: str | None
    reply: str | None
    can_check: bool  # closed, and this closure not yet checked
    last_check: GridCheckRead | None = None
    attachments: list[AttachmentRead] | None = None
    timeline: list[GridStep] | None = None


def require_cell(session: Session, actor: Actor) -> GridCell:
    """A grid worker without an active cell can do nothing here: told so, in Chinese (403)."""
    cell = cell_of(session, actor.id)
    if cell is None:
        raise PermissionDeniedException("该账号尚未分配网格（或所在网格已停用），请联系管理员")
    return cell


def cell_read(cell: GridCell) -> CellRead:
    return CellRead(code=cell.code, name=cell.name, township=cell.township, village=cell.village)


def report(session: Session, actor: Actor, data: GridReport) -> Ticket:
    """The worker's report as a ticket: received and submitted in their name, then routed as any other."""
    cell = require_cell(session, actor)
    worker = session.get(Staff, actor.id)
    call = CallCreate(content=data.content, channel=Channel.GRID, type=data.type, urgency=data.urgency,
                      caller_name=worker.display_name if worker else None,
                      caller_phone=worker.phone if worker else None, township=cell.township, village=cell.village,
                      address=data.address, latitude=data.latitude, longitude=data.longitude,
                      idempotency_key=data.idempotency_key)
    ticket = intake.prepare_call(session, call, actor)
    apply(session, ticket, Action.SUBMIT, actor)
    intake.store_one(session, ticket)
    session.add(TicketGrid(ticket_id=ticket.id, grid_cell_id=cell.id, reported_by=actor.id))
    session.flush()
    return ticket


def cell_tickets(session: Session, actor: Actor) -> list[Ticket]:
    """The cell's tickets, newest first (a cell's few hundred recent reports, not its whole history)."""
    require_cell(session, actor)
    return list(session.scalars(visible_tickets(actor).order_by(Ticket.id.desc()).limit(LIST_LIMIT)))


def last_check(session: Session, ticket: Ticket) -> TicketEvent | None:
    """The latest check. A plain select: `ticket.events.select()` already orders by id ascending, which an added
    descending order would only follow."""
    return session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id,
                                                     TicketEvent.action == Action.GRID_CHECK)
                           .order_by(TicketEvent.id.desc()).limit(1)).first()


def checked_this_closure(event: TicketEvent | None, ticket: Ticket) -> bool:
    return event is not None and ticket.closed_at is not None and event.created_at >= ticket.closed_at


def step_text(event: TicketEvent) -> str | None:
    """The public sentence, plus what a grid worker did: their photos and their checks."""
    if event.action == Action.GRID_CHECK:
        if event.data.get("passed"):
            return "网格员现场核查通过"
        return f"网格员现场核查未通过：{event.note or ''}，已退回{event.data.get('department', '承办单位')}重新办理"
    if event.action == Action.ATTACH and event.actor_role != "citizen":
        return "已上传照片"
    if event.action == Action.RECEIVE:
        return "网格上报已受理"
    return public_text(event)


def grid_ticket(session: Session, ticket: Ticket, *, full: bool = False) -> GridTicketRead:
    check = last_check(session, ticket)
    read = GridTicketRead(
        number=ticket.number, status=ticket.status, status_label=Status(ticket.status).label,
        content=ticket.content, type_label=TicketType(ticket.type).label, address=ticket.address,
        township=ticket.township, village=ticket.village, latitude=ticket.latitude, longitude=ticket.longitude,
        created_at=ticket.created_at, closed_at=ticket.closed_at,
        department=ticket.lead_department.name if ticket.lead_department else None,
        reply=ticket.reply if ticket.status != Status.PENDING_REVIEW else None,
        can_check=ticket.status == Status.CLOSED and not checked_this_closure(check, ticket),
        last_check=GridCheckRead(passed=bool(check.data.get("passed")), comment=check.note, at=check.created_at)
        if check is not None else None,
    )
    if full:
        events = session.scalars(ticket.events.select()).all()  # in id order
        read.timeline = [GridStep(time=e.created_at, text=t) for e in events if (t := step_text(e)) is not None]
        read.attachments = attachments.for_ticket(session, ticket)
    return read


def reported_cell(session: Session, ticket_id: int) -> int | None:
    return session.scalar(select(TicketGrid.grid_cell_id).where(TicketGrid.ticket_id == ticket_id))
