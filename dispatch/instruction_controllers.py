"""领导批示 over HTTP: a leader instructs on a ticket or a 督办单; the unit (or the command center) reports back."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.exceptions import ValidationException
from sqlalchemy.orm import Session

from dispatch import instructions, supervision
from dispatch.models import LeaderInstruction, SupervisionNotice
from dispatch.schemas import InstructionCreate, InstructionRead, InstructionReply
from hotline.access import load_ticket
from hotline.clock import now
from hotline.dependencies import roles
from hotline.models import Department, Ticket
from hotline.vocabulary import Role

LEADER, COMMANDER, HANDLER = Role.LEADER, Role.COMMANDER, Role.HANDLER


def instruction_read(session: Session, instruction: LeaderInstruction) -> InstructionRead:
    ticket = session.get(Ticket, instruction.ticket_id)
    notice = session.get(SupervisionNotice, instruction.notice_id) if instruction.notice_id else None
    department = session.get(Department, instruction.department_id) if instruction.department_id else None
    status = instructions.status_of(instruction)
    return InstructionRead(
        id=instruction.id, ticket_number=ticket.number, document_number=notice.document_number if notice else None,
        department=department.name if department else None, leader=instructions.leader_name(session, instruction),
        text=instruction.text, reply_by=instruction.reply_by, status=status,
        status_label=instructions.STATUS_LABELS[status], overdue=instructions.is_overdue(instruction, now()),
        reply=instruction.reply, replied_at=instruction.replied_at, created_at=instruction.created_at)


class InstructionController(Controller):
    path = "/api"
    tags = ["leadership"]

    @post("/tickets/{number:str}/instructions", guards=[roles(LEADER)], sync_to_thread=True)
    def on_ticket(self, number: str, data: InstructionCreate, db_session: Session,
                  request: Request) -> InstructionRead:
        """领导批示 on a ticket: the lead unit reports back by the policy's reply date."""
        ticket = load_ticket(db_session, number, request.user)
        instruction = instructions.give(db_session, ticket, request.user, data.text)
        db_session.commit()
        return instruction_read(db_session, instruction)

    @post("/supervision/{notice_id:int}/instructions", guards=[roles(LEADER)], sync_to_thread=True)
    def on_notice(self, notice_id: int, data: InstructionCreate, db_session: Session,
                  request: Request) -> InstructionRead:
        """领导批示 on a 督办单: the unit the 督办单 went to reports back."""
        notice, ticket = supervision.load_notice(db_session, notice_id, request.user)
        instruction = instructions.give(db_session, ticket, request.user, data.text, notice)
        db_session.commit()
        return instruction_read(db_session, instruction)

    @get("/instructions", guards=[roles(LEADER, COMMANDER, HANDLER)], sync_to_thread=True)
    def listed(self, db_session: Session, request: Request, status: str | None = None) -> list[InstructionRead]:
        """The instructions with their status (待落实 pending / 已回复 replied); a handler sees its unit's."""
        if status not in (None, instructions.PENDING, instructions.REPLIED):
            raise ValidationException("status 只能是 pending（待落实）或 replied（已回复）")
        rows = db_session.scalars(instructions.listed(request.user, status))
        return [instruction_read(db_session, i) for i in rows]

    @post("/instructions/{instruction_id:int}/reply", guards=[roles(HANDLER, COMMANDER)], sync_to_thread=True,
          status_code=200)
    def reply(self, instruction_id: int, data: InstructionReply, db_session: Session,
              request: Request) -> InstructionRead:
        """The unit's report on what it did; once per instruction."""
        instruction = instructions.answer(db_session, instruction_id, request.user, data.reply)
        db_session.commit()
        return instruction_read(db_session, instruction)


ROUTES = [InstructionController]
