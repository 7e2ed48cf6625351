"""月度考核: every measure per unit and for the county, month-end open/overdue from the log, and a ranking.

Definitions (numerator / denominator) are in docs/assessment.md. Two rules shape the queries:
- A step a unit takes or is sent (派单, 改派, 签收, 退单, 办结) counts for the unit on its event
  (`ticket_event.department_id`), so a return stays with the unit that returned it after the ticket went on to
  another; everything else (受理, 评价, 延期, 催办, 督办, 并单) counts for the ticket's lead unit.
- 月末在办 / 月末超期 are the ticket's state at the month's last moment, replayed from the event log, not today's.
Imported history (hotline.history) is left out: it has no steps, deadlines or sign-fors to assess.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from hotline.co_units import ROUND_STARTS
from hotline.models import Department, Ticket, TicketEvent
from hotline.vocabulary import Action, Role, Satisfaction, Solved, Status
from hotline.workflow import CLOCK_RUNNING, OPEN

# Who may read the assessment. A 'leader' role (another change) joins by being added here, nothing else.
ASSESSMENT_ROLES: tuple[Role, ...] = (Role.COMMANDER, Role.ADMIN)

UNIT_STEPS = (Action.DISPATCH, Action.REDISPATCH, Action.SIGN, Action.RETURN, Action.REPLY)
LEAD_CHANGES = (Action.DISPATCH, Action.REDISPATCH, Action.FORCE, Action.REOPEN)
TERMINAL = (Status.MERGED, Status.TRANSFERRED, Status.ARCHIVED)
INVERTED = frozenset({"return_rate", "duplicate_rate"})  # fewer is better: the score takes 1 - rate
COUNTS = ("received", "answered_on_the_spot", "dispatched", "signed", "signed_on_time", "closed", "closed_on_time",
          "rated", "solved", "satisfied", "returned", "merged", "repeated", "extended", "urged", "supervised",
          "responded", "co_asked", "co_reported_on_time")
CO_REPORT_LOOKBACK = timedelta(days=120)  # a co-unit's due time is at most 60 working days after its dispatch


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def event_counts(session: Session, start: datetime, end: datetime) -> dict[int | None, dict[str, int]]:
    """The month's events counted per unit (None: tickets no unit holds, such as answers on the spot)."""
    action, data = TicketEvent.action, TicketEvent.data
    unit = case((and_(action.in_(UNIT_STEPS), TicketEvent.department_id.is_not(None)), TicketEvent.department_id),
                else_=Ticket.lead_department_id).label("unit")
    on_time = data["on_time"].as_boolean().is_(True)

    def count(*conditions: Any) -> Any:
        return func.count(TicketEvent.id).filter(and_(*conditions))

    columns = {
        "received": count(action == Action.RECEIVE),
        "answered_on_the_spot": count(action == Action.ANSWER),
        "dispatched": count(action.in_((Action.DISPATCH, Action.REDISPATCH))),
        "signed": count(action == Action.SIGN),
        "signed_on_time": count(action == Action.SIGN, on_time),
        "closed": count(action.in_((Action.REPLY, Action.ANSWER))),
        "closed_on_time": count(action.in_((Action.REPLY, Action.ANSWER)), on_time),
        "rated": count(action == Action.RATE),
        "solved": count(action == Action.RATE, data["solved"].as_string() == Solved.SOLVED),
        "satisfied": count(action == Action.RATE, data["satisfaction"].as_string().in_(
            (Satisfaction.SATISFIED, Satisfaction.BASICALLY))),
        "returned": count(action == Action.RETURN),
        "merged": count(action == Action.MERGE),
        "repeated": count(action == Action.FLAG_REPEAT),
        "reply_returned": count(action == Action.RETURN_REPLY),
        "reply_returned_on_time": count(action == Action.RETURN_REPLY, data["reply_on_time"].as_boolean().is_(True)),
        "extended": count(action == Action.APPROVE_EXTENSION),
        "urged": count(action == Action.URGE),
        "supervised": count(action == Action.SUPERVISE),
    }
    query = (select(unit, *columns.values()).select_from(TicketEvent).join(Ticket, Ticket.id == TicketEvent.ticket_id)
             .where(TicketEvent.created_at >= start, TicketEvent.created_at < end, Ticket.imported_at.is_(None))
             .group_by(unit))
    result: dict[int | None, dict[str, int]] = {}
    for row in session.execute(query):
        counts = dict(zip(columns, row[1:], strict=True))
        # a reply 办结审核 sent back was no 办结: it comes off, and off the on-time ones if it had been in time
        counts["closed"] -= counts.pop("reply_returned")
        counts["closed_on_time"] -= counts.pop("reply_returned_on_time")
        result[row[0]] = counts
    for department_id, responded in _responded(session, start, end).items():
        result.setdefault(department_id, {}).update(responded=responded)
    for department_id, co_counts in co_reports(session, start, end).items():
        result.setdefault(department_id, {}).update(co_counts)
    return result


