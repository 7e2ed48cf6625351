"""差评 review: a 不满意 rating, or 满意/基本满意 with 未解决 (contradictory), never closes silently.

Each opens a review due within the policy's working days. The commander judges it: 合理 with 整改 (the lead unit
reports what it rectified within its window) or 重办 (the existing reopening); 不合理, dismissed with a reason. The
lead unit may appeal a 合理 verdict once, within its window; a granted appeal takes the 差评 off the unit's record.
Every step is a ticket event; the review row says which step is due.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.models import ComplaintReview
from dispatch.policy import current_clock
from hotline.clock import now
from hotline.models import Ticket, TicketEvent
from hotline.vocabulary import Action, Role, Satisfaction, Solved
from hotline.workflow import SYSTEM_ACTOR, Actor, TransitionRefused, apply

PENDING, RECTIFYING, RECTIFIED, REOPENED, DISMISSED = "pending", "rectifying", "rectified", "reopened", "dismissed"
REASONABLE, UNREASONABLE = "reasonable", "unreasonable"
RECTIFY, REOPEN = "rectify", "reopen"
APPEAL_PENDING, UPHELD, GRANTED = "pending", "upheld", "granted"
STATUS_LABELS = {PENDING: "待核查", RECTIFYING: "整改中", RECTIFIED: "已整改", REOPENED: "已重办",
                 DISMISSED: "不予采信"}
APPEAL_LABELS = {APPEAL_PENDING: "申诉待裁定", UPHELD: "申诉驳回", GRANTED: "申诉成立"}


class ReviewNotFound(Exception):
    def __init__(self, review_id: int) -> None:
        super().__init__(f"差评核查单 {review_id} 不存在")


def needs_review(satisfaction: str, solved: str) -> bool:
    return satisfaction == Satisfaction.UNSATISFIED or solved == Solved.UNSOLVED


def open_if_due(session: Session, ticket: Ticket, rating: TicketEvent) -> ComplaintReview | None:
    """After a rating: a review for a 差评 or a contradictory rating, due by the policy's working days."""
    satisfaction, solved = ticket.satisfaction or "", ticket.solved or ""
    if not needs_review(satisfaction, solved):
        return None
    session.flush()  # the rating event's id
    clock = current_clock(session)
    moment = now()
    review = ComplaintReview(
        ticket_id=ticket.id, rating_event_id=rating.id, department_id=ticket.lead_department_id,
        satisfaction=satisfaction, solved=solved, contradictory=satisfaction != Satisfaction.UNSATISFIED,
        opened_at=moment, due_at=clock.calendar.add_working_days(moment, clock.rules.complaint_review_working_days),
        status=PENDING, counts=True)
    session.add(review)
    session.flush()
    apply(session, ticket, Action.COMPLAINT_OPENED, SYSTEM_ACTOR, department_id=ticket.lead_department_id, data={
        "review_id": review.id, "contradictory": review.contradictory, "due_at": review.due_at.isoformat()})
    return review


def pending_for(session: Session, ticket_id: int) -> ComplaintReview | None:
    """A review not yet judged: the ticket may not be archived past it."""
    return session.scalars(select(ComplaintReview).where(ComplaintReview.ticket_id == ticket_id,
                                                         ComplaintReview.status == PENDING)).first()


def load(session: Session, review_id: int) -> ComplaintReview:
    review = session.get(ComplaintReview, review_id)
    if review is None:
        raise ReviewNotFound(review_id)
    return review


def _refuse(ticket: Ticket, action: Action, actor: Actor, reason: str) -> TransitionRefused:
    return TransitionRefused(ticket, action, reason, role=actor.role)


def decide(session: Session, review: ComplaintReview, ticket: Ticket, actor: Actor, verdict: str,
           remedy: str | None, note: str | None) -> None:
    """The commander's verdict, once. A 重办 is taken by the caller through dispatch.actions.reopen."""
    if review.status != PENDING:
        raise _refuse(ticket, Action.COMPLAINT_REVIEW, actor, "该差评已核查过，不能重复核查")
    clock = current_clock(session)
    moment = now()
    review.verdict, review.remedy, review.decision_note = verdict, remedy, note
    review.decided_at, review.decided_by = moment, actor.id
    data: dict[str, object] = {"review_id": review.id, "verdict": verdict, "remedy": remedy}
    if verdict == UNREASONABLE:
        review.status, review.counts = DISMISSED, False
    else:
        review.appeal_due_at = clock.calendar.add_working_days(moment, clock.rules.appeal_working_days)
        data["appeal_due_at"] = review.appeal_due_at.isoformat()
        if remedy == RECTIFY:
            review.status = RECTIFYING
            review.rectify_due_at = clock.calendar.add_working_days(moment, clock.rules.rectification_working_days)
            data["rectify_due_at"] = review.rectify_due_at.isoformat()
        else:
            review.status = REOPENED
    apply(session, ticket, Action.COMPLAINT_REVIEW, actor, note=note, department_id=review.department_id, data=data)


