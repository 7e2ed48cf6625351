"""The measures the center is judged by, computed from the event log for any slice and period.

Definitions (docs/deadlines.md, Measures; the monthly assessment per unit: docs/assessment.md):
- 按时签收率 sign_on_time_rate: sign-fors in the period that came before the sign deadline.
- 按期办结率 on_time_rate: replies and on-the-spot answers in the period given by the due time; a reply that
  办结审核 returned in the period comes off both counts (it was no 办结).
- 直接答复率 direct_answer_rate: tickets received in the period that were answered on the spot.
- 响应率 response_rate: tickets received in the period answered on the spot or signed for in time.
- 解决率 resolution_rate: ratings in the period saying 已解决.
- 满意率 satisfaction_rate: ratings in the period saying 满意 or 基本满意.
- 退单率 return_rate: returns per dispatch; 重复件率 duplicate_rate: merges (并单) and 重复诉求 (a caller back
  about a problem answered before, dispatch.repeats) per received ticket.

Imported history (ticket.imported_at set, hotline.history) is left out unless the slice asks for it with
`include_imported`. Then its tickets received in the period count in `received` (and `imported`), and their ratings
in `rated`, 解决率 and 满意率; the history says nothing about sign-for, deadlines or answers on the spot, so the
rates built on those (and 直接答复率, 响应率, 重复件率, whose denominator is what was received) stay live-only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from hotline.models import Ticket, TicketEvent
from hotline.settings import TIME_ZONE
from hotline.vocabulary import Satisfaction, Solved, Status
from hotline.workflow import OPEN


@dataclass(frozen=True)
class Slice:
    """Which tickets to measure; None means all."""

    department_id: int | None = None
    category_code: str | None = None
    township: str | None = None
    channel: str | None = None
    include_imported: bool = False  # history brought in by hotline.history; docs/history.md

    def apply(self, query: Select[Any], *, imported: bool = False) -> Select[Any]:
        """The slice's conditions; live tickets only, or (`imported`) the imported ones only."""
        conditions = [Ticket.imported_at.is_not(None) if imported else Ticket.imported_at.is_(None)]
        if self.department_id is not None:
            conditions.append(Ticket.lead_department_id == self.department_id)
        if self.category_code is not None:
            conditions.append(Ticket.category_code.startswith(self.category_code))
        if self.township is not None:
            conditions.append(Ticket.township == self.township)
        if self.channel is not None:
            conditions.append(Ticket.channel == self.channel)
        return query.where(and_(*conditions))


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def compute(session: Session, start: datetime, end: datetime, where: Slice = Slice()) -> dict[str, Any]:
    """Counts and rates for events in [start, end) of tickets in the slice."""
    action, data, when = TicketEvent.action, TicketEvent.data, TicketEvent.created_at

    def count(*conditions: Any) -> Any:
        return func.count(TicketEvent.id).filter(and_(*conditions))

    on_time = data["on_time"].as_boolean().is_(True)
    query = where.apply(
        select(
            count(action == "receive"),
            count(action == "answer"),
            count(action.in_(("dispatch", "redispatch"))),
            count(action == "sign"),
            count(action == "sign", on_time),
            count(action.in_(("reply", "answer"))),
            count(action.in_(("reply", "answer")), on_time),
            count(action == "rate"),
            count(action == "rate", data["solved"].as_string() == Solved.SOLVED),
            count(action == "rate", data["satisfaction"].as_string().in_((Satisfaction.SATISFIED,
                                                                         Satisfaction.BASICALLY))),
            count(action == "return"),
            count(action == "merge"),
            count(action == "flag_repeat"),
            count(action == "return_reply"),
            count(action == "return_reply", data["reply_on_time"].as_boolean().is_(True)),
        )
        .select_from(TicketEvent)
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .where(when >= start, when < end)
    )
    (received, answered, dispatched, signed, signed_on_time, closed, closed_on_time, rated, solved, satisfied,
     returned, merged, repeated, reply_returned, reply_returned_on_time) = session.execute(query).one()
    closed, closed_on_time = closed - reply_returned, closed_on_time - reply_returned_on_time
    responded_in_time = _responded_in_time(session, start, end, where)
    live_received = received
    history: dict[str, int] = {}
    if where.include_imported:
        history = _imported(session, start, end, where)
        received += history["imported"]
        rated, solved, satisfied = rated + history["rated"], solved + history["solved"], satisfied + history["satisfied"]
    return {
        "received": received, "answered_on_the_spot": answered, "dispatched": dispatched, "signed": signed,
        "closed": closed, "rated": rated, "returned": returned, "merged": merged, "repeated": repeated,
        **({"imported": history["imported"]} if history else {}),
        "sign_on_time_rate": _ratio(signed_on_time, signed),
        "on_time_rate": _ratio(closed_on_time, closed),
        "direct_answer_rate": _ratio(answered, live_received),
        "response_rate": _ratio(responded_in_time, live_received),
        "resolution_rate": _ratio(solved, rated),
        "satisfaction_rate": _ratio(satisfied, rated),
        "return_rate": _ratio(returned, dispatched),
        "duplicate_rate": _ratio(merged + repeated, live_received),
    }


