"""Tables owned by command/: the big-screen devices allowed to watch the board, and the hotspot clusters."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from hotline.clock import now
from hotline.models import Base, BigId


class BoardDevice(Base):
    """A wall display's credential: only a hash is kept, the token itself is shown once."""

    __tablename__ = "board_device"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class HotspotCluster(Base):
    """Tickets about one problem at one place (command.hotspots). ``centroid`` is the members' mean term
    weights as JSON, so a new ticket is compared without re-reading the members; ``by_hand`` marks a
    commander's merge or split, which the miner never undoes."""

    __tablename__ = "hotspot_cluster"
    __table_args__ = (
        # a placement's candidates (command.hotspots.place): township and window, then group and state from the
        # index itself, so the rows (and their centroids) read are the candidates only
        Index("ix_hotspot_cluster_township_last_at_category", "township", "last_at", "category_code", "state"),
        Index("ix_hotspot_cluster_state_size_last_at", "state", "size", "last_at"),  # the list: largest first
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    township: Mapped[str | None] = mapped_column(String(32))
    place: Mapped[str | None] = mapped_column(String(64))
    category_code: Mapped[str | None] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default="active")  # active, merged
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("hotspot_cluster.id"))
    size: Mapped[int] = mapped_column(Integer, default=0)
    callers: Mapped[int] = mapped_column(Integer, default=0)
    first_at: Mapped[datetime]
    last_at: Mapped[datetime] = mapped_column(index=True)
    centroid: Mapped[str] = mapped_column(Text)
    by_hand: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    notified_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=now)


class HotspotMember(Base):
    """A ticket's place in one cluster; ``terms`` are its weighted terms as JSON, kept for re-centring."""

    __tablename__ = "hotspot_member"
    ticket_id: Mapped[int] = mapped_column(BigId, ForeignKey("ticket.id"), primary_key=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("hotspot_cluster.id"), index=True)
    terms: Mapped[str] = mapped_column(Text)
    by_hand: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    added_at: Mapped[datetime] = mapped_column(default=now)
