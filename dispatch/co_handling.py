"""联办: the co-units (协办单位) a ticket is dispatched with each report their part to the lead unit (主办单位).

The dispatch names the co-units and their due time (county policy `co_report_working_days` from the dispatch, at
the latest the lead's own due time) and texts each of them; a co-unit's handler reports once per dispatch, while the
lead unit still works on the ticket, and the lead unit is texted that a report has come. The lead unit writes the one
reply the citizen gets; who has reported is read from the ticket's events (hotline.co_units).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from hotline import outbox
from hotline.clock import now, spoken, written
from hotline.co_units import progress
from hotline.models import Department, Ticket
from hotline.vocabulary import Action
from hotline.workflow import Actor, TransitionRefused, apply


def tell_co_units(session: Session, ticket: Ticket, co: list[Department], due: datetime | None) -> None:
    """Each co-unit's duty phone learns it co-handles the ticket and by when to report."""
    if due is None:
        return
    stamp = ticket.dispatched_at.isoformat()
    lead = ticket.lead_department.name if ticket.lead_department else "主办单位"
    for unit in co:
        outbox.queue(session, "staff_co_dispatch", dedupe_key=f"staff_co_dispatch:{ticket.id}:{unit.id}:{stamp}",
                     ticket=ticket, phone=unit.duty_phone, department_id=unit.id, number=ticket.number, lead=lead,
                     due=spoken(due))


def report(session: Session, ticket: Ticket, actor: Actor, text: str) -> None:
    """协办反馈: the co-unit's part, once per dispatch; the lead unit is texted that it has come."""
    if actor.department_id == ticket.lead_department_id:
        raise TransitionRefused(ticket, Action.CO_REPORT, "本单位是该工单的主办单位，请直接办理答复，无需提交协办意见",
                                role=actor.role)
    units = {u.department_id: u for u in progress(ticket, session.scalars(ticket.events.select()))}
    unit = units.get(actor.department_id)
    if unit is None:  # no dispatch on record names the ticket's co-units (the event log is the only source)
        raise TransitionRefused(ticket, Action.CO_REPORT, "本单位不是该工单当前的协办单位", role=actor.role)
    if unit.report is not None:
        raise TransitionRefused(ticket, Action.CO_REPORT,
                                f"本单位已于 {written(unit.report.created_at)} 提交协办意见，如需补充请添加备注",
                                role=actor.role)
    moment = now()
    on_time = unit.due_at is None or moment <= unit.due_at
    apply(session, ticket, Action.CO_REPORT, actor, note=text,
          data={"department": unit.name, "on_time": on_time,
                **({"due_at": unit.due_at.isoformat()} if unit.due_at else {})})
    lead = ticket.lead_department
    if lead is not None:
        outbox.queue(session, "staff_co_report", dedupe_key=f"staff_co_report:{ticket.id}:{unit.department_id}:"
                     f"{moment.isoformat()}", ticket=ticket, phone=lead.duty_phone, department_id=lead.id,
                     number=ticket.number, department=unit.name)
