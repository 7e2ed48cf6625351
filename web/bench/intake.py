"""Benchmark: ticket intake through the HTTP API, against a bare JSON route and PostgreSQL's own insert rate.

    python -m web.bench.intake                       # bench database, Redis db 9, port 8710, 20 s per step
    python -m web.bench.intake --seconds 30 --connections 32 --web-workers 2 --rq-workers 2 --profile

Steps, all in one run so that the ratios share the machine's mood:
  1. PostgreSQL alone: single-row INSERT + COMMIT of a ticket-wide row, one connection, then --pg-connections.
  2. `hotline12345 run` over that database and Redis; the operator signs in once (argon2 stays out of the loop).
  3. GET /health, closed loop: the same server's bare JSON route.
  4. POST /api/tickets as the operator, closed loop: the peak (validated, committed, routing job and SMS receipt
     enqueued after the commit, relay nudged).
  5. POST /api/tickets, open loop at half that peak: p99 (goal < 100 ms) and non-2xx (goal none).
  6. Checks: every 201 is a stored ticket with its `receive` event, the relay's cursor reached the last event
     (event on the board stream), and how far the RQ queue is behind.
The database is dropped and re-created; see web/bench/setup.py.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import threading
import time
from collections.abc import Awaitable

from web.bench import load, observe, setup

GOAL_RATE, GOAL_P99_MS = 500.0, 100.0

PG_TABLE = """CREATE TABLE bench_insert (
    id bigserial PRIMARY KEY, number varchar(20) UNIQUE NOT NULL, query_code varchar(8) NOT NULL,
    channel varchar(20) NOT NULL, type varchar(20) NOT NULL, urgency varchar(10) NOT NULL,
    status varchar(20) NOT NULL, content text NOT NULL, caller_phone varchar(20), township varchar(50),
    created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, data jsonb NOT NULL DEFAULT '{}')"""
PG_INSERT = ("INSERT INTO bench_insert (number, query_code, channel, type, urgency, status, content, caller_phone,"
             " township, created_at, updated_at) VALUES (%s, '12345678', 'call_12345', 'complaint', 'normal',"
             " 'received', %s, '13800138000', '城关街道', now(), now())")


def postgres_insert_rate(url: str, connections: int, seconds: float) -> tuple[float, float]:
    """Rows per second and p99 ms of single-row INSERT + COMMIT loops on `connections` connections."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("DROP TABLE IF EXISTS bench_insert")
        admin.execute(PG_TABLE)
    content = "望江花园小区门口路灯坏了，晚上出行很不方便，" * 3
    latencies: list[list[float]] = [[] for _ in range(connections)]
    deadline = time.perf_counter() + seconds

    def loop(index: int) -> None:
        with psycopg.connect(url) as connection:
            n = 0
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                connection.execute(PG_INSERT, (f"P{index:03d}{n:012d}", content))
                connection.commit()
                latencies[index].append((time.perf_counter() - started) * 1000)
                n += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=loop, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [x for chunk in latencies for x in chunk]
    return len(every) / (time.perf_counter() - started), load.percentile(every, 99)


def intake_bodies(count: int, seed: int = 11) -> list[dict[str, str]]:
    rng = random.Random(seed)
    texts = setup.confident_texts(400)
    places = setup.townships()
    return [{"content": f"{rng.choice(texts)}（登记号{setup.tag(rng, 40)}）", "caller_phone": setup.phone(rng),
             "township": rng.choice(places), "type": "complaint"} for _ in range(count)]


def stored_tickets() -> int:
    from sqlalchemy import func, select

    from hotline.database import session_scope
    from hotline.models import Ticket

    with session_scope() as session:
        return session.scalar(select(func.count()).select_from(Ticket)) or 0


def checks(env: dict[str, str], receipts: int, before: int, timeout: float = 60.0) -> dict[str, object]:
    """Stored = acknowledged; the relay's cursor reaches the last event; what the workers still have to do."""
    import redis
    from sqlalchemy import func, select

    from hotline.database import session_scope
    from hotline.models import Ticket, TicketEvent
    from hotline.settings import get_settings

    client = redis.Redis.from_url(env["REDIS_URL"])
    with session_scope() as session:
        stored = session.scalar(select(func.count()).select_from(Ticket)) - before
        received = session.scalar(select(func.count()).where(TicketEvent.action == "receive")) - before
        last_event = session.scalar(select(func.max(TicketEvent.id)))
    started = time.monotonic()
    while int(client.get("hotline:board:relay:cursor") or 0) < last_event and time.monotonic() - started < timeout:
        time.sleep(0.1)
    cursor = int(client.get("hotline:board:relay:cursor") or 0)
    return {"acknowledged": receipts, "stored": stored, "receive_events": received, "last_event": last_event,
            "relay_cursor": cursor, "relay_caught_up_s": round(time.monotonic() - started, 1),
            "queue_depth": client.llen(f"rq:queue:{get_settings().queue_name}")}


