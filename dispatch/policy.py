"""The county's time-limit policy: data in a versioned table, defaults from Guangdong's rules."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispatch.calendar import WorkCalendar
from dispatch.models import CalendarOverride, TimeLimitPolicy

DEFAULT_RULES: dict[str, Any] = {
    "resolve_working_days": {
        "consultation": 2, "help": 10, "suggestion": 10, "complaint": 15, "report": 15, "praise": 2,
    },
    "resolve_hours_by_urgency": {"urgent": 2, "restoration": 24},
    "sign_working_minutes": 120,
    "sign_minutes_by_urgency": {"urgent": 30, "restoration": 30},
    "return_window_working_days": 1,
    "extension_max_working_days": 10,
    "working_hours": [["09:00", "12:00"], ["13:30", "17:30"]],
    "yellow_ratio": 0.8,
    "supervise_after_working_days": 2,
    "escalate_after_working_days": 5,
}

def current_policy(session: Session) -> TimeLimitPolicy:
    version = session.scalar(select(func.max(TimeLimitPolicy.version)))
    if version is None:
        policy = TimeLimitPolicy(version=1, rules=DEFAULT_RULES)
        session.add(policy)
        session.flush()
        return policy
    return session.get(TimeLimitPolicy, version)

def policy_for(session: Session, version: int | None) -> TimeLimitPolicy:
    if version is not None and (policy := session.get(TimeLimitPolicy, version)) is not None:
        return policy
    return current_policy(session)

def calendar_for(session: Session, rules: dict[str, Any]) -> WorkCalendar:
    overrides = dict(session.execute(select(CalendarOverride.day, CalendarOverride.is_workday)).all())
    hours = tuple((time.fromisoformat(a), time.fromisoformat(b)) for a, b in rules["working_hours"])
    return WorkCalendar(overrides=overrides, hours=hours)

def resolve_deadline(calendar: WorkCalendar, rules: dict[str, Any], start: datetime, kind: str,
                     urgency: str) -> datetime:

    if (hours := rules["resolve_hours_by_urgency"].get(urgency)) is not None:
        return start + timedelta(hours=hours)
    return calendar.add_working_days(start, rules["resolve_working_days"][kind])

def sign_deadline(calendar: WorkCalendar, rules: dict[str, Any], start: datetime, urgency: str) -> datetime:

    if (minutes := rules["sign_minutes_by_urgency"].get(urgency)) is not None:
        return start + timedelta(minutes=minutes)
    return calendar.add_working_minutes(start, rules["sign_working_minutes"])
