"""Measures and the monthly report over HTTP, for commanders, auditors and (own department) handlers."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.exceptions import ValidationException
from litestar.params import Parameter
from sqlalchemy.orm import Session

from command import assessment_report
from command.assessment import ASSESSMENT_ROLES, assess
from command.measures import Slice, compute, handling_days, open_counts
from command.reports import as_csv, as_xlsx, department_rows, month_bounds
from hotline.clock import now
from hotline.dependencies import roles
from hotline.settings import TIME_ZONE
from hotline.vocabulary import Role

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class MeasuresController(Controller):
    path = "/api"
    tags = ["measures"]

    @get("/measures", guards=[roles(Role.COMMANDER, Role.AUDITOR, Role.ADMIN, Role.HANDLER, Role.LEADER)], sync_to_thread=True)
    def measures(
        self,
        db_session: Session,
        request: Request,
        start: date,
        end: date,
        department_id: int | None = None,
        category: Annotated[str | None, Parameter(max_length=16)] = None,
        township: Annotated[str | None, Parameter(max_length=32)] = None,
        channel: Annotated[str | None, Parameter(max_length=24)] = None,
        include_imported: bool = False,
    ) -> dict[str, Any]:
        """Every measure for the slice, from `start` to `end` inclusive (Asia/Shanghai days); imported history
        only with `include_imported=true` (docs/history.md)."""
        if end < start:
            raise ValidationException("结束日期不能早于开始日期")
        if request.user.role == Role.HANDLER:  # a department sees its own figures only
            department_id = request.user.department_id
        where = Slice(department_id=department_id, category_code=category, township=township, channel=channel,
                      include_imported=include_imported)
        begin = datetime.combine(start, time(0), TIME_ZONE)
        finish = datetime.combine(end + timedelta(days=1), time(0), TIME_ZONE)
        return {**compute(db_session, begin, finish, where), **handling_days(db_session, begin, finish, where),
                **open_counts(db_session, now(), where)}

    @get("/reports/monthly", guards=[roles(Role.COMMANDER, Role.AUDITOR, Role.ADMIN, Role.LEADER)], sync_to_thread=True)
    def monthly(self, db_session: Session, month: str, format: str = "csv") -> Response[bytes]:
        """The county's monthly report per department, as CSV (UTF-8 with BOM) or XLSX."""
        if format not in ("csv", "xlsx"):
            raise ValidationException("导出格式只能是 csv 或 xlsx")
        rows = department_rows(db_session, *_month(month), now())
        filename = f"12345-monthly-{month}.{format}"
        if format == "csv":
            body, media = as_csv(rows), "text/csv; charset=utf-8"
        else:
            body = as_xlsx(rows, f"清江县12345热线 {month} 月度考核报表")
            media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return Response(body, media_type=media,
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})

    @get("/reports/assessment", guards=[roles(*ASSESSMENT_ROLES)], sync_to_thread=True)
    def assessment(self, db_session: Session, month: str, format: str = "json") -> Any:
        """月度考核 per unit with the county total and the ranking, as JSON, CSV or XLSX (docs/assessment.md)."""
        if format not in ("json", "csv", "xlsx"):
            raise ValidationException("导出格式只能是 json、csv 或 xlsx")
        start, end = _month(month)
        moment = now()
        if start > moment:
            raise ValidationException(f"{month} 尚未开始，不能生成考核，请选择本月或以前的月份")
        month_end = min(end, moment)  # the month under way: its figures so far
        report = {"month": month, "start": start.isoformat(), "end": end.isoformat(),
                  "as_at": month_end.isoformat(), "complete": month_end == end,
                  **assess(db_session, start, end, month_end)}
        if format == "json":
            return report
        filename = f"12345-assessment-{month}.{format}"
        if format == "csv":
            body, media = assessment_report.as_csv(report), "text/csv; charset=utf-8"
        else:
            body = assessment_report.as_xlsx(report, f"清江县12345热线 {month} 月度考核（承办单位综合排名）")
            media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return Response(body, media_type=media,
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _month(month: str) -> tuple[datetime, datetime]:
    """A report month as [start, end) in Asia/Shanghai, or a 400 that says how to write it."""
    if not MONTH.match(month):
        raise ValidationException("月份格式应为 YYYY-MM，例如 2026-11")
    try:
        return month_bounds(month)
    except ValueError:  # 0000-01 or 9999-12: a month the calendar cannot hold
        raise ValidationException("月份超出范围，请填写实际的年月，例如 2026-11") from None


ROUTES = [MeasuresController]
