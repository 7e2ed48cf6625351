"""Ticket numbers: a sequence per day on PostgreSQL, picked up where the day already is."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text, update

from hotline import clock, numbering
from hotline.database import get_engine, session_scope
from hotline.models import Ticket
from hotline.settings import get_settings
from tests.fixtures import CALL

postgres_only = pytest.mark.skipif(get_settings().is_sqlite, reason="SQLite numbers from a counter row")


def _sequences() -> set[str]:
    with get_engine().connect() as connection:
        return set(connection.scalars(text(
            "SELECT sequencename FROM pg_sequences WHERE sequencename LIKE 'ticket\\_number\\_%'")))


def test_numbers_count_up_within_the_day(operator):
    first, second = (operator.post("/api/tickets", json=CALL).json()["number"] for _ in range(2))
    day = clock.local(clock.now()).strftime("%Y%m%d")
    assert first[:8] == second[:8] == day
    assert (int(first[8:]), int(second[8:])) == (1, 2)


@postgres_only
def test_a_new_sequence_starts_after_the_days_numbers_already_given(operator):
    """An upgrade from the counter row mid-day, or a restore: the day's sequence must not give a number twice."""
    number = operator.post("/api/tickets", json=CALL).json()["number"]
    day = number[:8]
    with session_scope() as session:
        session.execute(update(Ticket).where(Ticket.number == number).values(number=f"{day}00041"))
    with get_engine().connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f"DROP SEQUENCE {numbering.SEQUENCE_PREFIX}{day}"))
    numbering._ready.clear()  # as in a process that has not met this day yet
    assert operator.post("/api/tickets", json=CALL).json()["number"] == f"{day}00042"


@postgres_only
def test_old_days_sequences_are_dropped(operator):
    today = clock.now()
    operator.post("/api/tickets", json=CALL)
    old_day = clock.local(today).strftime("%Y%m%d")
    assert numbering.SEQUENCE_PREFIX + old_day in _sequences()
    later_day = clock.local(today + timedelta(days=numbering.KEEP_DAYS + 1)).strftime("%Y%m%d")
    with get_engine().connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f"DROP SEQUENCE IF EXISTS {numbering.SEQUENCE_PREFIX}{later_day}"))  # an earlier run's
    numbering._ready.clear()  # this process meets the later day for the first time, and so creates its sequence
    with clock.frozen(today + timedelta(days=numbering.KEEP_DAYS + 1)):
        later = operator.post("/api/tickets", json=CALL).json()["number"]
    assert later.endswith("00001")
    assert numbering.SEQUENCE_PREFIX + old_day not in _sequences()
    assert numbering.SEQUENCE_PREFIX + later[:8] in _sequences()
