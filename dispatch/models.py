"""Tables owned by dispatch/: the dispatch catalogue, calendar overrides, time-limit policy versions, supervision
notices, routing corrections and the gate, and the 办结审核 of replies."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.clock import now
from hotline.models import Base, BigId, Department


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
    # this entry's own resolve limits in working days by ticket type, e.g. {"complaint": 10}; None: the policy's
    time_limits: Mapped[dict[str, float] | None] = mapped_column(JSON)
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


class SupervisionNotice(Base):
    """催办 / 督办 / 升级 notices: each needs the department's written response by a deadline."""

    __tablename__ = "supervision_notice"
    __table_args__ = (UniqueConstraint("ticket_id", "kind", "cycle_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(BigId, ForeignKey("ticket.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # urge, supervise, escalate, manual
    cycle_key: Mapped[str] = mapped_column(String(40))  # the deadline it was issued against: no doubles
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    issued_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    message: Mapped[str] = mapped_column(Text)
    respond_by: Mapped[datetime | None]
    response: Mapped[str | None] = mapped_column(Text)
    responded_at: Mapped[datetime | None]
    responded_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)


class RoutingCorrection(Base):
    """A person's corrected category for a ticket: a labelled example for the next retrain."""

    __tablename__ = "routing_correction"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("ticket.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    predicted: Mapped[str | None] = mapped_column(String(16))
    corrected: Mapped[str] = mapped_column(String(16))
    model_version: Mapped[str | None] = mapped_column(String(64))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)


class GateEvidence(Base):
    """The auto-dispatch gate's counters for one category under one model family (dispatch.gate).

    `seeded_*` are the starting evidence (a history's held-out slice, or the demo county's stand-in), replaced
    when the family's model is judged on a slice again; `judged` / `confirmed` are people's live judgments,
    incremented in SQL (never read-modify-write) so that concurrent workers and web processes lose none."""

    __tablename__ = "routing_gate"
    __table_args__ = (UniqueConstraint("family", "category_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    family: Mapped[str] = mapped_column(String(64))
    category_code: Mapped[str] = mapped_column(String(16))
    seeded_judged: Mapped[int] = mapped_column(default=0)
    seeded_confirmed: Mapped[int] = mapped_column(default=0)
    seeded_from: Mapped[str | None] = mapped_column(String(32))
    judged: Mapped[int] = mapped_column(default=0)
    confirmed: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=now)


class GateJudgment(Base):
    """One ticket the model was confident about, and people's verdict on it: None while nobody has judged it
    (an auto-dispatched ticket before sign-for), then True (confirmed) or False (corrected). One row per
    ticket, so a ticket counts once; a confirmation can still turn into a correction, never back."""

    __tablename__ = "routing_judgment"
    ticket_id: Mapped[int] = mapped_column(BigId, ForeignKey("ticket.id", ondelete="CASCADE"), primary_key=True)
    family: Mapped[str] = mapped_column(String(64))
    category_code: Mapped[str] = mapped_column(String(16))
    correct: Mapped[bool | None] = mapped_column(Boolean)
    judged_at: Mapped[datetime | None]


class ReplyReview(Base):
    """办结审核 and 工单质检 of one reply (dispatch.review): made when the unit replies, decided when the hotline
    approves or returns it, with the four checks and the score. A reply returned and given again is a new row."""

    __tablename__ = "reply_review"
    __table_args__ = (Index("ix_reply_review_open", "reviewed_at", "replied_at"),
                      Index("ix_reply_review_unit", "department_id", "reviewed_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(BigId, ForeignKey("ticket.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))  # the unit that replied
    replied_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    replied_at: Mapped[datetime]
    reply: Mapped[str] = mapped_column(Text)
    on_time: Mapped[bool] = mapped_column(Boolean)  # the reply came by the ticket's deadline
    due_at: Mapped[datetime]  # by when the hotline reviews it
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    reviewed_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(16))  # approved, returned
    reason: Mapped[str | None] = mapped_column(Text)  # why it was returned
    answers_request: Mapped[bool | None] = mapped_column(Boolean)  # 针对诉求
    complete: Mapped[bool | None] = mapped_column(Boolean)  # 内容完整
    courteous: Mapped[bool | None] = mapped_column(Boolean)  # 文明规范
    cites_basis: Mapped[bool | None] = mapped_column(Boolean)  # 依据明确
    score: Mapped[int | None] = mapped_column(SmallInteger)  # 0-100, 25 for each check passed
