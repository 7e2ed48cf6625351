"""工单质检 figures for the monthly assessment: a unit's mean review score and its returned replies in a period.

Read from `reply_review` (dispatch.review), one row per reviewed reply, by the time of the review. The assessment
itself (command.reports, command.measures) calls `unit_quality` or `quality_by_unit`; nothing here is a KPI.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from dispatch.models import ReplyReview
from dispatch.review import RETURNED


@dataclass(frozen=True)
class UnitQuality:
    reviewed: int  # replies reviewed in the period
    returned: int  # of which returned to the unit
    mean_score: float | None  # 0-100, None when nothing was reviewed


def _query(start: datetime, end: datetime) -> Select[Any]:
    return (select(ReplyReview.department_id, func.count(ReplyReview.id),
                   func.count(ReplyReview.id).filter(ReplyReview.outcome == RETURNED), func.avg(ReplyReview.score))
            .where(ReplyReview.reviewed_at >= start, ReplyReview.reviewed_at < end)
            .group_by(ReplyReview.department_id))


def _quality(reviewed: int, returned: int, mean: float | None) -> UnitQuality:
    return UnitQuality(reviewed=reviewed, returned=returned,
                       mean_score=round(float(mean), 2) if mean is not None else None)


def unit_quality(session: Session, department_id: int, start: datetime, end: datetime) -> UnitQuality:
    """One unit's replies reviewed in [start, end)."""
    row = session.execute(_query(start, end).where(ReplyReview.department_id == department_id)).first()
    return _quality(row[1], row[2], row[3]) if row else UnitQuality(reviewed=0, returned=0, mean_score=None)


def quality_by_unit(session: Session, start: datetime, end: datetime) -> dict[int, UnitQuality]:
    """Every unit with a reply reviewed in [start, end), by unit id: the assessment's table in one query."""
    return {department_id: _quality(n, returned, mean)
            for department_id, n, returned, mean in session.execute(_query(start, end)) if department_id is not None}
