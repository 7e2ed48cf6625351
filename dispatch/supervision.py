"""Supervision notices: which a person may reach, and which still wait for a written reply. Issuing and
answering one are workflow actions (dispatch.actions.supervise, dispatch.actions.answer_notice)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.models import SupervisionNotice
from hotline.access import TicketNotFound, load_ticket
from hotline.models import Ticket
from hotline.vocabulary import Role
from hotline.workflow import Actor


class NoticeNotFound(Exception):
    def __init__(self, notice_id: int) -> None:
        super().__init__(f"督办单 {notice_id} 不存在")


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


def open_notices(session: Session, actor: Actor, limit: int = 200) -> list[SupervisionNotice]:
    query = select(SupervisionNotice).where(SupervisionNotice.responded_at.is_(None)).order_by(
        SupervisionNotice.id.desc()).limit(limit)
    if actor.role == Role.HANDLER:
        query = query.where(SupervisionNotice.department_id == actor.department_id)
    return list(session.scalars(query))
