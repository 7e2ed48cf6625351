"""What a citizen is told when their ticket changes: 待补充, its timeout, extension, reopening, transfer, merge, the
answer (at the reply, or after 办结审核 at its approval); and what a unit is told when its reply is returned.

The words are `hotline.outbox.TEMPLATES`; this module picks the message, its values and its dedupe key, so that a
step recorded twice (two sweeps, a retried job) texts once. Messages carry only what the recipient already has:
their own ticket's number, dates, the unit handling it, and for a merged caller the surviving ticket's number and
query code, which they need to follow it (the same pair a receipt carries).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from hotline import outbox
from hotline.clock import spoken
from hotline.models import Ticket

# the emergency lines in words, and the number to dial if it gets worse
LINES = {"110": "110报警服务台", "119": "119消防救援", "120": "120急救中心", "122": "122交通事故报警台"}
ASKED_MAX = 60  # characters of the handler's request quoted in the SMS; the whole text is on the citizen page


def _quoted(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= ASKED_MAX else text[: ASKED_MAX - 1] + "…"


def asked_for_supplement(session: Session, ticket: Ticket, asked: str) -> None:
    outbox.queue(session, "waiting", dedupe_key=f"waiting:{ticket.id}:{ticket.paused_at.isoformat()}",
                 ticket=ticket, phone=ticket.caller_phone, number=ticket.number, asked=_quoted(asked),
                 by=spoken(ticket.supplement_due_at))


def supplement_timed_out(session: Session, ticket: Ticket, paused_at_iso: str, by: str) -> None:
    outbox.queue(session, "wait_timeout", dedupe_key=f"wait_timeout:{ticket.id}:{paused_at_iso}", ticket=ticket,
                 phone=ticket.caller_phone, number=ticket.number, by=by, due=spoken(ticket.due_at))


def extension_approved(session: Session, ticket: Ticket) -> None:
    outbox.queue(session, "extended", dedupe_key=f"extended:{ticket.id}:{ticket.due_at.isoformat()}", ticket=ticket,
                 phone=ticket.caller_phone, number=ticket.number, due=spoken(ticket.due_at))


def reopened(session: Session, ticket: Ticket, department: str) -> None:
    outbox.queue(session, "reopened", dedupe_key=f"reopened:{ticket.id}:{ticket.due_at.isoformat()}", ticket=ticket,
                 phone=ticket.caller_phone, number=ticket.number, department=department, due=spoken(ticket.due_at))


def transferred(session: Session, ticket: Ticket, line: str) -> None:
    outbox.queue(session, "transferred", dedupe_key=f"transferred:{ticket.id}", ticket=ticket,
                 phone=ticket.caller_phone, number=ticket.number, line=LINES.get(line, line), dial=line)


def handed_back(session: Session, ticket: Ticket, line: str | None) -> None:
    outbox.queue(session, "handed_back", dedupe_key=f"handed_back:{ticket.id}:{ticket.version}", ticket=ticket,
                 phone=ticket.caller_phone, number=ticket.number, line=LINES.get(line or "", line or "联动单位"))


def line_alerted(session: Session, ticket: Ticket, line: str, desk_phone: str | None) -> None:
    """The line's 联动 desk gets what it needs to act: where, what, and the caller's number to call back."""
    outbox.queue(session, "staff_linkage", dedupe_key=f"linkage:{ticket.id}:{line}", ticket=ticket,
                 phone=desk_phone, number=ticket.number, content=_quoted(ticket.content),
                 address=ticket.address or "未提供", caller=ticket.caller_phone or "未留电话")


def merged_into(session: Session, ticket: Ticket) -> list[Ticket]:
    """Every ticket merged into this one, at any depth (A into B into C: C's are B and A), oldest merge first."""
    found: list[Ticket] = []
    frontier = [ticket.id]
    query = select(Ticket).options(lazyload(Ticket.lead_department), lazyload(Ticket.co_departments))
    while frontier:
        children = list(session.scalars(query.where(Ticket.parent_id.in_(frontier)).order_by(Ticket.id)))
        children = [child for child in children if child.id != ticket.id and child not in found]
        found += children
        frontier = [child.id for child in children]
    return found


def merged(session: Session, ticket: Ticket, survivor: Ticket) -> None:
    """The merged caller, and every caller merged into them before, now follow the survivor."""
    outbox.queue_all(session, [
        outbox.Message("merged", f"merged:{follower.id}:{survivor.id}", follower.caller_phone,
                       {"number": follower.number, "survivor": survivor.number, "code": survivor.query_code},
                       ticket_id=follower.id)
        for follower in [ticket, *merged_into(session, ticket)] if follower.caller_phone])


def survivor_answered(session: Session, ticket: Ticket) -> None:
    """The survivor is answered: each caller merged into it hears so, with the pair that opens the answer."""
    stamp = ticket.closed_at.isoformat()
    outbox.queue_all(session, [
        outbox.Message("merged_reply", f"merged_reply:{follower.id}:{stamp}", follower.caller_phone,
                       {"survivor": ticket.number, "code": ticket.query_code}, ticket_id=follower.id)
        for follower in merged_into(session, ticket) if follower.caller_phone])


def answered(session: Session, ticket: Ticket, *, replied: bool, stamp: str) -> None:
    """The ticket is closed with an answer: the caller (and callers merged into it) hear of it and are asked to
    rate it. `replied`: a unit's reply (the 办结 notice), not an answer on the spot. Sent once per `stamp`."""
    survivor_answered(session, ticket)
    if replied:
        outbox.queue(session, "reply_ready", dedupe_key=f"reply_ready:{ticket.id}:{stamp}", ticket=ticket,
                     phone=ticket.caller_phone, number=ticket.number)
    outbox.queue(session, "rating_invite", dedupe_key=f"rating_invite:{ticket.id}:{stamp}", ticket=ticket,
                 phone=ticket.caller_phone, number=ticket.number)


def reply_returned(session: Session, ticket: Ticket, reason: str, stamp: str) -> None:
    """The unit's duty phone learns that its reply was returned, why, and that the deadline stands."""
    department = ticket.lead_department
    outbox.queue(session, "staff_reply_returned", dedupe_key=f"reply_returned:{ticket.id}:{stamp}", ticket=ticket,
                 phone=department.duty_phone if department else None, department_id=ticket.lead_department_id,
                 number=ticket.number, reason=_quoted(reason), due=spoken(ticket.due_at) if ticket.due_at else "原期限")
