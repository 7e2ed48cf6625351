"""Quiet hours (免打扰时段): no citizen is texted at 03:00 about a street lamp, but nobody waits on an emergency.

The window is the county's policy (`PolicyRules.quiet_hours`, default 22:00-07:00 Asia/Shanghai). The outbox
asks `hold_until` before each send (hotline.jobs.hold_messages_with, wired in web.process), so every path
(the fast path after the commit, the minute sweep, a retry after a failure) keeps the same rule:

- staff messages go to duty phones (值班电话) and are never held;
- a citizen's message about an urgent ticket (policy's exempt urgencies), an emergency the classifier flagged or a
  ticket transferred to 110/119/120/122 goes at once;
- any other citizen message that falls due inside the window waits until its end, never dropped. One that fell
  due before the window opened and is picked up a moment late (a busy worker at 22:00:30) still goes: `GRACE`.
"""

from __future__ import annotations

import time as monotonic
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.policy import PolicyRules, current_policy, rules_of
from hotline.clock import local
from hotline.models import Notification, Ticket
from hotline.settings import TIME_ZONE
from hotline.vocabulary import Status

GRACE = timedelta(minutes=5)
RULES_TTL = 30.0  # seconds a process keeps the policy's window before reading it again
_cached: tuple[float, PolicyRules] | None = None


def window_around(moment: datetime, start: time, end: time) -> tuple[datetime, datetime] | None:
    """The quiet window `moment` falls in, as aware datetimes, or None when it falls in none.

    Start inclusive, end exclusive: with 22:00-07:00, 21:59 is outside, 22:00 and 06:59 inside, 07:00 outside.
    """
    here = local(moment)
    day = here.date()
    for offset in (-1, 0):  # a window past midnight began the day before
        begins = datetime.combine(day + timedelta(days=offset), start, TIME_ZONE)
        ends = datetime.combine(begins.date() + timedelta(days=1 if end <= start else 0), end, TIME_ZONE)
        if begins <= here < ends:
            return begins, ends
    return None


def held_until(rules: PolicyRules, due: datetime, moment: datetime) -> datetime | None:
    """When a non-exempt citizen message due at `due` and looked at `moment` may go (None: now)."""
    if (window := rules.quiet_window) is None or (around := window_around(moment, *window)) is None:
        return None
    begins, ends = around
    if due < begins and moment - begins <= GRACE:
        return None
    return ends


def exempt(rules: PolicyRules, urgency: str, emergency_kind: str | None, status: str) -> bool:
    """Urgent tickets and emergencies are told at once, at any hour."""
    return (urgency in rules.quiet_hours_exempt_urgencies or emergency_kind is not None
            or status == Status.TRANSFERRED)


def _rules(session: Session) -> PolicyRules:
    global _cached
    if _cached is None or monotonic.monotonic() - _cached[0] > RULES_TTL:
        _cached = (monotonic.monotonic(), rules_of(current_policy(session)))
    return _cached[1]


def forget() -> None:
    """Read the policy again at the next send (after publishing a new one, and in tests)."""
    global _cached
    _cached = None


def hold_until(session: Session, notification: Notification, moment: datetime) -> datetime | None:
    """The outbox's gate: None to send now, else the moment the message may go."""
    if notification.audience != "citizen":
        return None
    rules = _rules(session)
    hold = held_until(rules, notification.next_attempt_at, moment)
    if hold is None or notification.ticket_id is None:
        return hold
    ticket = session.execute(select(Ticket.urgency, Ticket.emergency_kind, Ticket.status)
                             .where(Ticket.id == notification.ticket_id)).first()
    return None if ticket is not None and exempt(rules, *ticket) else hold
