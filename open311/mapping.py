"""Our workflow in GeoReport terms: open/closed, status notes from the public timeline, the lead department
as the agency, the deadline as expected_datetime, and what the public may see of each ticket.

What anyone on the internet may read is decided here, conservatively:
- never a name, phone number, e-mail or query code;
- people's own words (the description, a department's reply, a request to add details) and the exact
  place (address, coordinates, media) only for tickets that were filed through Open311, where the citizen
  chose a public civic-report app, and even then redacted (hotline.redaction: phones, IDs, cards, names);
- for calls and letters only structured facts: category, status, department, deadlines, village and township.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from classifier.taxonomy import leaf
from dispatch.policy import DeadlineClock
from hotline.clock import spoken
from hotline.models import Ticket, TicketEvent
from hotline.redaction import redact
from hotline.views import public_text
from hotline.vocabulary import Status, TicketType
from hotline.workflow import OPEN
from open311.formats import w3c
from open311.models import Open311Request

# attachment.source of a file a civic-report app sent with its request: the only files the public is shown (a
# photo the citizen adds later on the private citizen page, or a department's evidence, was never made public)
MEDIA_SOURCE = "open311"
# GeoReport's open is the workflow's OPEN; every other status (closed, rated, archived, merged, transferred) is closed
CLOSED = frozenset(Status) - OPEN
# events that have a sentence on the citizen's timeline (hotline.views.public_text)
PUBLIC_ACTIONS = ("receive", "dispatch", "redispatch", "force", "sign", "approve_extension", "wait_citizen",
                  "resume", "reply", "approve_reply", "return_reply", "answer", "rate", "reopen", "archive", "merge",
                  "transfer")
# their sentence quotes a person's free text: for calls and letters only the fact is told
_FACT_ONLY = {"reply": "已办结，答复已告知来电（来信）人", "answer": "已办结，答复已告知来电（来信）人",
              "approve_reply": "已办结，答复已告知来电（来信）人",
              "wait_citizen": "承办单位需要诉求人补充情况，办理时限暂停"}


def open_or_closed(status: str) -> str:
    return "open" if status in OPEN else "closed"


def statuses_for(wanted: Iterable[str]) -> set[str]:
    """GeoReport's open/closed filter as our statuses."""
    result: set[str] = set()
    for name in wanted:
        result |= CLOSED if name == "closed" else OPEN
    return result


def event_text(event: TicketEvent, shows_words: bool) -> str | None:
    under_review = event.action == "reply" and event.to_status == Status.PENDING_REVIEW  # no words, nothing told yet
    if not shows_words and event.action in _FACT_ONLY and not under_review:
        return _FACT_ONLY[event.action]
    text = public_text(event)
    return redact(text) if text else None


def service_code_of(ticket: Ticket, extra: Open311Request | None) -> str | None:
    """The category the center settled on, else the classifier's, else what the client asked for."""
    return ticket.category_code or ticket.suggested_category or (extra.service_code if extra else None)


def _service_name(code: str | None) -> str | None:
    try:
        return leaf(code).name if code else None
    except KeyError:
        return None


def service_notice(ticket: Ticket, clock: DeadlineClock) -> str | None:
    """What will happen next and by when, from the deadline the ticket carries or the policy it will get."""
    if ticket.status not in OPEN:
        return None
    if ticket.status == Status.WAITING_CITIZEN:
        return "办理时限暂停，待诉求人补充情况后继续计时"
    if ticket.status == Status.PENDING_REVIEW:
        return "承办单位已答复，热线审核通过后告知办理结果"
    if ticket.due_at is not None:
        agency = ticket.lead_department.name if ticket.lead_department else "承办单位"
        return f"由{agency}办理，应于 {spoken(ticket.due_at)} 前答复"
    return (f"已受理，综合指挥中心将按派单目录转交承办单位；{TicketType(ticket.type).label}类诉求"
            f"自派单起 {clock.limit_text(ticket.type, ticket.urgency)}内办结答复")


def _address(ticket: Ticket, shows_words: bool) -> str | None:
    """Most specific first, as the spec asks; a caller's street address stays private."""
    parts = [ticket.address] if shows_words and ticket.address else []
    parts += [p for p in (ticket.village, ticket.township) if p and not any(p in q for q in parts)]
    return ", ".join(parts) or None


def request_item(ticket: Ticket, extra: Open311Request | None, events: list[TicketEvent],
                 clock: DeadlineClock, photo_url: str | None = None) -> dict[str, Any]:
    """One <request> of GET requests, every field of the spec present (empty when we have nothing). `photo_url`
    is a signed link to the first photo the app uploaded; without one, the media_url the app sent, as sent."""
    shows_words = extra is not None
    notes = [text for e in events if (text := event_text(e, shows_words))]
    code = service_code_of(ticket, extra)
    closed = ticket.status not in OPEN
    updated = (ticket.closed_at or ticket.updated_at) if closed else ticket.updated_at
    return {
        "service_request_id": ticket.number,
        "status": open_or_closed(ticket.status),
        "status_notes": notes[-1] if notes else None,
        "service_name": _service_name(code),
        "service_code": code,
        "description": redact(ticket.content, names=[ticket.caller_name], phones=[ticket.caller_phone])
        if shows_words else None,
        "agency_responsible": ticket.lead_department.name if ticket.lead_department else None,
        "service_notice": service_notice(ticket, clock),
        "requested_datetime": w3c(ticket.created_at),
        "updated_datetime": w3c(updated),
        "expected_datetime": w3c(ticket.due_at),
        "address": _address(ticket, shows_words),
        "address_id": None,
        "zipcode": None,
        "lat": ticket.latitude if shows_words else None,
        "long": ticket.longitude if shows_words else None,
        "media_url": (photo_url or extra.media_url) if extra else None,
    }


def update_item(ticket: Ticket, extra: Open311Request | None, event: TicketEvent) -> dict[str, Any] | None:
    """One <request_update> of the FixMyStreet extension: a public timeline entry."""
    text = event_text(event, extra is not None)
    if text is None:
        return None
    return {
        "update_id": str(event.id),
        "service_request_id": ticket.number,
        "status": open_or_closed(event.to_status or ticket.status),
        "updated_datetime": w3c(event.created_at),
        "description": text,
        "media_url": None,
    }
