"""Workflow actions with their rules: deadlines, return window, one extension, paused clock, merges."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch import followup
from dispatch.calendar import WorkCalendar
from dispatch.models import CatalogueEntry, TimeLimitPolicy
from dispatch.policy import calendar_for, current_policy, policy_for, resolve_deadline, sign_deadline
from hotline import outbox
from hotline.clock import now, spoken
from hotline.knowledge import KnowledgeArticle
from hotline.models import Department, Ticket, TicketEvent
from hotline.vocabulary import Satisfaction, Status
from hotline.workflow import Actor, TransitionRefused, apply


class UnknownDepartment(ValueError):
    pass


class UnknownArticle(ValueError):
    pass


def _clock(session: Session, ticket: Ticket) -> tuple[TimeLimitPolicy, WorkCalendar]:
    policy = policy_for(session, ticket.policy_version)
    return policy, calendar_for(session, policy.rules)


def _department(session: Session, department_id: int) -> Department:
    department = session.get(Department, department_id)
    if department is None or not department.active:
        raise UnknownDepartment(f"部门编号 {department_id} 不存在或已停用")
    return department


def route(session: Session, category_code: str, township: str | None) -> CatalogueEntry | None:
    """The catalogue's answer for a category: the township's own entry first, then the county default."""
    entries = session.scalars(
        select(CatalogueEntry).where(CatalogueEntry.category_code == category_code)
    ).all()
    by_township = {entry.township: entry for entry in entries}
    return by_township.get(township) or by_township.get(None)


def dispatch(
    session: Session,
    ticket: Ticket,
    actor: Actor,
    *,
    department_id: int | None,
    co_department_ids: list[int],
    category_code: str | None = None,
    note: str | None = None,
    action: str = "dispatch",
) -> None:
    """Send to a lead department (from the request or the catalogue) and start both clocks."""
    if category_code is not None:
        ticket.category_code = category_code
    if department_id is None:
        entry = route(session, category_code or "", ticket.township)
        if entry is None:
            raise UnknownDepartment(f"派单目录中没有分类 {category_code}，请直接选择主办部门")
        department_id = entry.lead_department_id
        co_department_ids = co_department_ids or list(entry.co_department_ids)
    lead = _department(session, department_id)
    co = [_department(session, i) for i in co_department_ids if i != department_id]
    moment = now()
    policy = current_policy(session) if action == "dispatch" else policy_for(session, ticket.policy_version)
    calendar = calendar_for(session, policy.rules)
    ticket.lead_department = lead
    ticket.lead_department_id = lead.id
    ticket.co_departments = co
    ticket.dispatched_at = moment
    ticket.policy_version = policy.version
    ticket.sign_deadline = sign_deadline(calendar, policy.rules, moment, ticket.urgency)
    if action == "dispatch" or ticket.due_at is None:
        ticket.due_at = resolve_deadline(calendar, policy.rules, moment, ticket.type, ticket.urgency)
    apply(session, ticket, action, actor, note=note, department_id=lead.id, data={
        "department": lead.name,
        "co_departments": [d.name for d in co],
        "category_code": ticket.category_code,
        "sign_deadline": ticket.sign_deadline.isoformat(),
        "due_at": ticket.due_at.isoformat(),
        "policy_version": policy.version,
        "calendar": sorted(calendar.sources_used),
    })
    if action == "dispatch":
        followup.reset_cards(session, ticket)
    else:
        followup.schedule(session, ticket)
    _tell_about_dispatch(session, ticket, lead)


def _tell_about_dispatch(session: Session, ticket: Ticket, lead: Department) -> None:
    """The citizen learns who handles it and by when; the department's duty phone learns it has a ticket."""
    stamp = ticket.dispatched_at.isoformat()
    outbox.queue(session, "dispatched", dedupe_key=f"dispatched:{ticket.id}:{stamp}", ticket=ticket,
                 phone=ticket.caller_phone, number=ticket.number, department=lead.name, due=spoken(ticket.due_at))
    outbox.queue(session, "staff_dispatch", dedupe_key=f"staff_dispatch:{ticket.id}:{stamp}", ticket=ticket,
                 phone=lead.duty_phone, department_id=lead.id, number=ticket.number,
                 sign_deadline=spoken(ticket.sign_deadline))


