"""数字城管 intake (issue 21): platforms with keys, their events linked to tickets, status callbacks owed

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 01:50:00
"""

from __future__ import annotations

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

When = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "city_management_system",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("key_prefix", sa.String(length=16), nullable=False),
        sa.Column("signing_secret", sa.String(length=64), nullable=False),
        sa.Column("callback_url", sa.String(length=500), nullable=True),
        sa.Column("contact", sa.String(length=200), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", When, nullable=False),
        sa.Column("last_used_at", When, nullable=True),
        sa.Column("revoked_at", When, nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key_hash"),
    )
    op.create_table(
        "city_management_event",
        sa.Column("id", BigId, nullable=False),
        sa.Column("system_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("ticket_id", BigId, nullable=False),
        sa.Column("category", sa.String(length=64), nullable=True),
        sa.Column("reporter_type", sa.String(length=16), nullable=False),
        sa.Column("reported_at", When, nullable=False),
        sa.Column("photo_urls", sa.JSON(), nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.ForeignKeyConstraint(["system_id"], ["city_management_system.id"]),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("system_id", "event_id", name="uq_city_management_event_system_event"),
        sa.UniqueConstraint("ticket_id"),
    )
    op.create_table(
        "city_management_callback",
        sa.Column("id", BigId, nullable=False),
        sa.Column("city_event_id", BigId, nullable=False),
        sa.Column("ticket_event_id", BigId, nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", When, nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.Column("sent_at", When, nullable=True),
        sa.ForeignKeyConstraint(["city_event_id"], ["city_management_event.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["ticket_event_id"], ["ticket_event.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ticket_event_id"),
    )
    op.create_index("ix_city_management_callback_city_event_id", "city_management_callback", ["city_event_id"])
    op.create_index("ix_city_management_callback_due", "city_management_callback", ["state", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_city_management_callback_due", table_name="city_management_callback")
    op.drop_index("ix_city_management_callback_city_event_id", table_name="city_management_callback")
    op.drop_table("city_management_callback")
    op.drop_table("city_management_event")
    op.drop_table("city_management_system")
