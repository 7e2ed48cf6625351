"""Tables of the 数字城管 intake: the platforms allowed to file events, each event's link to its ticket, and
the status callbacks owed to the platform.

The ticket itself is made by hotline's intake like any letter; these rows keep only what the platform has and a
ticket has not (its own event id, its category and reporter type, photo links), and the outbox of what it must be
told.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hotline.clock import now
from hotline.models import Base, BigId


class CitySystem(Base):
    """A city-management platform with its key: only the key's SHA-256 is stored, the key is shown once.

    The signing secret cannot be stored hashed: it signs every callback, so it is kept as issued (like any
    webhook secret) and, like the key, shown once."""

    __tablename__ = "city_management_system"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    key_prefix: Mapped[str] = mapped_column(String(16))  # tells keys apart without the secret
    signing_secret: Mapped[str] = mapped_column(String(64))
    callback_url: Mapped[str | None] = mapped_column(String(500))
    contact: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class CityEvent(Base):
    """One platform event and the ticket it became. The unique (system, event id) is what makes a resend, or two
    submissions racing, give the same ticket: the database decides, not a read before the write."""

    __tablename__ = "city_management_event"
    __table_args__ = (UniqueConstraint("system_id", "event_id", name="uq_city_management_event_system_event"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    system_id: Mapped[int] = mapped_column(ForeignKey("city_management_system.id"))
    event_id: Mapped[str] = mapped_column(String(64))
    ticket_id: Mapped[int] = mapped_column(BigId, ForeignKey("ticket.id", ondelete="CASCADE"), unique=True)
    category: Mapped[str | None] = mapped_column(String(64))
    reporter_type: Mapped[str] = mapped_column(String(16))
    reported_at: Mapped[datetime]
    photo_urls: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=now)


class CityCallback(Base):
    """One status change owed to the platform, written in the transaction of the step itself (one per ticket
    event), sent by an RQ job after the commit and retried with backoff by the sweep."""

    __tablename__ = "city_management_callback"
    __table_args__ = (Index("ix_city_management_callback_due", "state", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    city_event_id: Mapped[int] = mapped_column(BigId, ForeignKey("city_management_event.id", ondelete="CASCADE"),
                                               index=True)
    ticket_event_id: Mapped[int] = mapped_column(BigId, ForeignKey("ticket_event.id", ondelete="CASCADE"),
                                                 unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(8), default="pending")  # pending, sending, sent, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime] = mapped_column(default=now)
    created_at: Mapped[datetime] = mapped_column(default=now)
    sent_at: Mapped[datetime | None]