def co_reports(session: Session, start: datetime, end: datetime) -> dict[int, dict[str, int]]:
    """协办按时反馈: per co-unit, the reports due in the month (one per co-unit per dispatch) and how many came by
    their due time. A report never made counts as asked and not on time."""
    rounds = select(TicketEvent.ticket_id).where(TicketEvent.action.in_(ROUND_STARTS),
                                                 TicketEvent.created_at >= start - CO_REPORT_LOOKBACK,
                                                 TicketEvent.created_at < end)
    events = session.execute(
        select(TicketEvent.ticket_id, TicketEvent.action, TicketEvent.department_id, TicketEvent.data,
               TicketEvent.created_at)
        .where(TicketEvent.ticket_id.in_(rounds.scalar_subquery()),
               TicketEvent.action.in_((*ROUND_STARTS, Action.CO_REPORT)))
        .order_by(TicketEvent.ticket_id, TicketEvent.id))
    result: dict[int, dict[str, int]] = defaultdict(lambda: {"co_asked": 0, "co_reported_on_time": 0})
    asked: dict[int, datetime] = {}  # the current dispatch's co-units and their due time, for one ticket

    def settle() -> None:
        for unit, due in asked.items():
            if start <= due < end:
                result[unit]["co_asked"] += 1
        asked.clear()

    ticket = None
    for ticket_id, action, department_id, data, created_at in events:
        if ticket_id != ticket or action in ROUND_STARTS:
            settle()
            ticket = ticket_id
        if action in ROUND_STARTS:
            if due := data.get("co_report_due_at"):
                asked.update(dict.fromkeys(data.get("co_department_ids", []), datetime.fromisoformat(due)))
        elif department_id in asked:
            due = asked.pop(department_id)
            if start <= due < end:
                result[department_id]["co_asked"] += 1
                result[department_id]["co_reported_on_time"] += int(created_at <= due)
    settle()
    return dict(result)


def _responded(session: Session, start: datetime, end: datetime) -> dict[int | None, int]:
    """响应: tickets received in the month whose answer on the spot or first sign-for came within its limit."""
    response = aliased(TicketEvent)
    in_time = exists().where(response.ticket_id == Ticket.id, response.action.in_((Action.ANSWER, Action.SIGN)),
                             response.data["on_time"].as_boolean().is_(True))
    query = (select(Ticket.lead_department_id, func.count(Ticket.id))
             .where(Ticket.created_at >= start, Ticket.created_at < end, Ticket.imported_at.is_(None), in_time)
             .group_by(Ticket.lead_department_id))
    return {department_id: n for department_id, n in session.execute(query)}


@dataclass
class _Replay:
    status: str | None = None
    unit: int | None = None
    due: datetime | None = None
    paused_at: datetime | None = None


def month_end_state(session: Session, moment: datetime) -> dict[int | None, dict[str, int]]:
    """月末在办 and 月末超期 per unit as at `moment`, replayed from each ticket's events before it.

    Overdue: the resolve clock runs (待签收, 办理中, 延期审核) and the deadline then in force has passed, or the
    ticket waits on the citizen and the wait began after its deadline (a pause stops the clock, not a lateness).
    Tickets that cannot have been open at `moment` are not replayed: closed before it for the last time, or
    ended for good (merged, transferred, archived) before it.
    """
    candidates = select(Ticket.id).where(
        Ticket.imported_at.is_(None), Ticket.created_at < moment,
        or_(Ticket.closed_at.is_(None), Ticket.closed_at >= moment),
        ~and_(Ticket.status.in_(TERMINAL), Ticket.updated_at < moment))
    events = session.execute(
        select(TicketEvent.ticket_id, TicketEvent.action, TicketEvent.to_status, TicketEvent.department_id,
               TicketEvent.data["due_at"].as_string(), TicketEvent.created_at)
        .where(TicketEvent.ticket_id.in_(candidates.scalar_subquery()), TicketEvent.created_at < moment)
        .order_by(TicketEvent.ticket_id, TicketEvent.id))
    replays: dict[int, _Replay] = defaultdict(_Replay)
    for ticket_id, action, to_status, department_id, due_at, created_at in events:
        replay = replays[ticket_id]
        replay.status = to_status
        if action in LEAD_CHANGES and department_id is not None:
            replay.unit = department_id
        if due_at:
            replay.due = datetime.fromisoformat(due_at)
        if action == Action.WAIT_CITIZEN:
            replay.paused_at = created_at
    result: dict[int | None, dict[str, int]] = defaultdict(lambda: {"month_end_open": 0, "month_end_overdue": 0})
    for replay in replays.values():
        if replay.status not in OPEN:
            continue
        result[replay.unit]["month_end_open"] += 1
        due = replay.due
        if due is not None and (
                (replay.status in CLOCK_RUNNING and due < moment)
                or (replay.status == Status.WAITING_CITIZEN and replay.paused_at is not None
                    and replay.paused_at > due)):
            result[replay.unit]["month_end_overdue"] += 1
    return dict(result)


