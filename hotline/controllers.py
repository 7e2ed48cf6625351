"""HTTP endpoints of hotline/: sign-in, intake, staff ticket views, audit log, citizen lookup."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from anyio import to_thread
from litestar import Controller, Request, get, post
from litestar.exceptions import NotAuthorizedException
from litestar.params import Parameter
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline import (
    abuse,
    access_log,
    admin_controllers,
    attachment_controllers,
    attachments,
    block_controllers,
    citizen,
    co_units,
    intake,
    login_guard,
    search_controllers,
    staff_controllers,
)
from hotline.access import load_ticket, visible_tickets
from hotline.accounts import check_password
from hotline.client_address import client_address
from hotline.clock import now
from hotline.dependencies import roles
from hotline.models import Area, LoginEvent, Staff, Ticket, TicketEvent
from hotline.schemas import (
    MAX_BIG_ID,
    AccessRead,
    AreaRead,
    CallCreate,
    EventRead,
    LetterCreate,
    LoginEventRead,
    LoginRequest,
    LoginResponse,
    LookupRequest,
    PublicTicket,
    Receipt,
    StaffRead,
    TicketRead,
)
from hotline.settings import get_settings
from hotline.views import (
    co_unit_reads,
    department_names,
    department_ref,
    event_read,
    known_people,
    sees_personal_data,
    ticket_read,
)
from hotline.vocabulary import Action, Role, Status
from hotline.workflow import Actor

STAFF = (Role.OPERATOR, Role.HANDLER, Role.COMMANDER, Role.ADMIN, Role.AUDITOR, Role.LEADER)


def _receipt(ticket: Ticket) -> Receipt:
    return Receipt(
        number=ticket.number,
        query_code=ticket.query_code,
        status=ticket.status,
        status_label=Status(ticket.status).label,
        message=intake.receipt_text(ticket),
    )


def full_ticket(session: Session, ticket: Ticket, reader: Actor, view: str = access_log.ACTION) -> TicketRead:
    """The staff view with the internal timeline (every event, with notes). A reader who gets the caller's fields
    in full leaves an access record, committed here (hotline.access_log)."""
    if sees_personal_data(reader):
        access_log.record(session, reader, [ticket.id], view)
        session.commit()
    names, personal = department_names(session), sees_personal_data(reader)
    known = None if personal else known_people(ticket)
    recorded = list(session.scalars(ticket.events.select()))
    events = [event_read(e, names, personal=personal, known=known) for e in recorded]
    parent = session.get(Ticket, ticket.parent_id).number if ticket.parent_id else None
    read = ticket_read(ticket, reader, parent_number=parent, events=events)
    read.co_units = co_unit_reads(units := co_units.progress(ticket, recorded), ticket, now(), personal=personal,
                                  known=known or {})
    read.attachments = attachments.for_ticket(session, ticket)
    if any(u.department_id == reader.department_id and u.report is not None for u in units):
        read.allowed_actions = [a for a in read.allowed_actions if a != Action.CO_REPORT]  # reported this round
    return read


def staff_read(staff: Staff) -> StaffRead:
    return StaffRead(
        id=staff.id,
        username=staff.username,
        display_name=staff.display_name,
        role=staff.role,
        role_label=Role(staff.role).label,
        department=department_ref(staff.department),
    )


class AuthController(Controller):
    path = "/api/auth"
    tags = ["auth"]

    @post("/login", sync_to_thread=True, status_code=200)
    def login(self, data: LoginRequest, db_session: Session, request: Request) -> LoginResponse:
        """Throttled per username and per address, locked after repeated failures (hotline.login_guard)."""
        address = client_address(request)
        login_guard.check(data.username, address)
        staff, correct = check_password(db_session, data.username, data.password)
        if staff is None or not correct:
            login_guard.failed(db_session, data.username, staff, address)
            raise NotAuthorizedException("用户名或密码不正确")
        login_guard.succeeded(db_session, data.username, staff, address)
        auth = request.app.state.jwt_auth
        expires = now() + timedelta(hours=get_settings().token_hours)
        token = auth.create_token(
            identifier=str(staff.id),
            token_expiration=expires - now(),
            token_extras={"role": staff.role, "dept": staff.department_id, "name": staff.display_name,
                          "ver": staff.token_version},  # hotline.token_versions: revoked when raised
        )
        return LoginResponse(access_token=token, token_type="Bearer", expires_at=expires, staff=staff_read(staff))


class StaffTicketController(Controller):
    path = "/api/tickets"
    tags = ["tickets"]

    @post("/", guards=[roles(Role.OPERATOR)])
    async def record_call(self, data: CallCreate, request: Request) -> Receipt:
        """An operator records a call; the caller hears the number and the query code."""
        operator = request.user
        ticket = await request.app.state.group_commit.submit(lambda session: intake.prepare_call(session, data, operator))
        return _receipt(ticket)

    @get("/", guards=[roles(*STAFF)], sync_to_thread=True)
    def list_tickets(
        self,
        db_session: Session,
        request: Request,
        status: Status | None = None,
        limit: Annotated[int, Parameter(ge=1, le=200)] = 50,
        before_id: Annotated[int, Parameter(ge=1, le=MAX_BIG_ID)] | None = None,
    ) -> list[TicketRead]:
        query = visible_tickets(request.user).order_by(Ticket.id.desc()).limit(limit)
        if status is not None:
            query = query.where(Ticket.status == status)
        if before_id is not None:
            query = query.where(Ticket.id < before_id)
        tickets = list(db_session.scalars(query))
        if sees_personal_data(request.user):
            access_log.record(db_session, request.user, [t.id for t in tickets], access_log.LIST)
            db_session.commit()
        return [ticket_read(t, request.user) for t in tickets]

    @get("/{number:str}", guards=[roles(*STAFF)], sync_to_thread=True)
    def show(self, number: str, db_session: Session, request: Request) -> TicketRead:
        return full_ticket(db_session, load_ticket(db_session, number, request.user), request.user, access_log.DETAIL)


class AuditController(Controller):
    path = "/api/audit"
    tags = ["audit"]

    # The guard on the handler, not the controller: a controller's guards also run for the automatic OPTIONS
    # answer, which the sign-in middleware lets through unauthenticated (a 500 on "no user").
    @get("/events", sync_to_thread=True, guards=[roles(Role.AUDITOR, Role.ADMIN, Role.COMMANDER)])
    def events(
        self,
        db_session: Session,
        request: Request,
        after_id: Annotated[int, Parameter(ge=0, le=MAX_BIG_ID)] = 0,
        limit: Annotated[int, Parameter(ge=1, le=1000)] = 200,
        ticket: str | None = None,
    ) -> list[EventRead]:
        """The append-only log (电子监察), oldest first, paged by id."""
        query = (select(TicketEvent, Ticket.caller_name, Ticket.caller_phone, Ticket.content)
                 .join(Ticket, Ticket.id == TicketEvent.ticket_id)
                 .where(TicketEvent.id > after_id).order_by(TicketEvent.id).limit(limit))
        if ticket is not None:
            query = query.where(Ticket.number == ticket)
        names, personal = department_names(db_session), sees_personal_data(request.user)
        known: dict[int, dict] = {}  # per ticket: a page holds many events of one ticket, its content read once

        def people(row) -> dict | None:
            if personal:
                return None
            if row.TicketEvent.ticket_id not in known:
                known[row.TicketEvent.ticket_id] = known_people(row)
            return known[row.TicketEvent.ticket_id]

        return [event_read(row.TicketEvent, names, personal=personal, known=people(row))
                for row in db_session.execute(query)]


    @get("/access", sync_to_thread=True, guards=[roles(Role.AUDITOR, Role.ADMIN)])
    def access(
        self,
        db_session: Session,
        ticket: str | None = None,
        staff: str | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        before_id: Annotated[int, Parameter(ge=1, le=MAX_BIG_ID)] | None = None,
        limit: Annotated[int, Parameter(ge=1, le=1000)] = 200,
    ) -> list[AccessRead]:
        """Who read which ticket's caller fields in full, newest first; page on with before_id = the last id."""
        query = access_log.listing(ticket, staff, date_from, date_to, before_id, limit)
        return [AccessRead(id=row.id, at=row.at, ticket=number, staff_id=row.staff_id, staff=username,
                           staff_name=display_name, staff_role=row.staff_role, view=row.view)
                for row, number, username, display_name in db_session.execute(query)]

    @get("/logins", sync_to_thread=True, guards=[roles(Role.AUDITOR, Role.ADMIN)])
    def logins(
        self,
        db_session: Session,
        after_id: Annotated[int, Parameter(ge=0, le=MAX_BIG_ID)] = 0,
        limit: Annotated[int, Parameter(ge=1, le=1000)] = 200,
    ) -> list[LoginEventRead]:
        """Sign-ins, failures and locks (hotline.login_guard), oldest first, paged by id."""
        query = select(LoginEvent).where(LoginEvent.id > after_id).order_by(LoginEvent.id).limit(limit)
        return [LoginEventRead(id=e.id, at=e.created_at, username=e.username, staff_id=e.staff_id,
                               address=e.address, outcome=e.outcome) for e in db_session.scalars(query)]


