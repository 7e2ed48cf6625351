"""县领导 and 督办单 (issue 20): numbered 督办 notices with a 催复 mark, and 领导批示 with the unit's reply

Existing 督办 notices (kinds supervise and manual) get their numbers here, 督〔YYYY〕第NNNN号 in creation order per
year of the county (Asia/Shanghai), and each year's counter row starts after them (hotline.numbering).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 16:50:00
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

COUNTY = ZoneInfo("Asia/Shanghai")
When = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("supervision_notice") as batch:
        batch.add_column(sa.Column("document_number", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("reminded_at", When, nullable=True))
        batch.create_unique_constraint("uq_supervision_notice_document_number", ["document_number"])
    op.create_table(
        "leader_instruction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("issued_by", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("reply_by", When, nullable=False),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.Column("replied_at", When, nullable=True),
        sa.Column("replied_by", sa.Integer(), nullable=True),
        sa.Column("created_at", When, nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.ForeignKeyConstraint(["notice_id"], ["supervision_notice.id"]),
        sa.ForeignKeyConstraint(["department_id"], ["department.id"]),
        sa.ForeignKeyConstraint(["issued_by"], ["staff.id"]),
        sa.ForeignKeyConstraint(["replied_by"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_leader_instruction_ticket_id", "leader_instruction", ["ticket_id"])
    op.create_index("ix_leader_instruction_department_id", "leader_instruction", ["department_id"])
    _number_existing_notices()


def _number_existing_notices() -> None:
    """Number the 督办 already issued, oldest first within each county year, and set each year's counter."""
    bind = op.get_bind()
    notice = sa.table("supervision_notice", sa.column("id", sa.Integer), sa.column("kind", sa.String),
                      sa.column("created_at", When), sa.column("document_number", sa.String))
    counter = sa.table("daily_counter", sa.column("day", sa.String), sa.column("value", sa.Integer))
    rows = bind.execute(sa.select(notice.c.id, notice.c.created_at).where(notice.c.kind.in_(("supervise", "manual")))
                        .order_by(notice.c.created_at, notice.c.id)).all()
    given: dict[int, int] = {}
    for notice_id, created_at in rows:
        year = created_at.astimezone(COUNTY).year
        given[year] = given.get(year, 0) + 1
        bind.execute(notice.update().where(notice.c.id == notice_id)
                     .values(document_number=f"督〔{year}〕第{given[year]:04d}号"))
    for year, last in given.items():
        bind.execute(counter.delete().where(counter.c.day == f"督{year}"))
        bind.execute(counter.insert().values(day=f"督{year}", value=last))


def downgrade() -> None:
    op.drop_index("ix_leader_instruction_department_id", table_name="leader_instruction")
    op.drop_index("ix_leader_instruction_ticket_id", table_name="leader_instruction")
    op.drop_table("leader_instruction")
    op.execute(sa.text("DELETE FROM daily_counter WHERE day LIKE '督%'"))
    with op.batch_alter_table("supervision_notice") as batch:
        batch.drop_constraint("uq_supervision_notice_document_number", type_="unique")
        batch.drop_column("reminded_at")
        batch.drop_column("document_number")
