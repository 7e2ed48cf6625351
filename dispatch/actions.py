"""Every human action on a ticket, one function each, with the rules around the state machine.

Deadlines are asked of the policy's clock (dispatch.policy.DeadlineClock); the state machine itself
(hotline.workflow) checks who may take which step from where. Controllers only load, call and commit.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispatch import callbacks, co_handling, complaints, followup, gate, review, supervision, tell
from dispatch.models import CatalogueEntry, SupervisionNotice
from dispatch.policy import clock_for, current_clock, current_rules
from hotline import outbox
from hotline.clock import now, spoken
from hotline.jobs import hand_to_followers
from hotline.knowledge import KnowledgeArticle
from hotline.knowledge import today as knowledge_today
from hotline.models import Department, Ticket, TicketEvent
from hotline.vocabulary import Action, Satisfaction, Status
from hotline.workflow import SYSTEM, Actor, TransitionRefused, apply, last_event


class UnknownDepartment(ValueError):
    pass


class UnknownArticle(ValueError):
    pass


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


def _entry_limits(session: Session, ticket: Ticket, entry: CatalogueEntry | None = None) -> dict[str, float] | None:
    """The catalogue entry's own time limits for the ticket's category and township (None: the policy's), also
    when a person chose the department: the limit belongs to the category."""
    if entry is None and ticket.category_code:
        entry = route(session, ticket.category_code, ticket.township)
    return entry.time_limits if entry is not None else None


def submit(session: Session, ticket: Ticket, actor: Actor) -> None:
    """The operator hands a recorded call on; routing dispatches it if the classifier is sure."""
    apply(session, ticket, Action.SUBMIT, actor)
    hand_to_followers(session, ticket.id)


def note(session: Session, ticket: Ticket, actor: Actor, text: str) -> None:
    """An internal note; co-handling departments may add one too."""
    apply(session, ticket, Action.NOTE, actor, note=text)


def correct_category(session: Session, ticket: Ticket, actor: Actor, category_code: str) -> None:
    """更正分类 before dispatch; the caller keeps the correction as a training example (dispatch.routing)."""
    previous = ticket.category_code or ticket.suggested_category
    ticket.category_code = category_code
    apply(session, ticket, Action.CORRECT_CATEGORY, actor, data={"from": previous, "to": category_code})
    if (suggested := gate.suggested_category(session, ticket.id)) is not None:
        gate.judge(session, ticket.id, category_code == suggested)


def dispatch(
    session: Session,
    ticket: Ticket,
    actor: Actor,
    *,
    department_id: int | None,
    co_department_ids: list[int],
    category_code: str | None = None,
    note: str | None = None,
    action: Action = Action.DISPATCH,
) -> None:
    """Send to a lead department (from the request or the catalogue) and start both clocks.

    A first dispatch runs under the policy in force; a re-dispatch after a return keeps the ticket's own policy
    and resolve deadline (the citizen's wait does not start again), only the sign-for time is new.
    """
    chosen = category_code if category_code is not None or action != Action.DISPATCH else ticket.category_code
    if category_code is not None:
        ticket.category_code = category_code
    entry = None
    if department_id is None:
        entry = route(session, category_code or "", ticket.township)
        if entry is None:
            raise UnknownDepartment(f"派单目录中没有分类 {category_code}，请直接选择主办部门")
        department_id = entry.lead_department_id
        co_department_ids = co_department_ids or list(entry.co_department_ids)
    lead = _department(session, department_id)
    co = [_department(session, i) for i in co_department_ids if i != department_id]
    first = action == Action.DISPATCH
    moment = now()
    clock = current_clock(session) if first else clock_for(session, ticket.policy_version)
    ticket.lead_department = lead
    ticket.lead_department_id = lead.id
    ticket.co_departments = co
    ticket.dispatched_at = moment
    ticket.policy_version = clock.version
    ticket.sign_deadline = clock.sign_due(moment, ticket.urgency)
    if first or ticket.due_at is None:
        ticket.due_at = clock.resolve_due(moment, ticket.type, ticket.urgency, _entry_limits(session, ticket, entry))
    co_report_due = clock.co_report_due(moment, ticket.due_at) if co else None
    apply(session, ticket, action, actor, note=note, department_id=lead.id, data={
        "department": lead.name,
        "co_departments": [d.name for d in co],
        **({"co_department_ids": [d.id for d in co], "co_report_due_at": co_report_due.isoformat()}
           if co_report_due else {}),
        "category_code": ticket.category_code,
        "sign_deadline": ticket.sign_deadline.isoformat(),
        "due_at": ticket.due_at.isoformat(),
        "policy_version": clock.version,
        "calendar": clock.sources,
    })
    if first:
        followup.reset_cards(session, ticket)
    else:
        followup.schedule(session, ticket)
    if actor.role != SYSTEM:
        _judge_for_gate(session, ticket, chosen, lead.id)
    _tell_about_dispatch(session, ticket, lead)
    co_handling.tell_co_units(session, ticket, co, co_report_due)


def _judge_for_gate(session: Session, ticket: Ticket, chosen: str | None, department_id: int) -> None:
    """A person's dispatch judges the model's confident suggestion (dispatch.gate): kept category (or, with a
    department only, the catalogue's department for the suggested category) confirms it, anything else
    corrects it."""
    if (suggested := gate.suggested_category(session, ticket.id)) is None:
        return
    if chosen is not None:
        gate.judge(session, ticket.id, chosen == suggested)
        return
    entry = route(session, suggested, ticket.township)
    gate.judge(session, ticket.id, entry is not None and entry.lead_department_id == department_id)


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
    apply(session, ticket, Action.SIGN, actor, data={"department": _name(ticket), "on_time": on_time})
    gate.judge(session, ticket.id, True)  # the department takes it as its own: an auto-dispatch confirmed


def return_ticket(session: Session, ticket: Ticket, actor: Actor, reason: str) -> None:
    """退单: only before sign-for, within the return window, always with a reason."""
    if ticket.status == Status.PENDING_SIGN and ticket.dispatched_at is not None:
        clock = clock_for(session, ticket.policy_version)
        if now() > clock.return_window_end(ticket.dispatched_at):
            raise TransitionRefused(ticket, Action.RETURN, "已超过退单时限（派单后1个工作日内），请签收后办理",
                                    role=actor.role)
    apply(session, ticket, Action.RETURN, actor, note=reason, data={"department": _name(ticket)})


def force(session: Session, ticket: Ticket, actor: Actor, note: str | None) -> None:
    """强制派单: the command center rules the return unfounded; the department must handle it."""
    ticket.signed_at = now()
    apply(session, ticket, Action.FORCE, actor, note=note, department_id=ticket.lead_department_id,
          data={"department": _name(ticket)})
    gate.judge(session, ticket.id, True)  # the center rules the unit was the right one: the dispatch confirmed
    followup.schedule(session, ticket)


def request_extension(session: Session, ticket: Ticket, actor: Actor, days: int, reason: str) -> None:
    clock = clock_for(session, ticket.policy_version)
    if (refusal := clock.extension_refusal(days, ticket.extension_used, ticket.due_at, now())) is not None:
        raise TransitionRefused(ticket, Action.REQUEST_EXTENSION, refusal, role=actor.role)
    ticket.extension_used = True
    apply(session, ticket, Action.REQUEST_EXTENSION, actor, note=reason, data={"days": days})


def decide_extension(session: Session, ticket: Ticket, actor: Actor, approve: bool, note: str | None) -> None:
    data: dict[str, Any] = {}
    if approve:
        asked_for = last_event(session, ticket, Action.REQUEST_EXTENSION)
        days = asked_for.data.get("days", 0) if asked_for else 0
        clock = clock_for(session, ticket.policy_version)
        ticket.due_at = clock.extended(ticket.due_at or now(), days)
        data = {"days": days, "due_at": ticket.due_at.isoformat(), "calendar": clock.sources}
    apply(session, ticket, Action.APPROVE_EXTENSION if approve else Action.REFUSE_EXTENSION, actor, note=note,
          data=data)
    if approve:
        followup.reset_cards(session, ticket)
        tell.extension_approved(session, ticket)


def wait_for_citizen(session: Session, ticket: Ticket, actor: Actor, message: str) -> None:
    """待补充: the clock stops until the citizen answers, as often as the county's policy allows."""
    taken = session.scalar(select(func.count()).select_from(TicketEvent).where(
        TicketEvent.ticket_id == ticket.id, TicketEvent.action == Action.WAIT_CITIZEN)) or 0
    if ticket.status == Status.IN_PROGRESS and (
            refusal := clock_for(session, ticket.policy_version).pause_refusal(taken)) is not None:
        raise TransitionRefused(ticket, Action.WAIT_CITIZEN, refusal, role=actor.role)
    ticket.paused_at = now()
    ticket.supplement_due_at = clock_for(session, ticket.policy_version).supplement_due(ticket.paused_at)
    apply(session, ticket, Action.WAIT_CITIZEN, actor,
          data={"message": message, "supplement_due_at": ticket.supplement_due_at.isoformat()})
    followup.schedule(session, ticket)
    tell.asked_for_supplement(session, ticket, message)


def resume(session: Session, ticket: Ticket, actor: Actor, supplement: str | None = None, *,
           timed_out: bool = False) -> None:
    """The clock starts again and the deadline moves by the time the pause counted. `timed_out`: the system
    goes on without the citizen's answer once the supplement deadline has passed (dispatch.waiting)."""
    data: dict[str, Any] = {"paused_minutes": 0.0}
    if timed_out:
        data["timed_out"] = True
    if ticket.paused_at is not None and ticket.due_at is not None and ticket.status == Status.WAITING_CITIZEN:
        clock, moment = clock_for(session, ticket.policy_version), now()
        data["paused_minutes"] = round(clock.paused_time(ticket.urgency, ticket.paused_at, moment).total_seconds() / 60, 1)
        ticket.due_at = clock.after_pause(ticket.due_at, ticket.urgency, ticket.paused_at, moment)
        data["calendar"] = clock.sources
    if ticket.due_at is not None:
        data["due_at"] = ticket.due_at.isoformat()
    if supplement:
        data["supplement"] = supplement
    asked_by, paused_at = ticket.supplement_due_at, ticket.paused_at
    apply(session, ticket, Action.RESUME, actor, data=data)
    ticket.paused_at = ticket.supplement_due_at = None
    followup.schedule(session, ticket)
    if timed_out and asked_by is not None and paused_at is not None:
        tell.supplement_timed_out(session, ticket, paused_at.isoformat(), spoken(asked_by))


def reply(session: Session, ticket: Ticket, actor: Actor, text: str) -> None:
    _close(session, ticket, actor, text, Action.REPLY)


def answer_on_the_spot(session: Session, ticket: Ticket, actor: Actor, text: str,
                       article_id: int | None = None) -> None:
    """The cited article must exist and be in force: the answer given on the phone is the article's."""
    if article_id is not None:
        article = session.get(KnowledgeArticle, article_id)
        if article is None or not article.active:
            raise UnknownArticle(f"知识库条目 {article_id} 不存在或已停用")
        if article.valid_until is not None and article.valid_until < knowledge_today():
            # The county's calendar day: an article in force until 10月8日 may be read out all of that day.
            raise UnknownArticle(f"知识库条目 {article_id}「{article.title}」已于 {article.valid_until.isoformat()} 过期，"
                                 "不能引用答复，请改用现行口径")
    _close(session, ticket, actor, text, Action.ANSWER, {"article_id": article_id} if article_id else {})


def _close(session: Session, ticket: Ticket, actor: Actor, text: str, action: Action,
           extra: dict[str, Any] | None = None) -> None:
    """The unit's answer: its clock stops here, on time or not. A reply to a ticket of a type the policy reviews
    waits for 办结审核 (dispatch.review); anything else closes now and the citizen is told."""
    moment = now()
    on_time = ticket.due_at is None or moment <= ticket.due_at
    ticket.reply = text
    ticket.closed_at = moment
    if action == Action.REPLY and (clock := clock_for(session, ticket.policy_version)).review_required(ticket.type):
        review.submit(session, ticket, actor, text, on_time, moment, clock)
        return
    apply(session, ticket, action, actor, data={"reply": text, "on_time": on_time, **(extra or {})})
    followup.schedule(session, ticket)
    callbacks.open_for(session, ticket)
    tell.answered(session, ticket, replied=action == Action.REPLY, stamp=moment.isoformat())


def rate(session: Session, ticket: Ticket, actor: Actor, satisfaction: str, solved: str,
         comment: str | None, contacted: bool | None = None) -> None:
    """好差评: the citizen online, or the operator on a 回访 call, records how the answer was taken (on a call
    also whether the unit contacted the caller). The open callback ends; a 差评 or a contradictory rating opens
    its review (dispatch.complaints)."""
    ticket.satisfaction = satisfaction
    ticket.solved = solved
    ticket.rating_comment = comment
    data: dict[str, Any] = {"satisfaction": satisfaction, "solved": solved, "rated_at": now().isoformat()}
    if contacted is not None:
        data["contacted"] = contacted
    event = apply(session, ticket, Action.RATE, actor, note=comment, data=data)
    callbacks.rated(session, ticket)
    complaints.open_if_due(session, ticket, event)


def reopen(session: Session, ticket: Ticket, actor: Actor, note: str, *, found_unsolved: bool = False) -> None:
    """重办: only when the citizen was unsatisfied and the center finds the department at fault, or when a 差评
    review found a 未解决 reasonable (`found_unsolved`, dispatch.complaints)."""
    if ticket.satisfaction != Satisfaction.UNSATISFIED and not found_unsolved:
        raise TransitionRefused(ticket, Action.REOPEN, "只有群众评价为「不满意」的工单才能重办", role=actor.role)
    clock = current_clock(session)
    moment = now()
    ticket.policy_version = clock.version
    ticket.due_at = clock.resolve_due(moment, ticket.type, ticket.urgency, _entry_limits(session, ticket))
    ticket.closed_at = None
    ticket.reply = None
    ticket.satisfaction = ticket.solved = None
    ticket.signed_at = moment
    apply(session, ticket, Action.REOPEN, actor, note=note, department_id=ticket.lead_department_id,
          data={"department": _name(ticket), "due_at": ticket.due_at.isoformat(),
                "calendar": clock.sources})
    followup.reset_cards(session, ticket)
    tell.reopened(session, ticket, _name(ticket))


def transfer(session: Session, ticket: Ticket, actor: Actor, line: str, note: str | None) -> None:
    """转警: the citizen hears where it went, and the line's 联动 desk gets the matter with the caller's number."""
    ticket.transferred_to = line
    apply(session, ticket, Action.TRANSFER, actor, note=note, data={"line": line})
    tell.transferred(session, ticket, line)
    tell.line_alerted(session, ticket, line, current_rules(session).linkage_phones.get(line))


def hand_back(session: Session, ticket: Ticket, actor: Actor, reason: str) -> None:
    """联动退回: 110 (or 119/120/122) finds it is not theirs (非警务); it waits for a person to dispatch it.

    Not routed again by the model: it was an emergency to the model once already, and a person who has just
    heard the line's reason decides where it goes. The event keeps which line returned it.
    """
    line = ticket.transferred_to
    ticket.transferred_to = None
    apply(session, ticket, Action.HAND_BACK, actor, note=reason, data={"line": line, "reason": reason})
    tell.handed_back(session, ticket, line)


def merge(session: Session, ticket: Ticket, parent: Ticket, actor: Actor, note: str | None) -> None:
    """并单: the duplicate follows its parent; the parent must be a live ticket, not itself merged."""
    if parent.id == ticket.id:
        raise TransitionRefused(ticket, Action.MERGE, "不能与自己并单", role=actor.role)
    if parent.status in (Status.MERGED, Status.TRANSFERRED, Status.ARCHIVED):
        raise TransitionRefused(ticket, Action.MERGE, f"主工单 {parent.number} 已{Status(parent.status).label}，不能并入",
                                role=actor.role)
    ticket.parent_id = parent.id
    apply(session, ticket, Action.MERGE, actor, note=note, data={"parent_number": parent.number})
    followup.schedule(session, ticket)
    tell.merged(session, ticket, parent)


def supervise(session: Session, ticket: Ticket, commander: Actor, message: str, respond_within_days: float | None,
              kind: Action = Action.SUPERVISE) -> SupervisionNotice:
    """A commander's own 督办单 (numbered), with the working days the department has to answer in writing: the
    commander's, or the county's policy (supervision_reply_working_days, 3 by default)."""
    clock = clock_for(session, ticket.policy_version)
    days = respond_within_days if respond_within_days is not None else clock.rules.supervision_reply_working_days
    respond_by = clock.respond_by(now(), days)
    event = apply(session, ticket, kind, commander, note=message, data={
        "message": message, "respond_by": respond_by.isoformat(), "calendar": clock.sources})
    notice = followup.notice(session, ticket, "manual", message, respond_by, actor=commander)
    event.data = {**event.data, "document_number": notice.document_number}
    session.flush()
    return notice


def answer_notice(session: Session, notice_id: int, handler: Actor, response: str) -> SupervisionNotice:
    """督办回复: the department's written answer, once per notice."""
    notice, ticket = supervision.load_notice(session, notice_id, handler)
    if notice.responded_at is not None:
        raise TransitionRefused(ticket, Action.SUPERVISION_RESPONSE, "该督办单已经回复过", role=handler.role)
    notice.response, notice.responded_at, notice.responded_by = response, now(), handler.id
    apply(session, ticket, Action.SUPERVISION_RESPONSE, handler, note=response,
          data={"notice_id": notice.id, "kind": notice.kind})
    return notice


def archive(session: Session, ticket: Ticket, actor: Actor) -> None:
    """归档, as before; a 差评 not yet reviewed keeps the ticket open (it must not close silently)."""
    if complaints.pending_for(session, ticket.id) is not None:
        raise TransitionRefused(ticket, Action.ARCHIVE, "该工单的差评尚未核查，核查后才能归档", role=actor.role)
    apply(session, ticket, Action.ARCHIVE, actor)


def record_callback(session: Session, ticket: Ticket, actor: Actor, outcome: str, note: str | None,
                    satisfaction: str | None, solved: str | None, contacted: bool | None) -> None:
    """One 回访 call: a failed one counts towards 回访失败; a reached one records the survey as the rating."""
    if outcome != callbacks.CONNECTED:
        callbacks.record_failed(session, ticket, actor, outcome, note)
        return
    callbacks.record_reached(session, ticket, actor, note)
    rate(session, ticket, actor, satisfaction or "", solved or "", note, contacted)


def review_complaint(session: Session, review_id: int, actor: Actor, verdict: str, remedy: str | None,
                     note: str | None) -> complaints.ComplaintReview:
    """差评核查: 合理 with 整改 or 重办, or 不合理 dismissed; a 重办 goes through the existing reopening."""
    review = complaints.load(session, review_id)
    ticket = session.get(Ticket, review.ticket_id)
    complaints.decide(session, review, ticket, actor, verdict, remedy, note)
    if review.status == complaints.REOPENED:
        reopen(session, ticket, actor, note or "差评核查合理，重新交办", found_unsolved=True)
    return review


def _name(ticket: Ticket) -> str:
    return ticket.lead_department.name if ticket.lead_department else "承办单位"