def profile_in_process(bodies: list[dict[str, str]], count: int) -> None:
    """The intake transaction without HTTP: its rate on one thread, its SQL statements, and where the time goes."""
    import cProfile
    import io
    import pstats

    import msgspec
    from sqlalchemy import event

    import command.nudge  # noqa: F401 - as in a web process
    from hotline import intake
    from hotline.database import get_engine, session_scope
    from hotline.schemas import CallCreate
    from hotline.workflow import Actor
    from web.process import prepare

    prepare(own_logging=False)
    operator = Actor(role="operator", id=1, name="压测")
    statements = 0

    def count_statement(*_: object) -> None:
        nonlocal statements
        statements += 1

    event.listen(get_engine(), "before_cursor_execute", count_statement)
    calls = [msgspec.convert(body, CallCreate) for body in bodies[:count]]
    profiler = cProfile.Profile()
    started, cpu = time.perf_counter(), time.process_time()
    profiler.enable()
    for call in calls:
        with session_scope() as session:
            intake.record_call(session, call, operator)
    profiler.disable()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    event.remove(get_engine(), "before_cursor_execute", count_statement)
    print(f"in-process record_call + commit (no HTTP, one thread): {count / elapsed:.0f}/s, "
          f"{elapsed / count * 1000:.2f} ms each ({cpu / count * 1000:.2f} ms CPU), "
          f"{statements / count:.1f} SQL statements each (+ BEGIN, 2 SAVEPOINT/RELEASE pairs, COMMIT)")
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(r"(hotline|dispatch|command)/.*\.py", 12)
    stats.sort_stats("tottime").print_stats(8)
    print("\n".join(line for line in out.getvalue().splitlines() if line.strip()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m web.bench.intake", description=__doc__.split("\n")[0])
    setup.add_arguments(parser, port=8710)
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each timed step")
    parser.add_argument("--connections", type=int, nargs="+", default=[8, 32],
                        help="closed-loop client connections; one peak run each, the best is the peak")
    parser.add_argument("--pg-connections", type=int, default=8)
    parser.add_argument("--rate", type=float, help="open-loop rate (default: half the measured peak)")
    parser.add_argument("--drain", type=float, default=120.0,
                        help="before each step, wait up to this long for the RQ workers to empty the queue")
    parser.add_argument("--profile", action="store_true", help="also profile the intake transaction in-process")
    args = parser.parse_args(argv)
    print(setup.machine(), flush=True)
    env = setup.prepare(args)
    figures: dict[str, object] = {}
    if args.database_url.startswith("postgresql"):
        url = setup.psycopg_url(args.database_url)
        pg_one, pg_one_p99 = postgres_insert_rate(url, 1, args.seconds)
        pg_many, pg_many_p99 = postgres_insert_rate(url, args.pg_connections, args.seconds)
        figures.update(pg_insert_1=pg_one, pg_insert_n=pg_many)
        print(f"{'PostgreSQL INSERT+COMMIT, 1 conn':<34} {pg_one:8.1f}/s  p99 {pg_one_p99:.1f} ms")
        print(f"{f'PostgreSQL INSERT+COMMIT, {args.pg_connections} conns':<34} {pg_many:8.1f}/s  "
              f"p99 {pg_many_p99:.1f} ms", flush=True)
    bodies = intake_bodies(int(max(args.seconds * 3000, 5000)))
    if args.profile:
        profile_in_process(bodies[-2000:], 1000)
    before = stored_tickets()  # the in-process profile's tickets
    with setup.Service(args, env) as service:
        headers = service.login()
        host, port = "127.0.0.1", args.port
        receipts = 0

        async def health(connection: load.Connection, _: int) -> int:
            return (await connection.request("GET", "/health"))[0]

        async def record(connection: load.Connection, index: int) -> int:
            nonlocal receipts
            status, _ = await connection.request("POST", "/api/tickets/", bodies[index % len(bodies)], headers)
            receipts += status == 201
            return status

        load.run(load.closed_loop(host, port, health, connections=8, seconds=2))  # warm-up
        load.run(load.closed_loop(host, port, record, connections=8, seconds=2))

        def step(label: str, coroutine: Awaitable[load.Result]) -> load.Result:
            waited, left = setup.drain_queue(env["REDIS_URL"], args.drain)  # each step starts with idle workers
            print(f"  (RQ queue drained in {waited:.0f} s, {left} jobs left)", flush=True)
            with observe.Observer(args.database_url, service.group) as seen:
                result = load.run(coroutine)
            print(result.line(label), flush=True)
            print(seen.summary(), flush=True)
            return result

        most = max(args.connections)
        bare = step(f"GET /health, {most} conns",
                    load.closed_loop(host, port, health, connections=most, seconds=args.seconds))
        peaks = [step(f"POST /api/tickets, {n} conns",
                      load.closed_loop(host, port, record, connections=n, seconds=args.seconds))
                 for n in args.connections]
        peak = max(peaks, key=lambda r: r.rate)
        rate = args.rate or peak.rate / 2
        half = step(f"POST /api/tickets, open {rate:.0f}/s",
                    load.open_loop(host, port, record, rate=rate, seconds=args.seconds))
        print(f"    (generator lag {half.lag_ms:.0f} ms, longest generator GC pause {half.gc_pause_ms:.0f} ms)")
        verified = checks(env, receipts, before)
    figures.update(health=bare.rate, intake_peak=peak.rate, intake_half_rate=rate, intake_half_p99=half.pct(99),
                   non_2xx=sum(r.non_2xx for r in peaks) + half.non_2xx, **verified)
    print(f"checks: {setup.dumps(verified)}")
    print(f"ratio intake / bare JSON route: {peak.rate / bare.rate:.3g}")
    if "pg_insert_1" in figures:
        print(f"ratio intake / PostgreSQL single-row insert: {peak.rate / figures['pg_insert_1']:.3g} (1 conn), "
              f"{peak.rate / figures['pg_insert_n']:.3g} ({args.pg_connections} conns)")
    met = peak.rate >= GOAL_RATE and half.pct(99) < GOAL_P99_MS and figures["non_2xx"] == 0
    print(f"goal (>= {GOAL_RATE:.0f}/s sustained, p99 < {GOAL_P99_MS:.0f} ms at half peak, no non-2xx): "
          f"{'met' if met else 'NOT met'}")
    print(f"median of the half-peak latencies {statistics.median(half.latencies or [0]):.1f} ms; {setup.machine()}")
    print(f"figures: {setup.dumps(figures)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
