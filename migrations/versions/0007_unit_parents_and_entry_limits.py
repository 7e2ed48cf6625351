"""a unit's parent (上级单位, where its escalations go) and a catalogue entry's own time limits

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a column with its REFERENCES clause in place. Batch mode would copy and drop the department
        # table to add the key, and with foreign keys on that DROP fails on any database whose staff or tickets
        # point at a department, i.e. every database in use.
        op.execute("ALTER TABLE department ADD COLUMN parent_id INTEGER REFERENCES department (id)")
    else:
        with op.batch_alter_table("department", schema=None) as batch_op:
            batch_op.add_column(sa.Column("parent_id", sa.Integer(), nullable=True))
            batch_op.create_foreign_key("department_parent_id_fkey", "department", ["parent_id"], ["id"])
    with op.batch_alter_table("catalogue_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("time_limits", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("catalogue_entry", schema=None) as batch_op:
        batch_op.drop_column("time_limits")
    with op.batch_alter_table("department", schema=None) as batch_op:
        batch_op.drop_column("parent_id")
