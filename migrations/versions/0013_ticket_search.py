"""ticket search (issue 20): the words column, its full-text index on each dialect, and a unit's month index

PostgreSQL: a GIN index over to_tsvector('simple', search_text). SQLite: the FTS5 table ticket_fts over the same
column (external content), kept by triggers. Existing tickets get their words here.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 13:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hotline.search_index import create_full_text, drop_full_text
from hotline.search_text import index_text

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table("ticket") as batch:
        batch.add_column(sa.Column("search_text", sa.Text(), nullable=True))
        batch.create_index("ix_ticket_lead_created", ["lead_department_id", "created_at"])
    connection = op.get_bind()
    _fill(connection)
    create_full_text(connection)


def _fill(connection: sa.Connection) -> None:
    ticket = sa.table("ticket", sa.column("id"), sa.column("title"), sa.column("content"), sa.column("address"),
                      sa.column("search_text"))
    last = 0
    while True:
        rows = connection.execute(sa.select(ticket.c.id, ticket.c.title, ticket.c.content, ticket.c.address)
                                  .where(ticket.c.id > last).order_by(ticket.c.id).limit(BATCH)).all()
        if not rows:
            return
        connection.execute(sa.update(ticket).where(ticket.c.id == sa.bindparam("row_id"))
                           .values(search_text=sa.bindparam("words")),
                           [{"row_id": r.id, "words": index_text(r.title, r.content, r.address)} for r in rows])
        last = rows[-1].id


def downgrade() -> None:
    drop_full_text(op.get_bind())
    with op.batch_alter_table("ticket") as batch:
        batch.drop_index("ix_ticket_lead_created")
        batch.drop_column("search_text")
