"""Tables owned by dispatch/: the dispatch catalogue, calendar overrides and time-limit policy versions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.clock import now
from hotline.models import Base, Department


class CatalogueEntry(Base):
    """派单目录: a category goes to a lead department (and co-handlers); a township may override it."""

    __tablename__ = "catalogue_entry"
    __table_args__ = (UniqueConstraint("category_code", "township"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    category_code: Mapped[str] = mapped_column(String(16), index=True)
    category_name: Mapped[str] = mapped_column(String(64))
    township: Mapped[str | None] = mapped_column(String(32))
    lead_department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    co_department_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    lead_department: Mapped[Department] = relationship(lazy="joined")


class CalendarOverride(Base):
    """An admin's word on one date: a holiday, or a make-up working day (调休)."""

    __tablename__ = "calendar_override"
    day: Mapped[date] = mapped_column(primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(String(64))


class TimeLimitPolicy(Base):
    """One version of the county's time limits; a ticket keeps the version it was dispatched under."""

    __tablename__ = "time_limit_policy"
    version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    rules: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=now)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
