"""Tables of the Open311 facade: the API keys an admin hands out, and what each Open311 request added.

The ticket itself is made by hotline's intake like any letter; `open311_request` only keeps what GeoReport
has and a ticket has not (the service code asked for, attributes, media URL, the key that filed it, the
batch token), so the facade can answer in the client's own terms.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from hotline.clock import now
from hotline.models import Base, BigId


class Open311ApiKey(Base):
    """A client application's key: only its SHA-256 is stored; the key itself is shown once, at creation."""

    __tablename__ = "open311_api_key"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    key_prefix: Mapped[str] = mapped_column(String(16))  # lets people tell keys apart without the secret
    contact: Mapped[str | None] = mapped_column(String(200))
    rate_limit_per_minute: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class Open311Request(Base):
    """One POSTed service request. In batch mode the row exists before its ticket: `payload` holds the
    checked letter until a worker files it, then the ticket is linked and the payload (personal data) is
    cleared."""

    __tablename__ = "open311_request"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("ticket.id", ondelete="CASCADE"), unique=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("open311_api_key.id"), index=True)
    service_code: Mapped[str] = mapped_column(String(16))
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    media_url: Mapped[str | None] = mapped_column(String(500))
    token: Mapped[str | None] = mapped_column(String(64), unique=True)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    created_at: Mapped[datetime] = mapped_column(default=now)
    filed_at: Mapped[datetime | None]
