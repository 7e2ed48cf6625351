"""indexes for routing's duplicate search: newest tickets by township and by category

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 02:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_ticket_township_id": ["township", "id"],
    "ix_ticket_suggested_category_id": ["suggested_category", "id"],
    "ix_ticket_category_code_id": ["category_code", "id"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "ticket", columns)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="ticket")
