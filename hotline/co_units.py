"""联办 progress: which co-units (协办单位) have reported their part since the ticket was last dispatched.

Read from the ticket's own events (the dispatch records the co-units' due time, each report is a `co_report`
event of its unit), so the lead unit, the commander and the co-unit itself see the same answer."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from hotline.models import Ticket, TicketEvent
from hotline.vocabulary import Action
from hotline.workflow import TRANSITIONS

ROUND_STARTS = (Action.DISPATCH, Action.REDISPATCH)  # a new dispatch names the co-units anew


@dataclass(frozen=True, slots=True)
class CoUnitProgress:
    department_id: int
    name: str
    due_at: datetime | None
    report: TicketEvent | None  # the unit's co_report of this round, None until it reports


def progress(ticket: Ticket, events: Iterable[TicketEvent]) -> list[CoUnitProgress]:
    """Each co-unit of the ticket with its due time and its report of the current dispatch, in the lead's order."""
    round_events: list[TicketEvent] = []
    for event in events:
        if event.action in ROUND_STARTS:
            round_events = [event]
        elif round_events:
            round_events.append(event)
    if not round_events:
        return []
    due = round_events[0].data.get("co_report_due_at")
    named = round_events[0].data.get("co_departments") or []
    reports = {e.department_id: e for e in reversed(round_events) if e.action == Action.CO_REPORT}
    units = sorted(ticket.co_departments, key=lambda d: (named.index(d.name) if d.name in named else len(named), d.id))
    return [CoUnitProgress(d.id, d.name, datetime.fromisoformat(due) if due else None, reports.get(d.id))
            for d in units]


def overdue(unit: CoUnitProgress, ticket: Ticket, moment: datetime) -> bool:
    """Not reported by its due time while it still may be (the lead unit still works on the ticket): once the lead
    has replied, also while the reply waits in 办结审核, nothing is owed any more."""
    return (unit.report is None and unit.due_at is not None and moment > unit.due_at
            and ticket.status in TRANSITIONS[Action.CO_REPORT].sources)