class ReferenceController(Controller):
    path = "/api/reference"
    tags = ["reference"]

    @get("/areas", sync_to_thread=True, cache=60)
    def areas(self, db_session: Session) -> list[AreaRead]:
        """Townships and their villages, for the address pickers (public: citizens pick too)."""
        rows = db_session.scalars(select(Area).order_by(Area.id)).all()
        by_id = {a.id: AreaRead(township=a.name, villages=[]) for a in rows if a.kind == "township"}
        for area in rows:
            if area.parent_id in by_id:
                by_id[area.parent_id].villages.append(area.name)
        return list(by_id.values())

    @get("/me", sync_to_thread=True, guards=[roles(*STAFF)])
    def me(self, db_session: Session, request: Request) -> StaffRead:
        return staff_read(db_session.get(Staff, request.user.id))


class PublicController(Controller):
    """No account: citizens send letters and look tickets up (throttled). Rating is in dispatch.controllers."""

    path = "/api/public"
    tags = ["public"]

    @post("/letters")
    async def send_letter(self, data: LetterCreate, request: Request) -> Receipt:
        """Throttled per client address and per phone, and refused for a phone on the block list (hotline.abuse)."""
        await to_thread.run_sync(abuse.admit_address, client_address(request))
        ticket = await request.app.state.group_commit.submit(
            lambda session: intake.prepare_letter(session, data, public=True))
        await to_thread.run_sync(abuse.letter_stored, data.phone)
        return _receipt(ticket)

    @post("/lookup", sync_to_thread=True, status_code=200)
    def lookup(self, data: LookupRequest, db_session: Session) -> PublicTicket:
        return citizen.look_up(db_session, data.number, data.query_code)


ROUTES = [AuthController, *search_controllers.ROUTES, StaffTicketController, *attachment_controllers.ROUTES, AuditController, ReferenceController,
          PublicController, *admin_controllers.ROUTES, *staff_controllers.ROUTES, *block_controllers.ROUTES]
