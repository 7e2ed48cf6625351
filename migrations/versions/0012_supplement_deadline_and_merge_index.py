"""待补充 has a deadline the citizen is told (and the sweep acts on); merged tickets are found by their parent (issue 20)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 13:40:00
"""

from __future__ import annotations

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("supplement_due_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_ticket_supplement_due_at"), ["supplement_due_at"], unique=False)
        batch_op.create_index("ix_ticket_parent_id", ["parent_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_index("ix_ticket_parent_id")
        batch_op.drop_index(batch_op.f("ix_ticket_supplement_due_at"))
        batch_op.drop_column("supplement_due_at")
