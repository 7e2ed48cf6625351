"""回访 and 差评 figures over HTTP for the commander (command.callback_measures)."""

from __future__ import annotations

import re
from typing import Any

from litestar import Controller, get
from litestar.exceptions import ValidationException
from sqlalchemy.orm import Session

from command.callback_measures import callback_figures
from command.reports import month_bounds
from hotline.dependencies import roles
from hotline.vocabulary import Role

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class CallbackReportController(Controller):
    path = "/api/reports"
    tags = ["measures"]

    @get("/callbacks", guards=[roles(Role.COMMANDER)], sync_to_thread=True)
    def callbacks(self, db_session: Session, month: str, department_id: int | None = None) -> dict[str, Any]:
        """Per unit for one month (Asia/Shanghai): callbacks due and on time, 回访成功率, 差评, 整改, appeals."""
        if not MONTH.match(month):
            raise ValidationException("月份格式应为 YYYY-MM，例如 2026-11")
        start, end = month_bounds(month)
        return {"month": month, "units": callback_figures(db_session, start, end, department_id)}


ROUTES = [CallbackReportController]
