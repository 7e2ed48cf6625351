"""Hotspot indexes (issue 21, cost at 100,000 tickets): a placement's candidate clusters are read from the index (their
township, window, catalogue group and state) before any row, and the list's largest clusters in order

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 08:50:00
"""

from __future__ import annotations

from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_hotspot_cluster_township_last_at", table_name="hotspot_cluster")
    op.create_index("ix_hotspot_cluster_township_last_at_category", "hotspot_cluster",
                    ["township", "last_at", "category_code", "state"])
    op.create_index("ix_hotspot_cluster_state_size_last_at", "hotspot_cluster", ["state", "size", "last_at"])


def downgrade() -> None:
    op.drop_index("ix_hotspot_cluster_state_size_last_at", table_name="hotspot_cluster")
    op.drop_index("ix_hotspot_cluster_township_last_at_category", table_name="hotspot_cluster")
    op.create_index("ix_hotspot_cluster_township_last_at", "hotspot_cluster", ["township", "last_at"])