def _imported(session: Session, start: datetime, end: datetime, where: Slice) -> dict[str, int]:
    """Imported tickets received in the period, and their ratings as the history recorded them."""
    query = where.apply(select(
        func.count(Ticket.id),
        func.count(Ticket.id).filter(Ticket.satisfaction.is_not(None)),
        func.count(Ticket.id).filter(Ticket.solved == Solved.SOLVED),
        func.count(Ticket.id).filter(Ticket.satisfaction.in_((Satisfaction.SATISFIED, Satisfaction.BASICALLY))),
    ).where(Ticket.created_at >= start, Ticket.created_at < end), imported=True)
    imported, rated, solved, satisfied = session.execute(query).one()
    return {"imported": imported, "rated": rated, "solved": solved, "satisfied": satisfied}


def _responded_in_time(session: Session, start: datetime, end: datetime, where: Slice) -> int:
    """Tickets received in the period whose first answer or sign-for was within its limit."""
    received_in_period = where.apply(select(Ticket.id).where(Ticket.created_at >= start, Ticket.created_at < end))
    responses = (
        select(func.count(func.distinct(TicketEvent.ticket_id)))
        .where(TicketEvent.ticket_id.in_(received_in_period.scalar_subquery()))
        .where(TicketEvent.action.in_(("answer", "sign")))
        .where(TicketEvent.data["on_time"].as_boolean().is_(True))
    )
    return session.scalar(responses) or 0


def open_counts(session: Session, now: datetime, where: Slice = Slice()) -> dict[str, int]:
    query = where.apply(select(
        func.count(Ticket.id),
        # a reply waiting in 办结审核 stopped the unit's clock: the review's time is not the unit's lateness
        func.count(Ticket.id).filter(Ticket.due_at < now, Ticket.status != Status.PENDING_REVIEW),
        func.count(Ticket.id).filter(Ticket.card == "yellow"),
        func.count(Ticket.id).filter(Ticket.card == "red"),
    ).where(Ticket.status.in_(OPEN)))
    open_, overdue, yellow, red = session.execute(query).one()
    return {"open": open_, "overdue": overdue, "yellow": yellow, "red": red}


def period_bounds(kind: str, now: datetime) -> tuple[datetime, datetime]:
    """Today, this month or this year in Asia/Shanghai, as [start, end) instants."""
    today = now.astimezone(TIME_ZONE).date()
    first = {"today": today, "month": today.replace(day=1), "year": date(today.year, 1, 1)}[kind]
    start = datetime.combine(first, time(0), TIME_ZONE)
    return start, datetime.combine(today + timedelta(days=1), time(0), TIME_ZONE)


def handling_days(session: Session, start: datetime, end: datetime, where: Slice = Slice()) -> dict[str, Any]:
    """Average and 90th-percentile working days from dispatch to reply, for tickets replied in the period."""
    from dispatch.policy import current_clock

    rows = session.execute(where.apply(
        select(Ticket.dispatched_at, Ticket.closed_at)
        .where(Ticket.closed_at >= start, Ticket.closed_at < end, Ticket.dispatched_at.is_not(None))
    )).all()
    calendar = current_clock(session).calendar
    days = sorted(calendar.working_days_between(a, b) for a, b in rows)
    if not days:
        return {"handled": 0, "avg_working_days": None, "p90_working_days": None}
    p90 = days[max(0, math.ceil(0.9 * len(days)) - 1)]
    return {"handled": len(days), "avg_working_days": round(sum(days) / len(days), 2),
            "p90_working_days": round(p90, 2)}


HEADLINE_KEYS = ("on_time_rate", "response_rate", "resolution_rate", "satisfaction_rate")


def headline(session: Session, *, now: datetime) -> dict[str, dict[str, float | None]]:
    """按期办结率 and the 三率 for today, this month and this year: what the big screen shows."""
    result = {}
    for kind in ("today", "month", "year"):
        measures = compute(session, *period_bounds(kind, now))
        result[kind] = {key: measures[key] for key in HEADLINE_KEYS}
    return result
