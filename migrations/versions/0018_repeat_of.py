"""重复诉求 (issue 20): a ticket points at the same caller's earlier answered ticket about the same problem

A plain ADD COLUMN with its reference on both dialects: a batch (copy-and-move) on SQLite would drop the ticket
search triggers of 0013.

Revision ID: 0018
Revises: 0013
Create Date: 2026-12-03 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hotline.search_index import create_full_text, drop_full_text

revision = "0018"
down_revision = "0013"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":  # SQLite adds a column with its reference, but Alembic won't say so
        op.execute("ALTER TABLE ticket ADD COLUMN repeat_of_id INTEGER REFERENCES ticket (id)")
        return
    op.add_column("ticket", sa.Column("repeat_of_id", BIG_ID, nullable=True))
    op.create_foreign_key("ticket_repeat_of_id_fkey", "ticket", "ticket", ["repeat_of_id"], ["id"])


def downgrade() -> None:
    connection = op.get_bind()
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:  # the batch copies the table: the search triggers go with the old one, and are made again
        drop_full_text(connection)
    with op.batch_alter_table("ticket") as batch:
        batch.drop_column("repeat_of_id")
    if sqlite:
        create_full_text(connection)
