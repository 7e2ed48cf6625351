"""The county's monthly report: one row per department, as CSV or XLSX."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.orm import Session

from command.assessment import month_end_state
from command.measures import Slice, compute, handling_days, open_counts
from hotline.models import Department
from hotline.settings import TIME_ZONE

COLUMNS: list[tuple[str, str]] = [
    ("department", "承办单位"), ("dispatched", "派单量"), ("signed", "签收量"), ("sign_on_time_rate", "按时签收率"),
    ("closed", "办结量"), ("on_time_rate", "按期办结率"), ("returned", "退单量"), ("return_rate", "退单率"),
    ("rated", "回访量"), ("resolution_rate", "解决率"), ("satisfaction_rate", "满意率"),
    ("avg_working_days", "平均办理时长(工作日)"), ("p90_working_days", "90%办理时长(工作日)"),
    ("open", "月末在办"), ("overdue", "月末超期在办"), ("red", "当前红牌"), ("yellow", "当前黄牌"),
]
RATES = {key for key, _ in COLUMNS if key.endswith("_rate")}


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """'2026-11' → [1 Nov 00:00, 1 Dec 00:00) in Asia/Shanghai."""
    year, number = (int(part) for part in month.split("-"))
    first = date(year, number, 1)
    following = date(year + (number == 12), number % 12 + 1, 1)
    return datetime.combine(first, time(0), TIME_ZONE), datetime.combine(following, time(0), TIME_ZONE)


def department_rows(session: Session, start: datetime, end: datetime, now: datetime) -> list[dict[str, Any]]:
    """在办 and 超期 as at the month's end (replayed from the log; so far, for the month under way); the cards
    are today's, as the sweeps keep them on the ticket."""
    rows = []
    at_month_end = month_end_state(session, min(end, now))
    for department in session.scalars(select(Department).where(Department.active).order_by(Department.id)):
        where = Slice(department_id=department.id)
        measures = compute(session, start, end, where)
        if not measures["dispatched"] and not measures["closed"] and not measures["signed"]:
            continue
        state = at_month_end.get(department.id, {})
        rows.append({"department": department.name, **measures, **handling_days(session, start, end, where),
                     **open_counts(session, now, where),
                     "open": state.get("month_end_open", 0), "overdue": state.get("month_end_overdue", 0)})
    return rows


def _cell(key: str, value: Any) -> Any:
    if value is None:
        return "—"
    return f"{value * 100:.1f}%" if key in RATES else value


def as_csv(rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([label for _, label in COLUMNS])
    for row in rows:
        writer.writerow([_cell(key, row.get(key)) for key, _ in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel on Windows opens UTF-8 Chinese correctly


def as_xlsx(rows: list[dict[str, Any]], title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "部门考核"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([label for _, label in COLUMNS])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([row.get(key) for key, _ in COLUMNS])
        for index, (key, _) in enumerate(COLUMNS, start=1):
            if key in RATES:
                sheet.cell(row=sheet.max_row, column=index).number_format = "0.0%"
    sheet.column_dimensions["A"].width = 28
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