def rectify(session: Session, review: ComplaintReview, ticket: Ticket, actor: Actor, report: str) -> None:
    """整改反馈 by the lead unit's handler, once; a late report is taken and recorded as late."""
    _own_unit(review, ticket, actor, Action.RECTIFICATION)
    if review.status != RECTIFYING:
        raise _refuse(ticket, Action.RECTIFICATION, actor,
                      "该差评已反馈整改情况" if review.status == RECTIFIED else "该差评无需整改反馈")
    moment = now()
    on_time = review.rectify_due_at is None or moment <= review.rectify_due_at
    review.status, review.rectification, review.rectified_at, review.rectified_by = RECTIFIED, report, moment, actor.id
    apply(session, ticket, Action.RECTIFICATION, actor, note=report, department_id=review.department_id,
          data={"review_id": review.id, "on_time": on_time})


def appeal(session: Session, review: ComplaintReview, ticket: Ticket, actor: Actor, reason: str) -> None:
    """申诉: once per review, only against a 合理 verdict, within the window after it."""
    _own_unit(review, ticket, actor, Action.APPEAL)
    if review.appeal_status is not None:
        raise _refuse(ticket, Action.APPEAL, actor, "每条差评只能申诉一次")
    if review.verdict != REASONABLE:
        raise _refuse(ticket, Action.APPEAL, actor, "只有核查认定为合理的差评才能申诉")
    if review.appeal_due_at is not None and now() > review.appeal_due_at:
        raise _refuse(ticket, Action.APPEAL, actor, "已超过申诉期限")
    review.appeal_status, review.appeal_reason, review.appealed_at, review.appealed_by = (
        APPEAL_PENDING, reason, now(), actor.id)
    apply(session, ticket, Action.APPEAL, actor, note=reason, department_id=review.department_id,
          data={"review_id": review.id})


def decide_appeal(session: Session, review: ComplaintReview, ticket: Ticket, actor: Actor, grant: bool,
                  note: str | None) -> None:
    if review.appeal_status != APPEAL_PENDING:
        raise _refuse(ticket, Action.APPEAL_DECISION, actor,
                      "该申诉已裁定" if review.appeal_status else "该差评没有待裁定的申诉")
    review.appeal_status = GRANTED if grant else UPHELD
    review.appeal_note, review.appeal_decided_at, review.appeal_decided_by = note, now(), actor.id
    if grant:
        review.counts = False
    apply(session, ticket, Action.APPEAL_DECISION, actor, note=note, department_id=review.department_id,
          data={"review_id": review.id, "granted": grant})


def _own_unit(review: ComplaintReview, ticket: Ticket, actor: Actor, action: Action) -> None:
    """Only the lead unit's handler reports or appeals (the caller loads the ticket as led: another's is a 404)."""
    if actor.role != Role.HANDLER or review.department_id != actor.department_id:
        raise _refuse(ticket, action, actor, "只有主办单位可以办理此差评")


def listing(session: Session, actor: Actor, status: str | None, department_id: int | None,
            limit: int = 500) -> list[tuple[ComplaintReview, Ticket]]:
    """The queue, earliest due first; a handler sees only its own unit's."""
    query = select(ComplaintReview, Ticket).join(Ticket, Ticket.id == ComplaintReview.ticket_id)
    if actor.role == Role.HANDLER:
        department_id = actor.department_id
    if department_id is not None:
        query = query.where(ComplaintReview.department_id == department_id)
    if status is not None:
        query = query.where(ComplaintReview.status == status)
    query = query.order_by(ComplaintReview.due_at, ComplaintReview.id).limit(limit)
    return [(review, ticket) for review, ticket in session.execute(query)]
