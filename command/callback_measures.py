"""回访 and 差评 figures per unit for a period: what the monthly assessment reads (command.reports wires it).

Definitions (docs/callbacks.md):
- callbacks_due: callbacks whose due date falls in the period;
- callbacks_on_time: of those, reached (a rating recorded) by the due date;
- callbacks_reached / callbacks_failed: of those, reached at all / ended as 回访失败;
- reached_rate (回访成功率): reached / (reached + failed), None when none ended;
- complaints: 差评 reviews opened in the period; complaints_counted: of those, the ones that still count against
  the unit (not dismissed as 不合理, no granted appeal);
- rectifications_due / rectifications_on_time: 整改 whose window ends in the period / reported by its end;
- appeals_made / appeals_granted: appeals lodged in the period / of those, granted.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from dispatch.callbacks import FAILED, REACHED
from dispatch.complaints import GRANTED
from dispatch.models import CallbackTask, ComplaintReview
from hotline.models import Department

FIELDS = ("callbacks_due", "callbacks_on_time", "callbacks_reached", "callbacks_failed", "complaints",
          "complaints_counted", "rectifications_due", "rectifications_on_time", "appeals_made", "appeals_granted")


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def callback_figures(session: Session, start: datetime, end: datetime,
                     department_id: int | None = None) -> list[dict[str, Any]]:
    """One row per unit with anything in [start, end), by unit id; `department_id` keeps one unit."""
    counts: dict[int | None, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIELDS, 0))

    tasks = select(CallbackTask).where(CallbackTask.due_at >= start, CallbackTask.due_at < end)
    reviews = select(ComplaintReview).where(or_(
        ComplaintReview.opened_at.between(start, end), ComplaintReview.rectify_due_at.between(start, end),
        ComplaintReview.appealed_at.between(start, end)))  # `within` below keeps the end out
    if department_id is not None:
        tasks = tasks.where(CallbackTask.department_id == department_id)
        reviews = reviews.where(ComplaintReview.department_id == department_id)
    for task in session.scalars(tasks):
        row = counts[task.department_id]
        row["callbacks_due"] += 1
        if task.status == REACHED:
            row["callbacks_reached"] += 1
            row["callbacks_on_time"] += int(task.done_at is not None and task.done_at <= task.due_at)
        elif task.status == FAILED:
            row["callbacks_failed"] += 1

    def within(moment: datetime | None) -> bool:
        return moment is not None and start <= moment < end

    for review in session.scalars(reviews):
        row = counts[review.department_id]
        if within(review.opened_at):
            row["complaints"] += 1
            row["complaints_counted"] += int(review.counts)
        if within(review.rectify_due_at):
            row["rectifications_due"] += 1
            row["rectifications_on_time"] += int(review.rectified_at is not None
                                                 and review.rectified_at <= review.rectify_due_at)
        if within(review.appealed_at):
            row["appeals_made"] += 1
            row["appeals_granted"] += int(review.appeal_status == GRANTED)

    names = dict(session.execute(select(Department.id, Department.name)).all())
    rows = []
    for unit in sorted(counts, key=lambda i: (i is None, i or 0)):
        row = counts[unit]
        if not any(row.values()):
            continue
        ended = row["callbacks_reached"] + row["callbacks_failed"]
        rows.append({"department_id": unit, "department": names.get(unit) if unit else "指挥中心直接答复", **row,
                     "on_time_rate": _rate(row["callbacks_on_time"], row["callbacks_due"]),
                     "reached_rate": _rate(row["callbacks_reached"], ended),
                     "rectification_on_time_rate": _rate(row["rectifications_on_time"], row["rectifications_due"])})
    return rows
