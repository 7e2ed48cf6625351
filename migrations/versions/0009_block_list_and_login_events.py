"""the block list (恶意来电/留言) and sign-in events (issue 18)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 06:00:00
"""

from __future__ import annotations

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)


def upgrade() -> None:
    op.create_table(
        "blocked_phone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("phone"),
    )
    op.create_table(
        "login_event",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=32), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_login_event_created_at", "login_event", ["created_at"])
    op.create_index("ix_login_event_staff_id", "login_event", ["staff_id"])


def downgrade() -> None:
    op.drop_index("ix_login_event_staff_id", table_name="login_event")
    op.drop_index("ix_login_event_created_at", table_name="login_event")
    op.drop_table("login_event")
    op.drop_table("blocked_phone")
