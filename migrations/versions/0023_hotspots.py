"""Hotspots (issue 21): clusters of recent tickets about one problem at one place, kept as tickets arrive

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 01:45:00
"""

from __future__ import annotations

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

When = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)
TicketId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "hotspot_cluster",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("township", sa.String(length=32), nullable=True),
        sa.Column("place", sa.String(length=64), nullable=True),
        sa.Column("category_code", sa.String(length=16), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("callers", sa.Integer(), nullable=False),
        sa.Column("first_at", When, nullable=False),
        sa.Column("last_at", When, nullable=False),
        sa.Column("centroid", sa.Text(), nullable=False),
        sa.Column("by_hand", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("notified_at", When, nullable=True),
        sa.Column("created_at", When, nullable=False),
        sa.ForeignKeyConstraint(["merged_into_id"], ["hotspot_cluster.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_hotspot_cluster_last_at", "hotspot_cluster", ["last_at"])
    op.create_index("ix_hotspot_cluster_township_last_at", "hotspot_cluster", ["township", "last_at"])
    op.create_table(
        "hotspot_member",
        sa.Column("ticket_id", TicketId, nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.Column("by_hand", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("added_at", When, nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.ForeignKeyConstraint(["cluster_id"], ["hotspot_cluster.id"]),
        sa.PrimaryKeyConstraint("ticket_id"),
    )
    op.create_index("ix_hotspot_member_cluster_id", "hotspot_member", ["cluster_id"])


def downgrade() -> None:
    op.drop_index("ix_hotspot_member_cluster_id", table_name="hotspot_member")
    op.drop_table("hotspot_member")
    op.drop_index("ix_hotspot_cluster_township_last_at", table_name="hotspot_cluster")
    op.drop_index("ix_hotspot_cluster_last_at", table_name="hotspot_cluster")
    op.drop_table("hotspot_cluster")
