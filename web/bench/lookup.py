"""Benchmark: the citizen's lookup (number + query code) with 1,000 and with 1,000,000 tickets stored.

    python -m web.bench.lookup                          # bench database, Redis db 9, port 8720
    python -m web.bench.lookup --sizes 1000 1000000 --rate 100 --seconds 20

For each size (smallest first) it tops the ticket table up with COPY to that many tickets, each with a four-event
timeline (受理, 提交派单, 智能分类, 派单), ANALYZEs, then drives POST /api/public/lookup for random stored tickets at a
fixed rate (open loop) and, as a control for the machine's load at that moment, GET /health at the same rate.
It prints p50/p99 for both at each size and the ratios of the largest size to the smallest (goal: lookup p99
< 10 ms, and p99 at 1,000,000 no more than 1.5x p99 at 1,000). The per-address throttle is lifted for the run
(LOOKUP_LIMIT_PER_MINUTE); the stack is `hotline12345 run` as in production.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import timedelta

from web.bench import load, observe, setup

GOAL_P99_MS, GOAL_RATIO = 10.0, 1.5
TICKET_COLUMNS = ("number", "query_code", "channel", "content", "caller_phone", "township", "type", "urgency",
                  "status", "created_at", "updated_at", "dispatched_at", "sign_deadline", "due_at", "policy_version",
                  "extension_used", "lead_department_id", "version", "manual_review", "escalation", "category_code")
EVENT_COLUMNS = ("ticket_id", "action", "from_status", "to_status", "actor_role", "department_id", "data",
                 "created_at")


def number_of(i: int) -> str:
    return f"2025{i:09d}"


def code_of(i: int) -> str:
    return f"{(i * 7919 + 12345) % 10**8:08d}"


def top_up(first: int, last: int, department_id: int, batch: int = 100_000) -> None:
    """Tickets first..last-1 and their timelines, in batches (COPY on PostgreSQL, executemany elsewhere)."""
    from sqlalchemy import func, select, text

    from hotline.clock import now
    from hotline.database import get_engine, session_scope
    from hotline.models import Ticket

    moment = now() - timedelta(days=3)
    for start in range(first, last, batch):
        stop = min(last, start + batch)
        rows = []
        for i in range(start, stop):
            created = moment + timedelta(seconds=i % 86400)
            rows.append((number_of(i), code_of(i), "call_12345", "望江花园小区门口路灯坏了，晚上出行很不方便",
                         "13800138000", "城关街道", "complaint", "normal", "pending_sign", created, created,
                         created, created + timedelta(hours=2), created + timedelta(days=20), 1, False,
                         department_id, 1, False, 0, "0107"))
        setup.insert_rows("ticket", TICKET_COLUMNS, rows)
        with session_scope() as session:
            ids = session.execute(select(Ticket.id, Ticket.created_at).where(
                Ticket.number >= number_of(start), Ticket.number < number_of(stop))).all()
        events = []
        department = json.dumps({"department": "县城市管理和综合执法局"}, ensure_ascii=False)
        for ticket_id, created in ids:
            events += [(ticket_id, "receive", None, "received", "operator", None, '{"channel": "call_12345"}',
                        created),
                       (ticket_id, "submit", "received", "pending_dispatch", "operator", None, "{}", created),
                       (ticket_id, "classify", "pending_dispatch", "pending_dispatch", "system", None, "{}", created),
                       (ticket_id, "dispatch", "pending_dispatch", "pending_sign", "system", department_id,
                        department, created)]
        setup.insert_rows("ticket_event", EVENT_COLUMNS, events)
    engine = get_engine()
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("ANALYZE ticket"))
            connection.execute(text("ANALYZE ticket_event"))
        count = connection.scalar(select(func.count()).select_from(Ticket))
    assert count >= last - first, count


def skip_relay(redis_url: str) -> None:
    """Bulk-loaded history is not news: start the board relay after it, as if it had been relayed already."""
    import redis
    from sqlalchemy import func, select

    from hotline.database import session_scope
    from hotline.models import TicketEvent

    with session_scope() as session:
        newest = session.scalar(select(func.max(TicketEvent.id))) or 0
    redis.Redis.from_url(redis_url).set("hotline:board:relay:cursor", newest)


def _looker(picks: list[int]) -> load.Unit:
    async def look(connection: load.Connection, index: int) -> int:
        i = picks[index % len(picks)]
        return (await connection.request("POST", "/api/public/lookup",
                                         {"number": number_of(i), "query_code": code_of(i)}))[0]

    return look


async def health(connection: load.Connection, _: int) -> int:
    return (await connection.request("GET", "/health"))[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m web.bench.lookup", description=__doc__.split("\n")[0])
    setup.add_arguments(parser, port=8720)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 1_000_000])
    parser.add_argument("--rate", type=float, default=100.0, help="look-ups per second (open loop)")
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args(argv)
    print(setup.machine(), flush=True)
    env = setup.prepare(args)
    from sqlalchemy import select

    from hotline.database import session_scope
    from hotline.models import Department

    with session_scope() as session:
        department_id = session.scalar(select(Department.id).where(Department.code == "cgj"))
    results: dict[int, tuple[load.Result, load.Result]] = {}
    loaded = 0
    host, port = "127.0.0.1", args.port
    for size in sorted(args.sizes):
        started = time.perf_counter()
        top_up(loaded, size, department_id)
        loaded = size
        skip_relay(env["REDIS_URL"])
        print(f"{size:,} tickets stored ({4 * size:,} events; load {time.perf_counter() - started:.1f} s)",
              flush=True)
        rng = random.Random(size)
        look = _looker([rng.randrange(size) for _ in range(int(args.rate * args.seconds) + 1)])
        with setup.Service(args, env) as service:  # a fresh stack per size: both sizes start alike
            # Warm-up, gently first: a cold web process under full load can starve its connection pool (see
            # docs/BENCHMARKS.md), and the point here is the steady state.
            load.run(load.open_loop(host, port, look, rate=max(1.0, args.rate / 10), seconds=min(2.0, args.seconds)))
            warm = load.run(load.open_loop(host, port, look, rate=args.rate, seconds=min(5.0, args.seconds)))
            print(warm.line("  (warm-up)"), flush=True)
            with observe.Observer(args.database_url, service.group) as seen:
                found = load.run(load.open_loop(host, port, look, rate=args.rate, seconds=args.seconds))
            control = load.run(load.open_loop(host, port, health, rate=args.rate, seconds=min(args.seconds, 10)))
        results[size] = (found, control)
        print(found.line(f"  lookup, {size:,} tickets, {args.rate:.0f}/s"), flush=True)
        print(control.line(f"  GET /health (control), {args.rate:.0f}/s"), flush=True)
        print(seen.summary(), flush=True)
        web = seen.cpu.get("web", 0) / observe.TICK
        print(f"    web processes' CPU per lookup: {web / max(found.count, 1) * 1000:.1f} ms", flush=True)
    small, large = min(results), max(results)
    (f_small, c_small), (f_large, c_large) = results[small], results[large]
    ratio = f_large.pct(99) / f_small.pct(99)
    print(f"ratio lookup p99 {large:,} / {small:,} tickets: {ratio:.2f}x (goal <= {GOAL_RATIO}x); "
          f"p50 {f_large.pct(50) / f_small.pct(50):.2f}x; control /health p99 {c_large.pct(99) / c_small.pct(99):.2f}x")
    print(f"ratio lookup / bare route p99: {f_small.pct(99) / c_small.pct(99):.2f} at {small:,}, "
          f"{f_large.pct(99) / c_large.pct(99):.2f} at {large:,}")
    bad = sum(f.non_2xx for f, _ in results.values())
    met = f_large.pct(99) < GOAL_P99_MS and ratio <= GOAL_RATIO and bad == 0
    print(f"goal (p99 < {GOAL_P99_MS:.0f} ms at {large:,}, ratio <= {GOAL_RATIO}x, no non-2xx): "
          f"{'met' if met else 'NOT met'}; {setup.machine()}")
    figures = {"sizes": sorted(results), "p50_ms": [results[s][0].pct(50) for s in sorted(results)],
               "p99_ms": [results[s][0].pct(99) for s in sorted(results)],
               "health_p99_ms": [results[s][1].pct(99) for s in sorted(results)], "ratio_p99": ratio,
               "non_2xx": bad}
    print(f"figures: {setup.dumps(figures)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
