"""An admin's editing of the county's policy: versioned time limits and the holiday calendar."""

from __future__ import annotations

from datetime import date

from litestar import Controller, Request, delete, get, post, put
from sqlalchemy import extract, select
from sqlalchemy.orm import Session

from dispatch.models import CalendarOverride, TimeLimitPolicy
from dispatch.policy import PolicyRules, current_policy, publish
from dispatch.schemas import CalendarDay, CalendarDayRead, PolicyRead
from hotline.dependencies import roles
from hotline.vocabulary import Role


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

    @delete("/calendar/{day:date}", guards=[roles(Role.ADMIN)], sync_to_thread=True)
    def clear_day(self, day: date, db_session: Session) -> None:
        if (override := db_session.get(CalendarOverride, day)) is not None:
            db_session.delete(override)
            db_session.commit()


ROUTES = [PolicyController]