def figures(counts: dict[str, int], *, county: bool) -> dict[str, Any]:
    """The rates from the counts; 直接答复率 is the hotline's own (units never answer on the spot): county only."""
    c = defaultdict(int, counts)
    return {
        **{key: c[key] for key in COUNTS},
        "month_end_open": c["month_end_open"], "month_end_overdue": c["month_end_overdue"],
        "closed_late": c["closed"] - c["closed_on_time"],
        "sign_on_time_rate": _ratio(c["signed_on_time"], c["signed"]),
        "on_time_rate": _ratio(c["closed_on_time"], c["closed"]),
        "direct_answer_rate": _ratio(c["answered_on_the_spot"], c["received"]) if county else None,
        "response_rate": _ratio(c["responded"], c["received"]),
        "resolution_rate": _ratio(c["solved"], c["rated"]),
        "satisfaction_rate": _ratio(c["satisfied"], c["rated"]),
        "return_rate": _ratio(c["returned"], c["dispatched"]),
        "duplicate_rate": _ratio(c["merged"] + c["repeated"], c["received"]),
        "co_report_on_time_rate": _ratio(c["co_reported_on_time"], c["co_asked"]),
    }


def score(row: dict[str, Any], weights: dict[str, float]) -> float | None:
    """Weighted mean of the unit's rates on 0-100; a rate the unit has no denominator for is left out and the
    other weights carry the score (a unit nobody rated is judged on the rest). None: nothing to weigh."""
    total = weighed = 0.0
    for key, weight in weights.items():
        value = row.get(key)
        if value is None or not weight:
            continue
        total += weight * ((1 - value) if key in INVERTED else value)
        weighed += weight
    return round(100 * total / weighed, 2) if weighed else None


def rank(rows: list[dict[str, Any]]) -> None:
    """1..n by score, highest first; equal scores share a rank (1, 1, 3). Rows without a score get no rank."""
    scored = sorted((r for r in rows if r["score"] is not None), key=lambda r: -r["score"])
    for position, row in enumerate(scored, start=1):
        row["rank"] = position if position == 1 or row["score"] != scored[position - 2]["score"] \
            else scored[position - 2]["rank"]
    for row in rows:
        row.setdefault("rank", None)


def _active(counts: dict[str, int]) -> bool:
    return any(counts.get(key) for key in ("received", "dispatched", "signed", "closed", "rated", "returned",
                                           "month_end_open", "co_asked"))


def assess(session: Session, start: datetime, end: datetime, month_end: datetime) -> dict[str, Any]:
    """Every active unit in order of rank (units without tickets that month listed last, unranked), and the
    county total over all tickets. `month_end` is the moment the open/overdue counts are taken at."""
    from dispatch.policy import current_policy, rules_of

    weights = rules_of(current_policy(session)).assessment_weights
    per_unit = event_counts(session, start, end)
    for unit, state in month_end_state(session, month_end).items():
        per_unit.setdefault(unit, {}).update(state)
    county: dict[str, int] = defaultdict(int)
    for counts in per_unit.values():
        for key, value in counts.items():
            county[key] += value
    units = []
    for department in session.scalars(select(Department).where(Department.active).order_by(Department.id)):
        counts = per_unit.get(department.id, {})
        row = {"department_id": department.id, "department": department.name,
               **figures(counts, county=False), "active": _active(counts)}
        row["score"] = score(row, weights) if row["active"] else None
        units.append(row)
    rank(units)
    units.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, not r["active"], r["department_id"]))
    total = {"department_id": None, "department": "全县合计", **figures(county, county=True), "active": True,
             "score": None, "rank": None}
    return {"weights": weights, "units": units, "total": total}
