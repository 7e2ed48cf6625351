"""Turning tickets and events into the Structs each kind of reader may see."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.access import SEES_PERSONAL_DATA
from hotline.clock import local, written
from hotline.co_units import CoUnitProgress, overdue
from hotline.models import Department, Ticket, TicketEvent
from hotline.privacy import mask_name, mask_phone
from hotline.redaction import redact, redact_data, stated_names
from hotline.schemas import CoUnitRead, DepartmentRef, EventRead, PublicEvent, PublicTicket, TicketRead
from hotline.vocabulary import Channel, Role, Satisfaction, Status, TicketType
from hotline.workflow import CO_UNIT_STEPS, TRANSITIONS, Actor, action_label, allowed_actions


def at(moment: datetime | None) -> datetime | None:
    """A time as every answer gives it, in Asia/Shanghai (+08:00).

    A row read from the database already is (hotline.models.LocalDateTime); one an action has just written still
    holds the UTC value it was given, so the answer to that action would say `…Z` where a read says +08:00.
    """
    return local(moment) if moment is not None else None


def department_ref(department: Department | None) -> DepartmentRef | None:
    return DepartmentRef(id=department.id, name=department.name) if department else None


def sees_personal_data(reader: Actor) -> bool:
    """The operator, the commander and the handler (who only ever loads its department's tickets) see it all."""
    return reader.role in SEES_PERSONAL_DATA


def known_people(ticket_or_row: object) -> dict[str, list[str | None]]:
    """The caller's own name and phone and the names the ticket's words introduce: masked in all its texts."""
    content = getattr(ticket_or_row, "content", None)
    return {"names": [getattr(ticket_or_row, "caller_name", None), *stated_names(content)],
            "phones": [getattr(ticket_or_row, "caller_phone", None)]}


def event_read(event: TicketEvent, departments: dict[int, str], *, personal: bool,
               known: dict[str, list[str | None]] | None = None) -> EventRead:
    """An event of the internal timeline; for a reader without personal data its note and data are redacted."""
    known = known or {}
    return EventRead(
        id=event.id,
        action=event.action,
        action_label=action_label(event.action),
        from_status=event.from_status,
        to_status=event.to_status,
        actor_role=event.actor_role,
        actor_id=event.actor_id,
        department=departments.get(event.department_id) if event.department_id else None,
        note=event.note if personal else redact(event.note, **known),
        data=event.data if personal else redact_data(event.data, **known),  # type: ignore[arg-type]
        created_at=at(event.created_at),
    )


def department_names(session: Session) -> dict[int, str]:
    """Every unit's name by id: the one map the timelines and the board label events with."""
    return dict(session.execute(select(Department.id, Department.name)).all())


def ticket_read(
    ticket: Ticket,
    reader: Actor,
    *,
    parent_number: str | None = None,
    events: list[EventRead] | None = None,
) -> TicketRead:
    personal = sees_personal_data(reader)

    known = {} if personal else known_people(ticket)

    def shown(text: str | None) -> str | None:
        return text if personal else redact(text, **known)

    return TicketRead(
        id=ticket.id,
        number=ticket.number,
        channel=ticket.channel,
        channel_label=Channel(ticket.channel).label,
        type=ticket.type,
        type_label=TicketType(ticket.type).label,
        urgency=ticket.urgency,
        status=ticket.status,
        status_label=Status(ticket.status).label,
        title=shown(ticket.title),
        content=shown(ticket.content) or "",
        caller_name=ticket.caller_name if personal else mask_name(ticket.caller_name),
        caller_phone=ticket.caller_phone if personal else mask_phone(ticket.caller_phone),
        township=ticket.township,
        village=ticket.village,
        address=ticket.address,
        latitude=ticket.latitude,
        longitude=ticket.longitude,
        category_code=ticket.category_code,
        lead_department=department_ref(ticket.lead_department),
        co_departments=[DepartmentRef(id=d.id, name=d.name) for d in ticket.co_departments],
        created_at=at(ticket.created_at),
        dispatched_at=at(ticket.dispatched_at),
        sign_deadline=at(ticket.sign_deadline),
        due_at=at(ticket.due_at),
        closed_at=at(ticket.closed_at),
        reply=shown(ticket.reply),
        satisfaction=ticket.satisfaction,
        solved=ticket.solved,
        parent_number=parent_number,
        transferred_to=ticket.transferred_to,
        extension_used=ticket.extension_used,
        suggested_category=ticket.suggested_category,
        confidence=ticket.confidence,
        manual_review=ticket.manual_review,
        emergency_kind=ticket.emergency_kind,
        card=ticket.card,
        escalation=ticket.escalation,
        version=ticket.version,
        allowed_actions=_next_steps(ticket, reader),
        events=events,
    )


def _next_steps(ticket: Ticket, reader: Actor) -> list[str]:
    """A co-unit's handler takes only the co-unit's steps on a ticket another unit leads."""
    if reader.role == Role.HANDLER and ticket.lead_department_id != reader.department_id:
        return [step for step in CO_UNIT_STEPS if ticket.status in TRANSITIONS[step].sources]
    return allowed_actions(ticket.status, reader.role)


def co_unit_reads(units: list[CoUnitProgress], ticket: Ticket, moment: datetime, *, personal: bool,
                  known: dict[str, list[str | None]]) -> list[CoUnitRead]:
    def shown(text: str | None) -> str | None:
        return text if personal else redact(text, **known)

    return [CoUnitRead(department=DepartmentRef(id=u.department_id, name=u.name), due_at=at(u.due_at),
                       reported=u.report is not None, reported_at=at(u.report.created_at if u.report else None),
                       report=shown(u.report.note) if u.report else None,
                       on_time=u.report.data.get("on_time") if u.report else None,
                       overdue=overdue(u, ticket, moment)) for u in units]


def public_text(event: TicketEvent) -> str | None:
    """The citizen-facing sentence for an event, or None for internal steps (notes, returns...)."""
    data = event.data or {}
    match event.action:
        case "receive":
            return "您的诉求已受理"
        case "dispatch" | "redispatch" | "force":
            return f"已转交{data.get('department', '承办单位')}办理"
        case "sign":
            return f"{data.get('department', '承办单位')}已签收，正在办理"
        case "approve_extension":
            return "承办单位申请延期办理，已获批准"
        case "wait_citizen":
            asked = f"需要您补充情况：{data.get('message', '')}".rstrip("：")
            by = data.get("supplement_due_at")
            return f"{asked}（请于 {written(datetime.fromisoformat(by))} 前补充）" if by else asked
        case "resume" if data.get("timed_out"):
            return "补充期限已过，未收到补充情况，按现有情况继续办理"
        case "resume":
            return "已收到补充情况，继续办理"
        case "reply" if event.to_status == Status.PENDING_REVIEW:
            return "承办单位已答复，热线正在审核答复内容，审核通过后即告知您办理结果"
        case "reply" | "answer" | "approve_reply":
            return f"已办结。答复：{data.get('reply', '')}"
        case "return_reply":
            return "经审核，答复需进一步完善，已退回承办单位继续办理"
        case "attach" if event.actor_role == "citizen":
            return "您上传的附件已收到"
        case "rate":
            return f"已收到您的评价：{Satisfaction(data['satisfaction']).label}"
        case "reopen":
            return "根据回访评价，已重新交办"
        case "archive":
            return "已归档"
        case "merge":
            return f"与相同诉求合并办理，请查询工单 {data.get('parent_number', '')}"
        case "transfer":
            return f"已转 {data.get('line', '')} 紧急处置"
        case "hand_back":  # the line's reason stays internal: it may name the officers or the other party
            return f"经 {data.get('line') or '联动单位'} 核实不属于其处置范围，已转回12345热线办理"
    return None


# the statuses in which the citizen is promised an answer by `due_at` (while 待补充 the date moves on resume)
PROMISED = frozenset({Status.PENDING_SIGN, Status.RETURNED, Status.IN_PROGRESS, Status.EXTENSION_PENDING})


# what the citizen reads for a status whose staff word would mislead them (办结待审核 is not yet 办结)
CITIZEN_STATUS_LABELS = {Status.PENDING_REVIEW: "已答复，审核中"}


def public_ticket(ticket: Ticket, events: Iterable[TicketEvent]) -> PublicTicket:
    waiting = ticket.status == Status.WAITING_CITIZEN
    timeline = [
        PublicEvent(time=at(event.created_at), text=text)
        for event in events
        if (text := public_text(event)) is not None
    ]
    return PublicTicket(
        number=ticket.number,
        status=ticket.status,
        status_label=CITIZEN_STATUS_LABELS.get(ticket.status) or Status(ticket.status).label,
        title=ticket.title,
        content=ticket.content,
        caller_phone=mask_phone(ticket.caller_phone),
        created_at=at(ticket.created_at),
        due_at=at(ticket.due_at),
        reply=None if ticket.status == Status.PENDING_REVIEW else ticket.reply,  # not the answer until approved
        can_rate=ticket.status == Status.CLOSED,
        can_supplement=ticket.status == Status.WAITING_CITIZEN,
        due_text=written(ticket.due_at) if ticket.due_at and ticket.status in PROMISED else None,
        supplement_due_at=at(ticket.supplement_due_at if waiting else None),
        supplement_due_text=written(ticket.supplement_due_at) if waiting and ticket.supplement_due_at else None,
        satisfaction=ticket.satisfaction,
        timeline=timeline,
    )
