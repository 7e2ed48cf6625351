"""Follow-through: yellow card, red card with 催办, 督办, escalation — each once, at its moment.

Every clock-running ticket carries `next_attention_at`, the next moment a step falls due, indexed, so a
sweep reads only what is due however many tickets are open. A step is recorded by moving the ticket's
`card`/`escalation` forward under its optimistic version lock: two sweeps at once cannot both record it,
and the notices and supervision rows carry unique keys as a second guard.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from dispatch import supervision
from dispatch.models import SupervisionNotice
from dispatch.policy import clock_for, plain_number
from hotline import outbox
from hotline.clock import now, spoken
from hotline.database import get_session_factory
from hotline.models import Department, Ticket
from hotline.vocabulary import Action
from hotline.workflow import CLOCK_RUNNING, SYSTEM_ACTOR, Actor, apply

log = logging.getLogger("dispatch.followup")
URGED, SUPERVISED, ESCALATED = 1, 2, 3


def _next_step(ticket: Ticket) -> str | None:
    if ticket.card is None:
        return "yellow"
    if ticket.card == "yellow":
        return "red"
    return {URGED: "supervise", SUPERVISED: "escalate"}.get(ticket.escalation)


def schedule(session: Session, ticket: Ticket) -> None:
    """Set when the sweep must next look at this ticket (None while its clock is stopped)."""
    step = _next_step(ticket)
    if (ticket.status not in CLOCK_RUNNING or ticket.due_at is None or ticket.dispatched_at is None or step is None
            or ticket.imported_at is not None):  # history (hotline.history) has no live deadline
        ticket.next_attention_at = None
        return
    clock = clock_for(session, ticket.policy_version)
    ticket.next_attention_at = clock.steps(ticket.dispatched_at, ticket.due_at, ticket.urgency)[step]


def reset_cards(session: Session, ticket: Ticket) -> None:
    """A moved deadline (extension, reopen) starts the cards again against the new one."""
    ticket.card = None
    ticket.escalation = 0
    schedule(session, ticket)


def _notify(session: Session, ticket: Ticket, template: str, step: str, **values: Any) -> None:
    department = ticket.lead_department
    outbox.queue(session, template, dedupe_key=f"{step}:{ticket.id}:{ticket.due_at.isoformat()}", ticket=ticket,
                 phone=department.duty_phone if department else None, department_id=ticket.lead_department_id,
                 number=ticket.number, due=spoken(ticket.due_at), **values)


def notice(session: Session, ticket: Ticket, kind: str, message: str, respond_by: datetime | None,
            actor: Actor = SYSTEM_ACTOR, department_id: int | None = None) -> SupervisionNotice:
    notice = SupervisionNotice(ticket_id=ticket.id, kind=kind, cycle_key=ticket.due_at.isoformat() if
                               kind != "manual" else now().isoformat(), message=message, respond_by=respond_by,
                               department_id=department_id or ticket.lead_department_id, issued_by=actor.id)
    if kind in supervision.NUMBERED_KINDS:
        notice.document_number = supervision.document_number(session, now())
    session.add(notice)
    return notice


def escalation_target(session: Session, ticket: Ticket, leadership_code: str | None) -> Department | None:
    """Where an escalation is reported: the lead unit's own 上级单位 (from the county's reference data) if it has
    an active one, else the policy's leadership unit if the policy names one, else nobody."""
    lead = ticket.lead_department
    if lead is not None and lead.parent_id is not None:
        parent = session.get(Department, lead.parent_id)
        if parent is not None and parent.active:
            return parent
    if leadership_code is None:
        return None
    return session.scalars(select(Department).where(Department.code == leadership_code)).first()


