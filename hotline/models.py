"""Tables owned by hotline/: the organisation, staff, areas, and the ticket with its event log."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import DeclarativeBase, Mapped, WriteOnlyMapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from hotline.clock import now
from hotline.search_text import keep_in_step
from hotline.settings import TIME_ZONE

BigId = BigInteger().with_variant(Integer(), "sqlite")  # SQLite only autoincrements INTEGER PRIMARY KEY


class LocalDateTime(TypeDecorator[datetime]):
    """Stored as UTC everywhere; read back in Asia/Shanghai, so every API answer shows local time."""

    impl = DateTimeUTC(timezone=True)
    cache_ok = True

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        value = self.impl.process_result_value(value, dialect)
        return value.astimezone(TIME_ZONE) if value is not None else None


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: LocalDateTime(), dict[str, Any]: JSON}


class Department(Base):
    """A department, body, enterprise or township government that handles tickets."""

    __tablename__ = "department"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # bureau, township, enterprise, office
    township: Mapped[str | None] = mapped_column(String(32))
    duty_phone: Mapped[str | None] = mapped_column(String(20))  # where staff notices are texted
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # 上级单位: where this unit's escalations are reported (dispatch.followup); set by the county workbook
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))


class Area(Base):
    """Townships and their villages or communities, for pickers and address validation."""

    __tablename__ = "area"
    __table_args__ = (UniqueConstraint("parent_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))  # township, village, community
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))


class Staff(Base):
    __tablename__ = "staff"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(32), unique=True)
    display_name: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    phone: Mapped[str | None] = mapped_column(String(20))  # 人员 手机, for the staff who text them
    # raised on deactivation, a new role or unit, or a password reset: tokens carrying an older one are refused
    token_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=now)
    department: Mapped[Department | None] = relationship(lazy="joined")


class DailyCounter(Base):
    """Per-day sequence behind readable ticket numbers; the row lock makes it safe under concurrency."""

    __tablename__ = "daily_counter"
    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class Ticket(Base):
    __tablename__ = "ticket"
    __table_args__ = (
        Index("ix_ticket_status_due", "status", "due_at"),
        Index("ix_ticket_lead_status", "lead_department_id", "status"),
        Index("ix_ticket_phone", "caller_phone"),
        # routing's duplicate search: a township's or a category's tickets, when the planner has no statistics
        Index("ix_ticket_township_id", "township", "id"),
        Index("ix_ticket_suggested_category_id", "suggested_category", "id"),
        Index("ix_ticket_category_code_id", "category_code", "id"),
        Index("ix_ticket_parent_id", "parent_id"),  # the tickets merged into one, told when it is answered
        Index("ix_ticket_lead_created", "lead_department_id", "created_at"),  # search: a unit's month
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    query_code: Mapped[str] = mapped_column(String(8))
    channel: Mapped[str] = mapped_column(String(24))
    caller_name: Mapped[str | None] = mapped_column(String(32))
    caller_phone: Mapped[str | None] = mapped_column(String(20))
    # 重复诉求: the same caller's answered ticket about the same problem (dispatch.repeats)
    repeat_of_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("ticket.id"))
    title: Mapped[str | None] = mapped_column(String(100))
    content: Mapped[str] = mapped_column(Text)
    township: Mapped[str | None] = mapped_column(String(32))
    village: Mapped[str | None] = mapped_column(String(32))
    address: Mapped[str | None] = mapped_column(String(200))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    type: Mapped[str] = mapped_column(String(16))
    urgency: Mapped[str] = mapped_column(String(16), default="normal")
    category_code: Mapped[str | None] = mapped_column(String(16))
    lead_department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    status: Mapped[str] = mapped_column(String(24), index=True)
    created_at: Mapped[datetime] = mapped_column(default=now, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=now)
    dispatched_at: Mapped[datetime | None]
    sign_deadline: Mapped[datetime | None]
    due_at: Mapped[datetime | None]
    signed_at: Mapped[datetime | None]
    paused_at: Mapped[datetime | None]
    # 待补充: by when the citizen was asked to answer (told in the SMS); the sweep goes on without it after that
    supplement_due_at: Mapped[datetime | None] = mapped_column(index=True)
    closed_at: Mapped[datetime | None]
    policy_version: Mapped[int | None]
    extension_used: Mapped[bool] = mapped_column(Boolean, default=False)
    reply: Mapped[str | None] = mapped_column(Text)
    satisfaction: Mapped[str | None] = mapped_column(String(24))
    solved: Mapped[str | None] = mapped_column(String(16))
    rating_comment: Mapped[str | None] = mapped_column(Text)
    parent_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("ticket.id"))
    transferred_to: Mapped[str | None] = mapped_column(String(8))
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    # routing (classifier/): the suggestion, how sure it was, and whether a person must decide
    suggested_category: Mapped[str | None] = mapped_column(String(16))
    confidence: Mapped[float | None]
    classified_at: Mapped[datetime | None]
    manual_review: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    emergency_kind: Mapped[str | None] = mapped_column(String(16))
    # follow-through (dispatch/ sweeps): current card, escalation step, and when to look again
    card: Mapped[str | None] = mapped_column(String(8))
    escalation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attention_at: Mapped[datetime | None] = mapped_column(index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # set on tickets brought in from a county's earlier system (hotline.history): archived, outside live
    # deadlines and cards, and outside the KPIs unless asked
    imported_at: Mapped[datetime | None]
    # the words it is found by (hotline.search_text): filled on every write of title, content or address
    search_text: Mapped[str | None] = mapped_column(Text)

    lead_department: Mapped[Department | None] = relationship(lazy="joined")
    co_departments: Mapped[list[Department]] = relationship(secondary="ticket_co_department", lazy="selectin")
    events: WriteOnlyMapped[TicketEvent] = relationship(order_by="TicketEvent.id")

    __mapper_args__ = {"version_id_col": version}  # optimistic lock: two handlers cannot both win


keep_in_step(Ticket)


class TicketCoDepartment(Base):
    __tablename__ = "ticket_co_department"
    ticket_id: Mapped[int] = mapped_column(BigId, ForeignKey("ticket.id", ondelete="CASCADE"), primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), primary_key=True)


class TicketAttachment(Base):
    """A photo or recording kept with a ticket (hotline.attachments). The bytes live in the file store under
    ``key``; the row stays after a retention purge (``purged_at``) so the timeline still says a file was there."""

    __tablename__ = "ticket_attachment"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(BigId, ForeignKey("ticket.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # image, audio
    content_type: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    thumb_key: Mapped[str | None] = mapped_column(String(120))
    source: Mapped[str] = mapped_column(String(16))  # citizen, operator, handler, commander, open311, grid
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    purged_at: Mapped[datetime | None]


class TicketEvent(Base):
    """Append-only: the audit trail, the citizen's timeline, the KPI input and the board's stream."""

    __tablename__ = "ticket_event"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(BigId, ForeignKey("ticket.id"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str | None] = mapped_column(String(24))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    actor_role: Mapped[str] = mapped_column(String(16))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=now, index=True)


class Notification(Base):
    """Outbox of messages to citizens and staff; RQ jobs send them, the row records what happened."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_due", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("ticket.id"), index=True)
    audience: Mapped[str] = mapped_column(String(8))  # citizen, staff
    phone: Mapped[str | None] = mapped_column(String(20))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    template: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    dedupe_key: Mapped[str] = mapped_column(String(96), unique=True)
    status: Mapped[str] = mapped_column(String(8), default="pending")  # pending, sent, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime] = mapped_column(default=now)
    created_at: Mapped[datetime] = mapped_column(default=now)
    sent_at: Mapped[datetime | None]


class BlockedPhone(Base):
    """The block list (恶意来电/留言): an admin's decision, with its reason; public submissions from it are refused."""

    __tablename__ = "blocked_phone"
    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(20), unique=True)  # as hotline.privacy.normalize_phone stores it
    reason: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)


class LoginEvent(Base):
    """Sign-ins for the auditor: each success, failure and lock (refusals while throttled are not rows: too cheap
    for an attacker to make). An unknown username is kept masked: people type their password there by mistake."""

    __tablename__ = "login_event"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=now, index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    username: Mapped[str] = mapped_column(String(32))
    address: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))  # success, failure, locked, unlocked (by an admin)
class PersonalDataAccess(Base):
    """Append-only: a staff member's request returned a ticket's caller fields in full (hotline.access_log)."""

    __tablename__ = "personal_data_access"
    __table_args__ = (Index("ix_personal_data_access_staff_at", "staff_id", "at"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    staff_role: Mapped[str] = mapped_column(String(16))
    ticket_id: Mapped[int] = mapped_column(BigId, ForeignKey("ticket.id"), index=True)
    view: Mapped[str] = mapped_column(String(24))
    at: Mapped[datetime] = mapped_column(default=now, index=True)
