"""HTTP endpoints of 回访 (the callback queue and its calls) and 差评 review (verdict, 整改, 申诉)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.params import Parameter
from sqlalchemy.orm import Session

from dispatch import actions, callbacks, complaints
from dispatch.models import ComplaintReview
from dispatch.schemas import (
    AppealDecision,
    CallbackAttemptCreate,
    CallbackItem,
    ComplaintReviewRead,
    ReasonRequest,
    RectificationReport,
    ReviewDecision,
)
from hotline import access_log
from hotline.access import TicketNotFound, load_led_ticket
from hotline.clock import now
from hotline.controllers import full_ticket
from hotline.dependencies import roles
from hotline.models import Department, Ticket
from hotline.privacy import mask_name, mask_phone
from hotline.schemas import TicketRead
from hotline.views import sees_personal_data
from hotline.vocabulary import Role
from hotline.workflow import Actor

OPERATOR, HANDLER, COMMANDER = Role.OPERATOR, Role.HANDLER, Role.COMMANDER
CALLBACK_QUEUE = "callback_queue"  # hotline.access_log view: the queue shows callers' phones to call them


def review_read(session: Session, review: ComplaintReview, ticket: Ticket) -> ComplaintReviewRead:
    department = session.get(Department, review.department_id) if review.department_id else None
    return ComplaintReviewRead(
        id=review.id, ticket_number=ticket.number, department_id=review.department_id,
        department=department.name if department else None, satisfaction=review.satisfaction, solved=review.solved,
        contradictory=review.contradictory, opened_at=review.opened_at, due_at=review.due_at, status=review.status,
        status_label=complaints.STATUS_LABELS[review.status], verdict=review.verdict, remedy=review.remedy,
        decision_note=review.decision_note, rectify_due_at=review.rectify_due_at, rectification=review.rectification,
        rectified_at=review.rectified_at, appeal_due_at=review.appeal_due_at, appeal_status=review.appeal_status,
        appeal_reason=review.appeal_reason, appeal_note=review.appeal_note, counts=review.counts,
        content=ticket.content, reply=ticket.reply, rating_comment=ticket.rating_comment)


def _review_and_ticket(session: Session, review_id: int, actor: Actor) -> tuple[ComplaintReview, Ticket]:
    """The review and its ticket as this person may act on it: another unit's looks like an unknown one."""
    review = complaints.load(session, review_id)
    ticket = session.get(Ticket, review.ticket_id)
    try:
        ticket = load_led_ticket(session, ticket.number, actor)
    except TicketNotFound:
        raise complaints.ReviewNotFound(review_id) from None
    if actor.role == HANDLER and review.department_id != actor.department_id:
        raise complaints.ReviewNotFound(review_id)
    return review, ticket


class CallbackController(Controller):
    path = "/api"
    tags = ["callback"]

    @get("/callbacks", guards=[roles(OPERATOR, COMMANDER)], sync_to_thread=True)
    def queue(self, db_session: Session, request: Request) -> list[CallbackItem]:
        """回访 queue: open callbacks of 办结 tickets, overdue and due first. Whoever may see callers' data (the
        operator who calls) sees the phone, and the look-up is recorded; anyone else sees it masked."""
        personal = sees_personal_data(request.user)
        moment = now()
        rows = callbacks.queue(db_session)
        if personal:
            access_log.record(db_session, request.user, [t.id for _, t in rows], CALLBACK_QUEUE)
            db_session.commit()
        return [CallbackItem(
            number=t.number, title=t.title, content=t.content, reply=t.reply,
            department=t.lead_department.name if t.lead_department else None,
            caller_name=t.caller_name if personal else mask_name(t.caller_name),
            caller_phone=t.caller_phone if personal else mask_phone(t.caller_phone),
            closed_at=task.closed_at, due_at=task.due_at, overdue=moment > task.due_at, attempts=task.attempts,
            failed_attempts=task.failed_attempts, last_outcome=task.last_outcome) for task, t in rows]

    @post("/tickets/{number:str}/callback-attempts", guards=[roles(OPERATOR)], sync_to_thread=True, status_code=200)
    def attempt(self, number: str, data: CallbackAttemptCreate, db_session: Session, request: Request) -> TicketRead:
        """One call: 未接通/占线/拒绝回访 count towards 回访失败; 已接通 records the survey as the rating."""
        ticket = load_led_ticket(db_session, number, request.user)
        actions.record_callback(db_session, ticket, request.user, data.outcome, data.note, data.satisfaction,
                                data.solved, data.contacted)
        db_session.commit()
        return full_ticket(db_session, ticket, request.user)


class ComplaintReviewController(Controller):
    path = "/api/complaint-reviews"
    tags = ["complaint review"]

    @get("/", guards=[roles(COMMANDER, HANDLER)], sync_to_thread=True)
    def listing(self, db_session: Session, request: Request,
                status: Annotated[str | None, Parameter(max_length=16)] = None,
                department_id: int | None = None) -> list[ComplaintReviewRead]:
        """差评 reviews, earliest due first; by status and unit. A handler sees its own unit's only."""
        rows = complaints.listing(db_session, request.user, status, department_id)
        return [review_read(db_session, review, ticket) for review, ticket in rows]

    @post("/{review_id:int}/decision", guards=[roles(COMMANDER)], sync_to_thread=True, status_code=200)
    def decide(self, review_id: int, data: ReviewDecision, db_session: Session,
               request: Request) -> ComplaintReviewRead:
        """合理 → 整改 or 重办; 不合理 → dismissed with the reason."""
        review = actions.review_complaint(db_session, review_id, request.user, data.verdict, data.remedy, data.note)
        db_session.commit()
        return review_read(db_session, review, db_session.get(Ticket, review.ticket_id))

    @post("/{review_id:int}/rectification", guards=[roles(HANDLER)], sync_to_thread=True, status_code=200)
    def rectification(self, review_id: int, data: RectificationReport, db_session: Session,
                      request: Request) -> ComplaintReviewRead:
        review, ticket = _review_and_ticket(db_session, review_id, request.user)
        complaints.rectify(db_session, review, ticket, request.user, data.report)
        db_session.commit()
        return review_read(db_session, review, ticket)

    @post("/{review_id:int}/appeal", guards=[roles(HANDLER)], sync_to_thread=True, status_code=200)
    def appeal(self, review_id: int, data: ReasonRequest, db_session: Session,
               request: Request) -> ComplaintReviewRead:
        review, ticket = _review_and_ticket(db_session, review_id, request.user)
        complaints.appeal(db_session, review, ticket, request.user, data.reason)
        db_session.commit()
        return review_read(db_session, review, ticket)

    @post("/{review_id:int}/appeal/decision", guards=[roles(COMMANDER)], sync_to_thread=True, status_code=200)
    def decide_appeal(self, review_id: int, data: AppealDecision, db_session: Session,
                      request: Request) -> ComplaintReviewRead:
        review, ticket = _review_and_ticket(db_session, review_id, request.user)
        complaints.decide_appeal(db_session, review, ticket, request.user, data.grant, data.note)
        db_session.commit()
        return review_read(db_session, review, ticket)


ROUTES = [CallbackController, ComplaintReviewController]
