"""a staff member's token version (revocation) and phone, and when a ticket came in from a county's history

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 00:20:00
"""

from __future__ import annotations

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN: SQLite does it in place, where batch mode would copy and drop tables that others point at.
    op.add_column("staff", sa.Column("token_version", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("staff", sa.Column("phone", sa.String(length=20), nullable=True))
    op.add_column("ticket", sa.Column("imported_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("ticket", "imported_at")
    op.drop_column("staff", "phone")
    op.drop_column("staff", "token_version")
