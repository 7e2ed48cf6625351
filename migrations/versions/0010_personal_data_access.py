"""who read a ticket's caller fields in full, when, and through which view (issue 18)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 06:20:00
"""

from __future__ import annotations

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "personal_data_access",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("staff_role", sa.String(length=16), nullable=False),
        sa.Column("ticket_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("view", sa.String(length=24), nullable=False),
        sa.Column("at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_personal_data_access_staff_at", "personal_data_access", ["staff_id", "at"])
    op.create_index(op.f("ix_personal_data_access_ticket_id"), "personal_data_access", ["ticket_id"])
    op.create_index(op.f("ix_personal_data_access_at"), "personal_data_access", ["at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_personal_data_access_at"), table_name="personal_data_access")
    op.drop_index(op.f("ix_personal_data_access_ticket_id"), table_name="personal_data_access")
    op.drop_index("ix_personal_data_access_staff_at", table_name="personal_data_access")
    op.drop_table("personal_data_access")
