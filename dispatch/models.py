"""Tables owned by dispatch/: the dispatch catalogue, calendar overrides, time-limit policy versions, supervision
notices, routing corrections and the gate, and the 办结审核 of replies."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, SmallInteger, String, Text, UniqueConstraint
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
    # 督办单: a 督办 (the sweep's or a commander's) is a numbered document, 督〔2026〕第0001号, unique per year
    document_number: Mapped[str | None] = mapped_column(String(32), unique=True)
    reminded_at: Mapped[datetime | None]  # the one 催复 sent once respond_by passed without a written reply


class LeaderInstruction(Base):
    """领导批示: a county leader's instruction on a ticket (or on one of its 督办单), which the lead unit must answer
    by `reply_by`; each row is also a ticket event, never a state change."""

    __tablename__ = "leader_instruction"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(BigId, ForeignKey("ticket.id"), index=True)
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("supervision_notice.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    issued_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    text: Mapped[str] = mapped_column(Text)
    reply_by: Mapped[datetime]
    reply: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[datetime | None]
    replied_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
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


class CallbackTask(Base):
    """回访 due for one 办结 of a ticket: open until a rating is recorded (reached) or the policy's number of failed
    calls is used up (failed, 回访失败). The attempts themselves are ticket events."""

    __tablename__ = "callback_task"
    __table_args__ = (UniqueConstraint("ticket_id", "closed_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(BigId, ForeignKey("ticket.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    closed_at: Mapped[datetime]
    due_at: Mapped[datetime] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)  # open, reached, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_outcome: Mapped[str | None] = mapped_column(String(16))
    done_at: Mapped[datetime | None]


class ComplaintReview(Base):
    """差评 review: one per 不满意 rating (or 满意/基本满意 with 未解决), the commander's verdict, the unit's 整改 and
    its one 申诉. `counts` is False once an appeal is granted or the 差评 is dismissed."""

    __tablename__ = "complaint_review"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(BigId, ForeignKey("ticket.id"), index=True)
    rating_event_id: Mapped[int] = mapped_column(BigId, ForeignKey("ticket_event.id"), unique=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    satisfaction: Mapped[str] = mapped_column(String(24))
    solved: Mapped[str] = mapped_column(String(16))
    contradictory: Mapped[bool] = mapped_column(Boolean, default=False)
    opened_at: Mapped[datetime] = mapped_column(index=True)
    due_at: Mapped[datetime]
    # pending, rectifying, rectified, reopened, dismissed
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    verdict: Mapped[str | None] = mapped_column(String(16))  # reasonable, unreasonable
    remedy: Mapped[str | None] = mapped_column(String(16))  # rectify, reopen
    decision_note: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    rectify_due_at: Mapped[datetime | None]
    rectification: Mapped[str | None] = mapped_column(Text)
    rectified_at: Mapped[datetime | None]
    rectified_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    appeal_due_at: Mapped[datetime | None]
    appeal_status: Mapped[str | None] = mapped_column(String(16))  # pending, upheld, granted
    appeal_reason: Mapped[str | None] = mapped_column(Text)
    appealed_at: Mapped[datetime | None]
    appealed_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    appeal_note: Mapped[str | None] = mapped_column(Text)
    appeal_decided_at: Mapped[datetime | None]
    appeal_decided_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    counts: Mapped[bool] = mapped_column(Boolean, default=True)
