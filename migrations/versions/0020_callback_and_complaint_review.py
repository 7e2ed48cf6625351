"""回访 tasks and 差评 reviews (issue 20)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 17:00:00
"""

from __future__ import annotations

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _when(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "callback_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", BigId, nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        _when("closed_at", False),
        _when("due_at", False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("last_outcome", sa.String(length=16), nullable=True),
        _when("done_at"),
        sa.ForeignKeyConstraint(["department_id"], ["department.id"]),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ticket_id", "closed_at"),
    )
    with op.batch_alter_table("callback_task", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_callback_task_ticket_id"), ["ticket_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_callback_task_department_id"), ["department_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_callback_task_due_at"), ["due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_callback_task_status"), ["status"], unique=False)

    op.create_table(
        "complaint_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", BigId, nullable=False),
        sa.Column("rating_event_id", BigId, nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("satisfaction", sa.String(length=24), nullable=False),
        sa.Column("solved", sa.String(length=16), nullable=False),
        sa.Column("contradictory", sa.Boolean(), nullable=False),
        _when("opened_at", False),
        _when("due_at", False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=True),
        sa.Column("remedy", sa.String(length=16), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        _when("decided_at"),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        _when("rectify_due_at"),
        sa.Column("rectification", sa.Text(), nullable=True),
        _when("rectified_at"),
        sa.Column("rectified_by", sa.Integer(), nullable=True),
        _when("appeal_due_at"),
        sa.Column("appeal_status", sa.String(length=16), nullable=True),
        sa.Column("appeal_reason", sa.Text(), nullable=True),
        _when("appealed_at"),
        sa.Column("appealed_by", sa.Integer(), nullable=True),
        sa.Column("appeal_note", sa.Text(), nullable=True),
        _when("appeal_decided_at"),
        sa.Column("appeal_decided_by", sa.Integer(), nullable=True),
        sa.Column("counts", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.ForeignKeyConstraint(["rating_event_id"], ["ticket_event.id"]),
        sa.ForeignKeyConstraint(["department_id"], ["department.id"]),
        sa.ForeignKeyConstraint(["decided_by"], ["staff.id"]),
        sa.ForeignKeyConstraint(["rectified_by"], ["staff.id"]),
        sa.ForeignKeyConstraint(["appealed_by"], ["staff.id"]),
        sa.ForeignKeyConstraint(["appeal_decided_by"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("rating_event_id"),
    )
    with op.batch_alter_table("complaint_review", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_complaint_review_ticket_id"), ["ticket_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_complaint_review_department_id"), ["department_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_complaint_review_opened_at"), ["opened_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_complaint_review_status"), ["status"], unique=False)


def downgrade() -> None:
    op.drop_table("complaint_review")
    op.drop_table("callback_task")