def advance(session: Session, ticket: Ticket, moment: datetime) -> list[str]:
    """Record every step that has fallen due (several at once if the sweep was away), then reschedule."""
    if ticket.status not in CLOCK_RUNNING or ticket.due_at is None:
        schedule(session, ticket)  # the clock stopped since it was scheduled: nothing to record
        return []
    clock = clock_for(session, ticket.policy_version)
    rules = clock.rules
    moments = clock.steps(ticket.dispatched_at, ticket.due_at, ticket.urgency)
    taken: list[str] = []
    while (step := _next_step(ticket)) is not None and moments[step] <= moment:
        if step == "yellow":
            ticket.card = "yellow"
            apply(session, ticket, Action.YELLOW_CARD, SYSTEM_ACTOR, data={"due_at": ticket.due_at.isoformat()})
            _notify(session, ticket, "staff_yellow", step)
        elif step == "red":
            ticket.card, ticket.escalation = "red", URGED
            apply(session, ticket, Action.RED_CARD, SYSTEM_ACTOR, data={"due_at": ticket.due_at.isoformat()})
            message = f"工单 {ticket.number} 已超过办理期限 {spoken(ticket.due_at)}，请立即办理。"
            notice(session, ticket, "urge", message, None)
            apply(session, ticket, Action.URGE, SYSTEM_ACTOR, data={"message": message})
            _notify(session, ticket, "staff_red", step)
        elif step == "supervise":
            days = plain_number(rules.supervise_after_working_days)
            ticket.escalation = SUPERVISED
            respond_by = clock.respond_by(moment, rules.supervision_reply_working_days)
            message = f"工单 {ticket.number} 已超期 {days} 个工作日，请于 {spoken(respond_by)} 前书面说明原因和办理计划。"
            issued = notice(session, ticket, "supervise", message, respond_by)
            apply(session, ticket, Action.SUPERVISE, SYSTEM_ACTOR, data={
                "message": message, "respond_by": respond_by.isoformat(), "document_number": issued.document_number})
            _notify(session, ticket, "staff_supervise", step, days=days, respond_by=spoken(respond_by))
        else:
            days = plain_number(rules.escalate_after_working_days)
            ticket.escalation = ESCALATED
            leadership = escalation_target(session, ticket, rules.leadership_department_code)
            to = leadership.name if leadership else "县政府领导"
            message = f"工单 {ticket.number} 已超期 {days} 个工作日，报请{to}协调督办。"
            notice(session, ticket, "escalate", message, None)
            apply(session, ticket, Action.ESCALATE, SYSTEM_ACTOR, data={"message": message,
                                                                    "to": leadership.name if leadership else None})
            _notify(session, ticket, "staff_escalate", step, days=days, to=to)
            if leadership is not None and leadership.duty_phone:
                outbox.queue(session, "staff_escalate", dedupe_key=f"escalate-lead:{ticket.id}:{ticket.due_at}",
                             ticket=ticket, phone=leadership.duty_phone, department_id=leadership.id,
                             number=ticket.number, days=days, to=to)
        taken.append(step)
    schedule(session, ticket)
    return taken


def sweep(batch: int = 500) -> dict[str, int]:
    """Advance every ticket whose next step is due. Safe to run twice, or from two schedulers at once."""
    moment = now()
    factory = get_session_factory()
    with factory() as session:
        due_ids = session.scalars(
            select(Ticket.id).where(Ticket.next_attention_at <= moment, Ticket.imported_at.is_(None))
            .order_by(Ticket.next_attention_at).limit(batch)
        ).all()
    counts: dict[str, int] = {}
    for ticket_id in due_ids:
        with factory() as session:
            ticket = session.scalars(
                select(Ticket).where(Ticket.id == ticket_id, Ticket.next_attention_at <= moment)
                .with_for_update(skip_locked=True, of=Ticket)
            ).first()
            if ticket is None:  # another sweep holds it or has just done it
                continue
            try:
                steps = advance(session, ticket, moment)
                session.commit()
            except (StaleDataError, IntegrityError):
                session.rollback()
                log.info("ticket %s was advanced by another sweep", ticket_id)
                continue
            for step in steps:
                counts[step] = counts.get(step, 0) + 1
    with factory() as session:  # 催复 for 督办单 whose reply date passed (dispatch.supervision)
        if reminded := supervision.remind_overdue(session, moment):
            counts["reply_reminder"] = reminded
        session.commit()
    return counts


