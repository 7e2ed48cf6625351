"""Grid cells (issue 21): the county's 网格, each grid worker's cell, and the cell a ticket was reported from

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 02:10:00
"""

from __future__ import annotations

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

When = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)
TicketId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "grid_cell",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("township", sa.String(length=32), nullable=False),
        sa.Column("village", sa.String(length=32), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "grid_worker",
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("grid_cell_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["grid_cell_id"], ["grid_cell.id"]),
        sa.PrimaryKeyConstraint("staff_id"),
    )
    op.create_index("ix_grid_worker_grid_cell_id", "grid_worker", ["grid_cell_id"])
    op.create_table(
        "ticket_grid",
        sa.Column("ticket_id", TicketId, nullable=False),
        sa.Column("grid_cell_id", sa.Integer(), nullable=False),
        sa.Column("reported_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.ForeignKeyConstraint(["grid_cell_id"], ["grid_cell.id"]),
        sa.ForeignKeyConstraint(["reported_by"], ["staff.id"]),
        sa.PrimaryKeyConstraint("ticket_id"),
    )
    op.create_index("ix_ticket_grid_grid_cell_id", "ticket_grid", ["grid_cell_id"])


def downgrade() -> None:
    op.drop_index("ix_ticket_grid_grid_cell_id", table_name="ticket_grid")
    op.drop_table("ticket_grid")
    op.drop_index("ix_grid_worker_grid_cell_id", table_name="grid_worker")
    op.drop_table("grid_worker")
    op.drop_table("grid_cell")