def sign(session: Session, ticket: Ticket, actor: Actor) -> None:
    moment = now()
    on_time = ticket.sign_deadline is None or moment <= ticket.sign_deadline
    ticket.signed_at = moment
    apply(session, ticket, "sign", actor, data={"department": _name(ticket), "on_time": on_time})


def return_ticket(session: Session, ticket: Ticket, actor: Actor, reason: str) -> None:
    """退单: only before sign-for, within the return window, always with a reason."""
    if ticket.status == Status.PENDING_SIGN and ticket.dispatched_at is not None:
        policy, calendar = _clock(session, ticket)
        window_end = calendar.add_working_days(ticket.dispatched_at, policy.rules["return_window_working_days"])
        if now() > window_end:
            raise TransitionRefused(ticket, "return", "已超过退单时限（派单后1个工作日内），请签收后办理")
    apply(session, ticket, "return", actor, note=reason, data={"department": _name(ticket)})


def force(session: Session, ticket: Ticket, actor: Actor, note: str | None) -> None:
    """强制派单: the command center rules the return unfounded; the department must handle it."""
    ticket.signed_at = now()
    apply(session, ticket, "force", actor, note=note, department_id=ticket.lead_department_id,
          data={"department": _name(ticket)})
    followup.schedule(session, ticket)


def request_extension(session: Session, ticket: Ticket, actor: Actor, days: int, reason: str) -> None:
    policy, _ = _clock(session, ticket)
    limit = policy.rules["extension_max_working_days"]
    if ticket.extension_used:
        raise TransitionRefused(ticket, "request_extension", "每张工单只能申请一次延期")
    if days > limit:
        raise TransitionRefused(ticket, "request_extension", f"延期最多 {limit} 个工作日")
    if ticket.due_at is not None and now() > ticket.due_at:
        raise TransitionRefused(ticket, "request_extension", "已超过办理期限，不能再申请延期")
    ticket.extension_used = True
    apply(session, ticket, "request_extension", actor, note=reason, data={"days": days})


def decide_extension(session: Session, ticket: Ticket, actor: Actor, approve: bool, note: str | None) -> None:
    data: dict[str, Any] = {}
    if approve:
        asked = _last_event_data(session, ticket, "request_extension").get("days", 0)
        _, calendar = _clock(session, ticket)
        ticket.due_at = calendar.add_working_days(ticket.due_at or now(), asked)
        data = {"days": asked, "due_at": ticket.due_at.isoformat()}
    apply(session, ticket, "approve_extension" if approve else "refuse_extension", actor, note=note, data=data)
    if approve:
        followup.reset_cards(session, ticket)


def wait_for_citizen(session: Session, ticket: Ticket, actor: Actor, message: str) -> None:
    """待补充: the clock stops until the citizen answers."""
    ticket.paused_at = now()
    apply(session, ticket, "wait_citizen", actor, data={"message": message})
    followup.schedule(session, ticket)


def resume(session: Session, ticket: Ticket, actor: Actor, supplement: str | None = None) -> None:
    """The clock starts again and the deadline moves by the working time spent waiting."""
    paused_minutes = 0.0
    if ticket.paused_at is not None and ticket.due_at is not None:
        _, calendar = _clock(session, ticket)
        paused_minutes = calendar.working_minutes_between(ticket.paused_at, now())
        ticket.due_at = calendar.add_working_minutes(ticket.due_at, paused_minutes)
    ticket.paused_at = None
    data: dict[str, Any] = {"paused_working_minutes": round(paused_minutes, 1)}
    if ticket.due_at is not None:
        data["due_at"] = ticket.due_at.isoformat()
    if supplement:
        data["supplement"] = supplement
    apply(session, ticket, "resume", actor, data=data)
    followup.schedule(session, ticket)


