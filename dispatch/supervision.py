"""Supervision notices: which a person may reach, and which still wait for a written reply. Issuing and
answering one are workflow actions (dispatch.actions.supervise, dispatch.actions.answer_notice).

A 督办 (the sweep's at 2 wd overdue, or a commander's) is a 督办单: a document numbered per year, 督〔2026〕第0001号,
with a reply date; a reply overdue shows as 督办逾期 and the sweep sends the unit one 催复."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dispatch.models import SupervisionNotice
from hotline import outbox
from hotline.access import TicketNotFound, load_ticket
from hotline.clock import local, spoken
from hotline.models import Department, Ticket
from hotline.numbering import next_in_series
from hotline.vocabulary import Role
from hotline.workflow import Actor

NUMBERED_KINDS = frozenset({"supervise", "manual"})  # 督办; 催办 and 升级 are notes, not documents


class NoticeNotFound(Exception):
    def __init__(self, notice_id: int) -> None:
        super().__init__(f"督办单 {notice_id} 不存在")


def document_number(session: Session, moment: datetime) -> str:
    """The next 督办单 number of the county's year (Asia/Shanghai): 督〔2026〕第0001号, restarting each year."""
    year = local(moment).year
    return f"督〔{year}〕第{next_in_series(session, f'督{year}'):04d}号"


def is_overdue(notice: SupervisionNotice, moment: datetime) -> bool:
    """督办逾期: a 督办单 whose reply date passed without the unit's written reply."""
    return (notice.document_number is not None and notice.responded_at is None and notice.respond_by is not None
            and notice.respond_by < moment)


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


def remind_overdue(session: Session, moment: datetime, batch: int = 500) -> int:
    """催复: one reminder to the unit for each 督办单 whose reply date has passed, however often the sweep runs.

    `reminded_at` is set by a conditional UPDATE (only where still empty), so two sweeps at once remind once; the
    outbox's dedupe key is the second guard."""
    due = session.scalars(
        select(SupervisionNotice).where(SupervisionNotice.document_number.is_not(None),
                                        SupervisionNotice.responded_at.is_(None),
                                        SupervisionNotice.reminded_at.is_(None),
                                        SupervisionNotice.respond_by < moment)
        .order_by(SupervisionNotice.id).limit(batch)).all()
    sent = 0
    for notice in due:
        taken = session.execute(update(SupervisionNotice).where(
            SupervisionNotice.id == notice.id, SupervisionNotice.reminded_at.is_(None))
            .values(reminded_at=moment).execution_options(synchronize_session=False)).rowcount
        if taken != 1:
            continue
        ticket = session.get(Ticket, notice.ticket_id)
        department = session.get(Department, notice.department_id) if notice.department_id else None
        outbox.queue(session, "staff_reply_reminder", dedupe_key=f"reply-reminder:{notice.id}", ticket=ticket,
                     phone=department.duty_phone if department else None, department_id=notice.department_id,
                     document=notice.document_number, number=ticket.number, respond_by=spoken(notice.respond_by))
        sent += 1
    return sent
