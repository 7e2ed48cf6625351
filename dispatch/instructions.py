"""领导批示: a county leader's instruction on a ticket or on one of its 督办单, and the lead unit's report back.

An instruction is a row (with its reply date in working days, county policy `instruction_reply_working_days`)
and a ticket event that changes no status; the event is on the staff timeline and the board's stream (the
command center sees it there and in its list), never on the citizen's page (hotline.views.public_text). The lead
unit is texted on its duty phone and must answer once; a ticket not yet dispatched has no unit, and the command
center answers for it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from dispatch.models import LeaderInstruction, SupervisionNotice
from dispatch.policy import current_clock
from hotline import outbox
from hotline.clock import now, spoken
from hotline.models import Department, Staff, Ticket
from hotline.vocabulary import Action, Role
from hotline.workflow import Actor, TransitionRefused, apply

PENDING, REPLIED = "pending", "replied"
STATUS_LABELS = {PENDING: "待落实", REPLIED: "已回复"}
SMS_TEXT_LIMIT = 60  # the SMS quotes the instruction's start; the whole text is on the ticket


class InstructionNotFound(Exception):
    def __init__(self, instruction_id: int) -> None:
        super().__init__(f"批示 {instruction_id} 不存在")


def give(session: Session, ticket: Ticket, leader: Actor, text: str,
         notice: SupervisionNotice | None = None) -> LeaderInstruction:
    """Record the instruction, its event and the unit's reply date; text the lead unit."""
    clock = current_clock(session)
    moment = now()
    reply_by = clock.respond_by(moment, clock.rules.instruction_reply_working_days)
    department_id = notice.department_id if notice is not None else ticket.lead_department_id
    instruction = LeaderInstruction(ticket_id=ticket.id, notice_id=notice.id if notice else None,
                                    department_id=department_id, issued_by=leader.id, text=text, reply_by=reply_by,
                                    created_at=moment)
    session.add(instruction)
    session.flush()
    apply(session, ticket, Action.INSTRUCT, leader, note=text, department_id=department_id, data={
        "instruction_id": instruction.id, "reply_by": reply_by.isoformat(), "calendar": clock.sources,
        "document_number": notice.document_number if notice else None})
    department = session.get(Department, department_id) if department_id else None
    if department is not None:
        quoted = text if len(text) <= SMS_TEXT_LIMIT else text[:SMS_TEXT_LIMIT] + "…"
        outbox.queue(session, "staff_instruction", dedupe_key=f"instruction:{instruction.id}", ticket=ticket,
                     phone=department.duty_phone, department_id=department.id, number=ticket.number,
                     leader=leader.name or "县领导", text=quoted, reply_by=spoken(reply_by))
    return instruction


def load(session: Session, instruction_id: int, actor: Actor) -> LeaderInstruction:
    """A handler reaches only its own unit's instructions; anything else looks unknown."""
    instruction = session.get(LeaderInstruction, instruction_id)
    if instruction is None or (actor.role == Role.HANDLER and instruction.department_id != actor.department_id):
        raise InstructionNotFound(instruction_id)
    return instruction


def answer(session: Session, instruction_id: int, actor: Actor, reply: str) -> LeaderInstruction:
    """The unit's report back, once. The command center answers only for a ticket that has no unit yet."""
    instruction = load(session, instruction_id, actor)
    ticket = session.get(Ticket, instruction.ticket_id)
    if actor.role == Role.COMMANDER and instruction.department_id is not None:
        raise InstructionNotFound(instruction_id)
    if instruction.replied_at is not None:
        raise TransitionRefused(ticket, Action.INSTRUCTION_REPLY, "该批示已经回复过", role=actor.role)
    instruction.reply, instruction.replied_at, instruction.replied_by = reply, now(), actor.id
    apply(session, ticket, Action.INSTRUCTION_REPLY, actor, note=reply,
          department_id=instruction.department_id, data={"instruction_id": instruction.id})
    return instruction


def listed(actor: Actor, status: str | None = None, limit: int = 200) -> Select[tuple[LeaderInstruction]]:
    """Leaders and the command center see the county's; a handler its own unit's."""
    query = select(LeaderInstruction).order_by(LeaderInstruction.id.desc()).limit(limit)
    if actor.role == Role.HANDLER:
        query = query.where(LeaderInstruction.department_id == actor.department_id)
    if status == PENDING:
        query = query.where(LeaderInstruction.replied_at.is_(None))
    elif status == REPLIED:
        query = query.where(LeaderInstruction.replied_at.is_not(None))
    return query


def status_of(instruction: LeaderInstruction) -> str:
    return REPLIED if instruction.replied_at is not None else PENDING


def is_overdue(instruction: LeaderInstruction, moment: datetime) -> bool:
    return instruction.replied_at is None and instruction.reply_by < moment


def leader_name(session: Session, instruction: LeaderInstruction) -> str | None:
    staff = session.get(Staff, instruction.issued_by) if instruction.issued_by else None
    return staff.display_name if staff else None
