"""An admin's editing of the county's policy: versioned time limits and the holiday calendar."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

import msgspec
from litestar import Controller, Request, Response, delete, get, post, put
from litestar.params import Parameter, QueryParameter
from sqlalchemy import extract, select
from sqlalchemy.orm import Session

from dispatch import calendar_import
from dispatch.calendar import Coverage
from dispatch.models import CalendarOverride, TimeLimitPolicy
from dispatch.policy import PolicyRules, calendar_coverage, current_policy, publish
from dispatch.schemas import CalendarDay, CalendarDayRead, PolicyRead
from hotline.clock import local, now
from hotline.dependencies import roles
from hotline.vocabulary import Role


class ImportedDayRead(msgspec.Struct):
    day: date
    is_workday: bool
    note: str | None
    row: int
    change: str  # added, changed, unchanged
    was_workday: bool | None


class ImportRead(msgspec.Struct):
    dry_run: bool
    added: int
    changed: int
    unchanged: int
    summary: str
    days: list[ImportedDayRead]


class YearCoverageRead(msgspec.Struct):
    year: int
    package: bool
    overrides: int
    sources: list[str]  # override, chinesecalendar; empty: Monday to Friday only


class CoverageRead(msgspec.Struct):
    today: date
    horizon: date  # the furthest a deadline computed today can reach (docs/deadlines.md)
    years: list[YearCoverageRead]
    uncovered: list[int]
    message: str | None


def import_read(changes: list[calendar_import.Change], dry_run: bool) -> ImportRead:
    return ImportRead(dry_run=dry_run, **calendar_import.counts(changes),
                      summary=calendar_import.summary(changes, dry_run), days=[
                          ImportedDayRead(day=c.day.day, is_workday=c.day.is_workday, note=c.day.note, row=c.day.row,
                                          change=c.status, was_workday=c.was_workday) for c in changes])


def coverage_read(coverage: Coverage) -> CoverageRead:
    return CoverageRead(today=coverage.today, horizon=coverage.horizon, uncovered=coverage.uncovered,
                        message=coverage.message, years=[
                            YearCoverageRead(year=y.year, package=y.package, overrides=y.overrides, sources=y.sources)
                            for y in coverage.years])


def _read(policy: TimeLimitPolicy) -> PolicyRead:
    return PolicyRead(version=policy.version, rules=policy.rules, created_at=policy.created_at)


class PolicyController(Controller):
    path = "/api/admin"
    tags = ["admin"]

    @get("/policy", guards=[roles(Role.ADMIN, Role.COMMANDER, Role.AUDITOR)], sync_to_thread=True)
    def policy(self, db_session: Session) -> PolicyRead:
        return _read(current_policy(db_session))

    @post("/policy", guards=[roles(Role.ADMIN)], sync_to_thread=True)
    def publish_policy(self, data: PolicyRules, db_session: Session, request: Request) -> PolicyRead:
        """A new version; tickets already dispatched keep the version they were dispatched under."""
        policy = publish(db_session, data, created_by=request.user.id)
        db_session.commit()
        return _read(policy)

    @get("/calendar", guards=[roles(Role.ADMIN, Role.COMMANDER)], sync_to_thread=True)
    def calendar(self, db_session: Session, year: int | None = None) -> list[CalendarDayRead]:
        query = select(CalendarOverride).order_by(CalendarOverride.day)
        if year is not None:
            query = query.where(extract("year", CalendarOverride.day) == year)
        return [CalendarDayRead(day=o.day, is_workday=o.is_workday, note=o.note) for o in db_session.scalars(query)]

    @put("/calendar/{day:date}", guards=[roles(Role.ADMIN)], sync_to_thread=True)
    def set_day(self, day: date, data: CalendarDay, db_session: Session) -> CalendarDayRead:
        """Declare a holiday or a make-up working day (调休), e.g. for a year the package does not know."""
        override = db_session.get(CalendarOverride, day) or CalendarOverride(day=day)
        override.is_workday, override.note = data.is_workday, data.note
        db_session.add(override)
        db_session.commit()
        return CalendarDayRead(day=day, is_workday=override.is_workday, note=override.note)

    @post("/calendar/import", guards=[roles(Role.ADMIN)], sync_to_thread=True, status_code=200)
    def import_calendar(
        self, body: bytes, db_session: Session, dry_run: bool = False,
        encoding: Annotated[str | None, Parameter(max_length=40)] = None,
        file_format: Annotated[Literal["csv", "ics"] | None, QueryParameter(name="format")] = None,
    ) -> Response[ImportRead]:
        """The file's bytes as the body (CSV or .ics, see docs/deadlines.md); any bad row: 400 with every row's
        problem, and nothing written. `dry_run=true` answers what would change."""
        try:
            days = calendar_import.read(body, encoding=encoding, file_format=file_format)
        except calendar_import.ImportRefused as refused:
            return Response({"status_code": 400, "detail": str(refused), "errors": [
                {"row": p.row, "column": p.column, "message": p.message} for p in refused.problems]},
                status_code=400)
        changes = calendar_import.store_and_commit(db_session, days, dry_run=dry_run)
        return Response(import_read(changes, dry_run))

    @get("/calendar/coverage", guards=[roles(Role.ADMIN, Role.COMMANDER, Role.AUDITOR)], sync_to_thread=True)
    def coverage(self, db_session: Session) -> CoverageRead:
        """Which years up to the horizon the package or the overrides know; `message` names any that neither does."""
        return coverage_read(calendar_coverage(db_session, local(now()).date()))

    @delete("/calendar/{day:date}", guards=[roles(Role.ADMIN)], sync_to_thread=True)
    def clear_day(self, day: date, db_session: Session) -> None:
        if (override := db_session.get(CalendarOverride, day)) is not None:
            db_session.delete(override)
            db_session.commit()


ROUTES = [PolicyController]
