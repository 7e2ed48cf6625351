"""Supervision notices a person issues or answers: a commander's 催办/督办, a department's written reply."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.followup import notice as issue_notice
from dispatch.models import SupervisionNotice
from dispatch.policy import clock_for
from hotline.access import TicketNotFound, load_ticket
from hotline.clock import now
from hotline.models import Ticket
from hotline.vocabulary import Action, Role
from hotline.workflow import Actor, TransitionRefused, apply


class NoticeNotFound(Exception):
    def __init__(self, notice_id: int) -> None:
        super().__init__(f"督办单 {notice_id} 不存在")


def supervise(session: Session, ticket: Ticket, commander: Actor, message: str, respond_within_days: int,
              kind: Action = Action.SUPERVISE) -> SupervisionNotice:
    """A commander's own notice, with the working days the department has to answer in writing."""
    respond_by = clock_for(session, ticket.policy_version).respond_by(now(), respond_within_days)
    apply(session, ticket, kind, commander, note=message, data={"message": message,
                                                                 "respond_by": respond_by.isoformat()})
    notice = issue_notice(session, ticket, "manual", message, respond_by, actor=commander)
    session.flush()
    return notice


def load_notice(session: Session, notice_id: int, actor: Actor) -> tuple[SupervisionNotice, Ticket]:
    """A handler reaches only its own department's notices; anything else looks unknown."""
    notice = session.get(SupervisionNotice, notice_id)
    if notice is None or (actor.role == Role.HANDLER and notice.department_id != actor.department_id):
        raise NoticeNotFound(notice_id)
    ticket = session.get(Ticket, notice.ticket_id)
    try:
        load_ticket(session, ticket.number, actor)
    except TicketNotFound:
        raise NoticeNotFound(notice_id) from None
    return notice, ticket


def respond(session: Session, notice_id: int, handler: Actor, response: str) -> SupervisionNotice:
    notice, ticket = load_notice(session, notice_id, handler)
    if notice.responded_at is not None:
        raise TransitionRefused(ticket, Action.SUPERVISION_RESPONSE, "该督办单已经回复过", role=handler.role)
    notice.response, notice.responded_at, notice.responded_by = response, now(), handler.id
    apply(session, ticket, Action.SUPERVISION_RESPONSE, handler, note=response,
          data={"notice_id": notice.id, "kind": notice.kind})
    return notice


def open_notices(session: Session, actor: Actor, limit: int = 200) -> list[SupervisionNotice]:
    query = select(SupervisionNotice).where(SupervisionNotice.responded_at.is_(None)).order_by(
        SupervisionNotice.id.desc()).limit(limit)
    if actor.role == Role.HANDLER:
        query = query.where(SupervisionNotice.department_id == actor.department_id)
    return list(session.scalars(query))
