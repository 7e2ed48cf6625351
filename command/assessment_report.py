"""月度考核 as CSV or XLSX: one row per unit in order of rank, the county total last (bold in the workbook)."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

COLUMNS: list[tuple[str, str]] = [
    ("rank", "排名"), ("department", "承办单位"), ("score", "综合得分"),
    ("sign_on_time_rate", "按时签收率"), ("on_time_rate", "按期办结率"), ("direct_answer_rate", "直接答复率"),
    ("response_rate", "响应率"), ("resolution_rate", "解决率"), ("satisfaction_rate", "满意率"),
    ("return_rate", "退单率"), ("duplicate_rate", "重复件率"), ("co_report_on_time_rate", "协办按时反馈率"),
    ("received", "受理量"), ("dispatched", "派单量"), ("signed", "签收量"), ("closed", "办结量"),
    ("closed_late", "超期办结"), ("extended", "延期数"), ("month_end_open", "月末在办"),
    ("month_end_overdue", "月末超期"), ("urged", "催办数"), ("supervised", "督办数"), ("returned", "退单量"),
    ("merged", "并单量"), ("rated", "评价量"),
]
RATES = {key for key, _ in COLUMNS if key.endswith("_rate")}


def _rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [*report["units"], report["total"]]


def _text(key: str, value: Any) -> Any:
    if value is None:
        return "—" if key != "rank" else ""
    return f"{value * 100:.1f}%" if key in RATES else value


def as_csv(report: dict[str, Any]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([label for _, label in COLUMNS])
    for row in _rows(report):
        writer.writerow([_text(key, row.get(key)) for key, _ in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel on Windows reads the Chinese right


def as_xlsx(report: dict[str, Any], title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "月度考核"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([label for _, label in COLUMNS])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    rows = _rows(report)
    for position, row in enumerate(rows):
        sheet.append([row.get(key) for key, _ in COLUMNS])
        for index, (key, _) in enumerate(COLUMNS, start=1):
            cell = sheet.cell(row=sheet.max_row, column=index)
            if key in RATES:
                cell.number_format = "0.0%"
            if position == len(rows) - 1:
                cell.font = Font(bold=True)
    sheet.column_dimensions["B"].width = 28
    sheet.freeze_panes = "C3"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
