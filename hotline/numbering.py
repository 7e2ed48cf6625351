"""Readable, date-based ticket numbers that stay unique when many operators take calls at once."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from hotline.clock import local
from hotline.models import DailyCounter


def next_ticket_number(session: Session, moment: datetime) -> str:
    """YYYYMMDD + a 5-digit daily sequence, e.g. 2026112400017, from an atomic upsert."""
    day = local(moment).strftime("%Y%m%d")
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(DailyCounter)
        .values(day=day, value=1)
        .on_conflict_do_update(index_elements=["day"], set_={"value": DailyCounter.value + 1})
        .returning(DailyCounter.value)
    )
    value = session.execute(statement).scalar_one()
    return f"{day}{value:05d}"


def new_query_code() -> str:
    """8 random digits: easy to read out on the phone, 10^8 to guess against a throttled lookup."""
    return f"{secrets.randbelow(10**8):08d}"
