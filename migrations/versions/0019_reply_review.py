"""办结审核 and 工单质检 (issue 20): one row per reply that waits for the hotline's review, with its checks and score

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 17:00:00
"""

from __future__ import annotations

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def _moment(name: str, nullable: bool) -> sa.Column:
    return sa.Column(name, advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "reply_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("replied_by", sa.Integer(), nullable=True),
        _moment("replied_at", False),
        sa.Column("reply", sa.Text(), nullable=False),
        sa.Column("on_time", sa.Boolean(), nullable=False),
        _moment("due_at", False),
        sa.Column("reviewed_by", sa.Integer(), nullable=True),
        _moment("reviewed_at", True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("answers_request", sa.Boolean(), nullable=True),
        sa.Column("complete", sa.Boolean(), nullable=True),
        sa.Column("courteous", sa.Boolean(), nullable=True),
        sa.Column("cites_basis", sa.Boolean(), nullable=True),
        sa.Column("score", sa.SmallInteger(), nullable=True),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.ForeignKeyConstraint(["department_id"], ["department.id"]),
        sa.ForeignKeyConstraint(["replied_by"], ["staff.id"]),
        sa.ForeignKeyConstraint(["reviewed_by"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_reply_review_open", "reply_review", ["reviewed_at", "replied_at"])
    op.create_index("ix_reply_review_unit", "reply_review", ["department_id", "reviewed_at"])
    op.create_index(op.f("ix_reply_review_ticket_id"), "reply_review", ["ticket_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_reply_review_ticket_id"), table_name="reply_review")
    op.drop_index("ix_reply_review_unit", table_name="reply_review")
    op.drop_index("ix_reply_review_open", table_name="reply_review")
    op.drop_table("reply_review")
