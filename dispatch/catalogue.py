"""The dispatch catalogue (派单目录) from plain typed rows: checked as a batch, upserted by (category, township).

A row names its category, its lead and co-handling units by code, the township it overrides (None: the county
default) and, optionally, its own resolve limits in working days by ticket type, which the deadline clock uses
instead of the policy's (`DeadlineClock.resolve_due(..., entry_limits)`). Nothing is deleted here.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import msgspec
from sqlalchemy import select
from sqlalchemy.orm import Session

from classifier.taxonomy import LEAVES
from dispatch.models import CatalogueEntry
from dispatch.policy import plain_number
from hotline.models import Department
from hotline.reference import Changes, Problem, assign, township_names, unit_codes
from hotline.vocabulary import TicketType

MAX_WORKING_DAYS = 60  # the policy's own bound on a resolve limit (dispatch.policy.WorkingDays)


class EntryRow(msgspec.Struct, frozen=True):
    category_code: str
    lead_code: str
    category_name: str | None = None  # None: the category's own name
    township: str | None = None  # None: the county default; a township's name: its override
    co_codes: tuple[str, ...] = ()
    time_limits: dict[str, float] = msgspec.field(default_factory=dict)  # ticket type -> working days

    @property
    def key(self) -> str:
        return f"{self.category_code}（{self.township}）" if self.township else self.category_code


def category_names() -> dict[str, str]:
    return {leaf.code: leaf.name for leaf in LEAVES}


def check_entries(session: Session, rows: Sequence[EntryRow], *, units: Collection[str] = (),
                  townships: Collection[str] = ()) -> list[Problem]:
    """`units` and `townships`: those the same batch creates, besides the ones already in the database."""
    problems: list[Problem] = []
    names = category_names()
    known_units = unit_codes(session) | set(units)
    known_townships = township_names(session) | set(townships)
    kinds = {t.value: t.label for t in TicketType}
    seen: set[tuple[str, str | None]] = set()
    for index, row in enumerate(rows):
        if (row.category_code, row.township) in seen:
            problems.append(Problem(index, "category_code", f"分类「{row.category_code}」在"
                                    f"{'「' + row.township + '」' if row.township else '全县默认'}已有一行"))
            continue
        seen.add((row.category_code, row.township))
        if row.category_code not in names:
            problems.append(Problem(index, "category_code", f"分类编码「{row.category_code}」不是系统的派单分类"
                                                            "（四位小类编码，如 0101 物业管理）"))
        if row.category_name is not None and len(row.category_name) > 64:
            problems.append(Problem(index, "category_name", "分类名称最长 64 个字"))
        if row.township is not None and row.township not in known_townships:
            problems.append(Problem(index, "township", f"适用乡镇「{row.township}」不在行政区划中"))
        if row.lead_code not in known_units:
            problems.append(Problem(index, "lead_code", f"主办单位编码「{row.lead_code}」不存在（承办单位表和系统中都没有）"))
        if missing := [c for c in row.co_codes if c not in known_units]:
            problems.append(Problem(index, "co_codes", f"协办单位编码「{'、'.join(missing)}」不存在（承办单位表和系统中都没有）"))
        elif row.lead_code in row.co_codes:
            problems.append(Problem(index, "co_codes", "主办单位不能同时是协办单位"))
        for kind, days in row.time_limits.items():
            if kind not in kinds:
                problems.append(Problem(index, f"time_limits.{kind}", f"未知的诉求类型「{kind}」"))
            elif not 0 < days <= MAX_WORKING_DAYS:
                problems.append(Problem(index, f"time_limits.{kind}",
                                        f"{kinds[kind]}时限应大于 0、最多 {MAX_WORKING_DAYS} 个工作日"))
    return problems


def upsert_entries(session: Session, rows: Sequence[EntryRow]) -> Changes:
    """Create or update each entry by (category, township); the rows' units must exist (flushed) by now."""
    units = dict(session.execute(select(Department.code, Department.id)).all())
    names = category_names()
    existing = {(e.category_code, e.township): e for e in session.scalars(select(CatalogueEntry).where(
        CatalogueEntry.category_code.in_([r.category_code for r in rows])))}
    changes = Changes()
    for row in rows:
        values = {
            "category_name": row.category_name or names[row.category_code],
            "lead_department_id": units[row.lead_code],
            "co_department_ids": list(dict.fromkeys(units[c] for c in row.co_codes)),
            "time_limits": {kind: plain_number(days) for kind, days in row.time_limits.items()} or None,
        }
        entry = existing.get((row.category_code, row.township))
        if entry is None:
            session.add(CatalogueEntry(category_code=row.category_code, township=row.township, **values))
        changes.count(row.key, existed=entry is not None, changed=entry is not None and assign(entry, values))
    session.flush()
    return changes

