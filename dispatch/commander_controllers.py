"""The command center's desk: manual dispatch queue, return disputes, extension requests, supervision."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch import actions, gate, routing, supervision
from dispatch.models import SupervisionNotice
from dispatch.schemas import GateRead, NoticeRead, NoticeResponse, QueueItem, SuperviseRequest
from hotline.access import load_ticket
from hotline.clock import now
from hotline.dependencies import roles
from hotline.models import Department, Ticket, TicketEvent
from hotline.redaction import redact
from hotline.settings import get_settings
from hotline.views import known_people, sees_personal_data
from hotline.vocabulary import Action, Role, Status
from hotline.workflow import last_event

COMMANDER, HANDLER, LEADER = Role.COMMANDER, Role.HANDLER, Role.LEADER


def _item(ticket: Ticket, **extra: object) -> QueueItem:
    return QueueItem(number=ticket.number, status=ticket.status, content=ticket.content, township=ticket.township,
                     created_at=ticket.created_at,
                     department=ticket.lead_department.name if ticket.lead_department else None,
                     suggested_category=ticket.suggested_category, confidence=ticket.confidence,
                     manual_review=ticket.manual_review, emergency_kind=ticket.emergency_kind, **extra)


def _manual_reasons(session: Session, ticket_ids: list[int]) -> dict[int, str]:
    """Why routing left each ticket to a person (its last 转人工 event), in one query: the commander reads, for
    instance, that the category's auto-dispatch has not reached its precision target yet."""
    if not ticket_ids:
        return {}
    events = session.execute(select(TicketEvent.ticket_id, TicketEvent.data)
                             .where(TicketEvent.ticket_id.in_(ticket_ids), TicketEvent.action == Action.MANUAL_REVIEW)
                             .order_by(TicketEvent.id))
    return {ticket_id: "；".join((data or {}).get("reasons", [])) for ticket_id, data in events}


def _duplicate_targets(session: Session, ticket_ids: list[int]) -> dict[int, str]:
    """For each ticket routing took for a likely duplicate, the number of the open ticket it is most like (its
    last 疑似重复 proposal): the commander merges into it without looking the number up."""
    if not ticket_ids:
        return {}
    events = session.execute(select(TicketEvent.ticket_id, TicketEvent.data)
                             .where(TicketEvent.ticket_id.in_(ticket_ids), TicketEvent.action == Action.PROPOSE_MERGE)
                             .order_by(TicketEvent.id))
    best = {}
    for ticket_id, data in events:
        if candidates := (data or {}).get("candidates"):
            best[ticket_id] = max(candidates, key=lambda c: c.get("score", 0))["number"]
    return best


def notice_read(session: Session, notice: SupervisionNotice, *, personal: bool = True) -> NoticeRead:
    """A supervision notice; for the auditor its message and the department's response are redacted."""
    department = session.get(Department, notice.department_id) if notice.department_id else None
    ticket = session.get(Ticket, notice.ticket_id)
    known = {} if personal else known_people(ticket)
    return NoticeRead(id=notice.id, ticket_number=ticket.number, kind=notice.kind,
                      message=notice.message if personal else redact(notice.message, **known) or "",
                      department=department.name if department else None,
                      respond_by=notice.respond_by, response=notice.response if personal else redact(notice.response, **known),
                      responded_at=notice.responded_at, created_at=notice.created_at,
                      document_number=notice.document_number, overdue=supervision.is_overdue(notice, now()),
                      reminded_at=notice.reminded_at)


class QueueController(Controller):
    path = "/api/queues"
    tags = ["command center"]

    # guards per handler, not per controller: a controller's guards also run on the automatic OPTIONS answer
    @get("/manual-dispatch", sync_to_thread=True, guards=[roles(COMMANDER, Role.OPERATOR, LEADER)])
    def manual_dispatch(self, db_session: Session) -> list[QueueItem]:
        """待人工分拨: tickets the classifier was unsure of first, then anything else awaiting dispatch."""
        rows = list(db_session.scalars(select(Ticket).where(Ticket.status == Status.PENDING_DISPATCH)
                                       .order_by(Ticket.manual_review.desc(), Ticket.created_at).limit(500)))
        flagged = [t.id for t in rows if t.manual_review]
        why, like = _manual_reasons(db_session, flagged), _duplicate_targets(db_session, flagged)
        return [_item(t, reason=why.get(t.id), duplicate_of=like.get(t.id)) for t in rows]

    @get("/returns", sync_to_thread=True, guards=[roles(COMMANDER, LEADER)])
    def returns(self, db_session: Session) -> list[QueueItem]:
        """退单 disputes: each with the department's reason, to accept (改派) or overrule (强制派单)."""
        rows = db_session.scalars(select(Ticket).where(Ticket.status == Status.RETURNED).order_by(Ticket.updated_at))
        return [_item(t, reason=(e.note if (e := last_event(db_session, t, Action.RETURN)) else None)) for t in rows]

    @get("/extensions", sync_to_thread=True, guards=[roles(COMMANDER, LEADER)])
    def extensions(self, db_session: Session) -> list[QueueItem]:
        rows = db_session.scalars(select(Ticket).where(Ticket.status == Status.EXTENSION_PENDING)
                                  .order_by(Ticket.due_at))
        items = []
        for ticket in rows:
            event = last_event(db_session, ticket, Action.REQUEST_EXTENSION)
            items.append(_item(ticket, reason=event.note if event else None,
                               extension_days=event.data.get("days") if event else None))
        return items


class SupervisionController(Controller):
    path = "/api"
    tags = ["command center"]

    @post("/tickets/{number:str}/supervise", guards=[roles(COMMANDER)], sync_to_thread=True)
    def supervise(self, number: str, data: SuperviseRequest, db_session: Session, request: Request) -> NoticeRead:
        """A commander's own 督办, with a required written response."""
        ticket = load_ticket(db_session, number, request.user)
        notice = actions.supervise(db_session, ticket, request.user, data.message, data.respond_within_days)
        db_session.commit()
        return notice_read(db_session, notice)

    @get("/supervision", guards=[roles(COMMANDER, HANDLER, Role.AUDITOR, LEADER)], sync_to_thread=True)
    def open_notices(self, db_session: Session, request: Request) -> list[NoticeRead]:
        personal = sees_personal_data(request.user)
        return [notice_read(db_session, n, personal=personal)
                for n in supervision.open_notices(db_session, request.user)]

    @post("/supervision/{notice_id:int}/response", guards=[roles(HANDLER)], sync_to_thread=True, status_code=200)
    def respond(self, notice_id: int, data: NoticeResponse, db_session: Session, request: Request) -> NoticeRead:
        notice = actions.answer_notice(db_session, notice_id, request.user, data.response)
        db_session.commit()
        return notice_read(db_session, notice)


class GateController(Controller):
    path = "/api/routing-gate"
    tags = ["command center"]

    @get("/", guards=[roles(COMMANDER)], sync_to_thread=True)
    def standings(self, db_session: Session) -> GateRead:
        """Per category, the routing model's live precision as people judged it and whether the category is
        dispatched without a person yet (dispatch.gate); for the promoted model's family."""
        rules = get_settings().gate
        family = routing.current_family()
        return GateRead(family=family, target_precision=rules.target_precision, min_judged=rules.min_judged,
                        z=rules.z, categories=gate.standings(db_session, family))


ROUTES = [QueueController, SupervisionController, GateController]
