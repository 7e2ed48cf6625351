"""Readable, date-based ticket numbers that stay unique when many operators take calls at once."""

from __future__ import annotations

import secrets
import threading
from datetime import datetime, timedelta

from sqlalchemy import URL, Engine, func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from hotline.clock import local
from hotline.models import DailyCounter, Ticket

SEQUENCE_PREFIX = "ticket_number_"
KEEP_DAYS = 2  # a day's sequence is dropped once it is this many days old

_ready: set[tuple[URL, str]] = set()  # (database, day) whose sequence this process has seen
_ready_lock = threading.Lock()


def next_ticket_numbers(session: Session, moment: datetime, count: int) -> list[str]:
    """`count` numbers of the day, in ascending order, in one round trip: YYYYMMDD + a 5-digit daily sequence,
    e.g. 2026112400017.

    PostgreSQL: `nextval` of a sequence of the day. It takes no lock that lasts to the commit: a counter row did,
    and every intake in the county queued behind it (measured: 4-10 backends waiting, the same rate on 8 and 32
    connections). A failed intake skips a number, as with any sequence. SQLite admits one writer at a time anyway,
    so there a counter row in the ticket's transaction does it.
    """
    day = local(moment).strftime("%Y%m%d")
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        _ensure_sequence(bind.engine, day)
        values = sorted(session.scalars(select(func.nextval(SEQUENCE_PREFIX + day))
                                        .select_from(func.generate_series(1, count))))
    else:
        last = session.execute(
            sqlite.insert(DailyCounter).values(day=day, value=count)
            .on_conflict_do_update(index_elements=["day"], set_={"value": DailyCounter.value + count})
            .returning(DailyCounter.value)
        ).scalar_one()
        values = list(range(last - count + 1, last + 1))
    return [f"{day}{value:05d}" for value in values]


def next_in_series(session: Session, series: str) -> int:
    """The next number of a low-volume series (a year's 督办单: «督2026»), 1 first, in the caller's transaction.

    The same counter table as SQLite's ticket numbers, on both dialects: the upsert's row lock lasts to the commit,
    so two issuers at once wait for each other and never share a number, and a rolled-back one gives its number
    back. A series is a key of at most 8 characters that no day (YYYYMMDD) can be.
    """
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    return session.execute(
        insert(DailyCounter).values(day=series, value=1)
        .on_conflict_do_update(index_elements=["day"], set_={"value": DailyCounter.value + 1})
        .returning(DailyCounter.value)
    ).scalar_one()


def _ensure_sequence(engine: Engine, day: str) -> None:
    """Once a day per process: create the day's sequence, starting after any number that day already has."""
    key = (engine.url, day)  # the URL itself, hashable: rendering it cost every intake
    if key in _ready:
        return
    with _ready_lock, engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if key in _ready:
            return
        name = SEQUENCE_PREFIX + day
        if connection.scalar(text("SELECT to_regclass(:name)"), {"name": name}) is None:
            start = _numbers_given(connection, day) + 1
            try:
                connection.execute(text(f"CREATE SEQUENCE IF NOT EXISTS {name} START WITH {start}"))
            except DBAPIError:  # another process created it at the same moment
                if connection.scalar(text("SELECT to_regclass(:name)"), {"name": name}) is None:
                    raise
            _drop_old_sequences(connection, day)
        _ready.add(key)


def _forget(database: URL, name: str) -> None:
    _ready.discard((database, name.removeprefix(SEQUENCE_PREFIX)))


def _numbers_given(connection, day: str) -> int:
    """The highest number of the day already in use (after an upgrade from the counter table, or a restore)."""
    following = (datetime.strptime(day, "%Y%m%d") + timedelta(days=1)).strftime("%Y%m%d")
    highest = connection.scalar(  # a range, not LIKE, so the unique index serves it; longest first past 99,999
        select(Ticket.number).where(Ticket.number >= day, Ticket.number < following)
        .order_by(func.length(Ticket.number).desc(), Ticket.number.desc()).limit(1))
    return int(highest[len(day):]) if highest else 0


def _drop_old_sequences(connection, day: str) -> None:
    oldest_kept = (datetime.strptime(day, "%Y%m%d") - timedelta(days=KEEP_DAYS)).strftime("%Y%m%d")
    old = connection.scalars(
        text("SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema() "
             "AND sequencename LIKE :prefix AND sequencename < :oldest"),
        {"prefix": SEQUENCE_PREFIX.replace("_", r"\_") + "%", "oldest": SEQUENCE_PREFIX + oldest_kept},
    ).all()
    for name in old:
        connection.execute(text(f"DROP SEQUENCE IF EXISTS {name}"))
        _forget(connection.engine.url, name)


def new_query_code() -> str:
    """8 random digits: easy to read out on the phone, 10^8 to guess against a throttled lookup."""
    return f"{secrets.randbelow(10**8):08d}"
