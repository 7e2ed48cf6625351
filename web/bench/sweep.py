"""Benchmark: the deadline sweep's cost follows the number of tickets due, not the number open.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/sweep_bench REDIS_URL=redis://127.0.0.1:6379/9 \\
        python -m web.bench.sweep --sizes 10000 1000000 --due 200

The database named in DATABASE_URL is dropped and re-created. For each size it loads that many open, not-yet-due
tickets (PostgreSQL COPY), then times sweeps over the same number of due tickets (median of --runs) and prints the
ratio of the largest size to the smallest (goal: at most 2x).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta

from sqlalchemy import delete, select, text, update

from web.bench import setup

COLUMNS = ("number", "query_code", "channel", "content", "type", "urgency", "status", "created_at", "updated_at",
           "dispatched_at", "sign_deadline", "due_at", "signed_at", "policy_version", "extension_used",
           "lead_department_id", "version", "manual_review", "escalation", "next_attention_at", "category_code")


def _load(count: int, first: int, department_id: int, due: bool) -> None:
    """COPY `count` in-progress tickets; due ones need a yellow card now, the rest in a week."""
    from hotline.clock import now

    moment = now()
    dispatched = moment - timedelta(days=10 if due else 1)
    deadline = moment - timedelta(hours=1) if due else moment + timedelta(days=20)
    attention = moment - timedelta(minutes=5) if due else moment + timedelta(days=7)
    setup.insert_rows("ticket", COLUMNS, (
        (f"B{i:012d}", "00000000", "call_12345", "路灯不亮", "complaint", "normal", "in_progress", dispatched,
         dispatched, dispatched, dispatched, deadline, dispatched, 1, False, department_id, 1, False, 0, attention,
         "0107") for i in range(first, first + count)))


def _time_sweeps(due: int, runs: int) -> list[float]:
    from dispatch.followup import sweep
    from hotline.database import session_scope
    from hotline.models import Notification, Ticket, TicketEvent

    timings = []
    for _ in range(runs):
        with session_scope() as session:  # put the due tickets back to "no card yet"
            due_ids = select(Ticket.id).where(Ticket.number.like("D%"))
            session.execute(delete(TicketEvent).where(TicketEvent.ticket_id.in_(due_ids)))
            session.execute(delete(Notification))
            session.execute(text("DELETE FROM supervision_notice"))
            session.execute(update(Ticket).where(Ticket.number.like("D%")).values(
                card=None, escalation=0, next_attention_at=text("now() - interval '5 minutes'")))
        started = time.perf_counter()
        counts = sweep(batch=due)
        timings.append(time.perf_counter() - started)
        assert counts.get("yellow") == due, counts
    return timings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--due", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        sys.exit("set DATABASE_URL to a PostgreSQL database that may be dropped, e.g. .../sweep_bench")
    setup.recreate_database(url)

    from hotline.database import get_engine, session_scope
    from hotline.models import Department

    setup.migrate_and_seed()
    with session_scope() as session:
        department_id = session.scalar(select(Department.id).where(Department.code == "cgj"))
    engine = get_engine()
    _load(args.due, 0, department_id, due=True)
    with engine.begin() as connection:
        connection.execute(text("UPDATE ticket SET number = 'D' || substr(number, 2) WHERE number LIKE 'B%'"))
    loaded, results = 0, {}
    for size in sorted(args.sizes):
        started = time.perf_counter()
        _load(size - loaded - args.due, loaded + args.due, department_id, due=False)
        with engine.begin() as connection:
            connection.execute(text("ANALYZE ticket"))
        loaded = size - args.due
        load_seconds = time.perf_counter() - started
        timings = _time_sweeps(args.due, args.runs)
        results[size] = statistics.median(timings)
        print(f"open tickets {size:>9,}  due {args.due}  sweep median {results[size] * 1000:8.1f} ms "
              f"(runs: {', '.join(f'{t * 1000:.0f}' for t in timings)} ms; load {load_seconds:.1f} s)", flush=True)
    smallest, largest = min(results), max(results)
    print(f"ratio {largest:,} / {smallest:,} open: {results[largest] / results[smallest]:.2f}x (goal <= 2x)")


if __name__ == "__main__":
    main()