def reply(session: Session, ticket: Ticket, actor: Actor, text: str) -> None:
    _close(session, ticket, actor, text, "reply")


def answer_on_the_spot(session: Session, ticket: Ticket, actor: Actor, text: str,
                       article_id: int | None = None) -> None:
    """The cited article must exist and be in force: the answer given on the phone is the article's."""
    if article_id is not None:
        article = session.get(KnowledgeArticle, article_id)
        if article is None or not article.active:
            raise UnknownArticle(f"知识库条目 {article_id} 不存在或已停用")
    _close(session, ticket, actor, text, "answer", {"article_id": article_id} if article_id else {})


def _close(session: Session, ticket: Ticket, actor: Actor, text: str, action: str,
           extra: dict[str, Any] | None = None) -> None:
    moment = now()
    on_time = ticket.due_at is None or moment <= ticket.due_at
    ticket.reply = text
    ticket.closed_at = moment
    apply(session, ticket, action, actor, data={"reply": text, "on_time": on_time, **(extra or {})})
    followup.schedule(session, ticket)
    stamp = moment.isoformat()
    if action == "reply":
        outbox.queue(session, "reply_ready", dedupe_key=f"reply_ready:{ticket.id}:{stamp}", ticket=ticket,
                     phone=ticket.caller_phone, number=ticket.number)
    outbox.queue(session, "rating_invite", dedupe_key=f"rating_invite:{ticket.id}:{stamp}", ticket=ticket,
                 phone=ticket.caller_phone, number=ticket.number)


def reopen(session: Session, ticket: Ticket, actor: Actor, note: str) -> None:
    """重办: only when the citizen was unsatisfied and the center finds the department at fault."""
    if ticket.satisfaction != Satisfaction.UNSATISFIED:
        raise TransitionRefused(ticket, "reopen", "只有群众评价为「不满意」的工单才能重办")
    policy = current_policy(session)
    calendar = calendar_for(session, policy.rules)
    moment = now()
    ticket.policy_version = policy.version
    ticket.due_at = resolve_deadline(calendar, policy.rules, moment, ticket.type, ticket.urgency)
    ticket.closed_at = None
    ticket.reply = None
    ticket.satisfaction = ticket.solved = None
    ticket.signed_at = moment
    apply(session, ticket, "reopen", actor, note=note, department_id=ticket.lead_department_id,
          data={"department": _name(ticket), "due_at": ticket.due_at.isoformat()})
    followup.reset_cards(session, ticket)


def transfer(session: Session, ticket: Ticket, actor: Actor, line: str, note: str | None) -> None:
    ticket.transferred_to = line
    apply(session, ticket, "transfer", actor, note=note, data={"line": line})


def merge(session: Session, ticket: Ticket, parent: Ticket, actor: Actor, note: str | None) -> None:
    """并单: the duplicate follows its parent; the parent must be a live ticket, not itself merged."""
    if parent.id == ticket.id:
        raise TransitionRefused(ticket, "merge", "不能与自己并单")
    if parent.status in (Status.MERGED, Status.TRANSFERRED, Status.ARCHIVED):
        raise TransitionRefused(ticket, "merge", f"主工单 {parent.number} 已{Status(parent.status).label}，不能并入")
    ticket.parent_id = parent.id
    apply(session, ticket, "merge", actor, note=note, data={"parent_number": parent.number})
    followup.schedule(session, ticket)


def archive(session: Session, ticket: Ticket, actor: Actor) -> None:
    apply(session, ticket, "archive", actor)



def _name(ticket: Ticket) -> str:
    return ticket.lead_department.name if ticket.lead_department else "承办单位"


def _last_event_data(session: Session, ticket: Ticket, action: str) -> dict[str, Any]:

    event = session.scalars(
        ticket.events.select().where(TicketEvent.action == action).order_by(TicketEvent.id.desc()).limit(1)
    ).first()
    return event.data if event else {}


