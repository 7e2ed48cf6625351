"""Benchmark (not a timed test): the live hotspot path with 100,000 tickets in the 30-day window.

    python -m command.hotspot_bench                                   # a temporary SQLite file
    python -m command.hotspot_bench --tickets 100000 --database-url postgresql://postgres@127.0.0.1:5432/hotspot_bench

The database is DROPPED and re-created (a SQLite file is deleted): give a scratch one. ``--database-url`` may be
given more than once; the tickets are made once and each database is filled and measured in turn.

For each database, twice (``--baseline`` tickets in the window, then ``--tickets``): a fresh migrated database (the
county's townships and a few bureaus as units) gets the window's tickets, already placed, and ``--new`` more
tickets that have just arrived; then the real live path runs on those: ``command.hotspots.waiting`` loads them and
``command.hotspots.place`` is timed ticket by ticket in one transaction, as ``sweep`` does. Then the GET path:
``ranked(session, at, 20)`` (the list) and ``rank`` + ``members`` of the hottest (the detail).

The tickets, spread over the window: a quarter copies of the evaluation set (tests/data/hotspot_eval.jsonl, a month
of real-looking calls with 57 clusters), each copy moved to other townships and villages, other callers and a
shifted day; 35 % the routing corpus's written letters and calls, each at a random township, village and street;
the rest from the corpus generator (every catalogue leaf, the county's townships and streets).

The window's tickets are placed in bulk, not by ``place``: the same rule (``command.hotspot_mining``: the live
query's blocking by township and catalogue group and window, ``best`` over the centroids, ``add``, the same name,
size, callers and time span as ``refresh``) replayed in memory and written with COPY / executemany. That it gives
the same clusters is checked at the end: the ``--new`` tickets' places chosen by ``place`` are compared with those
the in-memory rule chooses for them (``agreement``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

SECRET = "benchmark-secret-" + "x" * 40
UNITS = ("县住房和城乡建设局", "县城市管理和综合执法局", "县生态环境分局", "县交通运输局", "县市场监督管理局", "县人力资源和社会保障局",
         "县教育局", "县卫生健康局", "县自然资源局", "县水利局", "县公安局", "国网清江供电公司", "清江自来水公司")
EVAL_FILE = Path(__file__).resolve().parents[1] / "tests" / "data" / "hotspot_eval.jsonl"
CORPUS_DIR = Path(__file__).resolve().parents[1] / "classifier" / "corpus"
EVAL_SHARE = 0.25  # of the tickets: copies of the evaluation set,
WRITTEN_SHARE = 0.35  # the corpus's written letters and calls (4,894, each at a township and street of its own),
# and the rest from the corpus generator


@dataclass
class Row:
    """One ticket as written to the database (and what the rule needs of it)."""

    id: int
    number: str
    title: str | None
    content: str
    township: str
    village: str | None
    address: str | None
    category: str
    caller: str
    at: datetime
    status: str
    closed_at: datetime | None = None
    vector: dict[str, float] = field(default_factory=dict)


@dataclass
class Spot:
    """A cluster being mined in memory, as command.hotspots keeps it."""

    township: str
    category: str
    centroid: dict[str, float]
    norm: float
    members: list[Row]
    callers: set[str]
    notified_at: datetime | None = None
    id: int = 0

    @property
    def last_at(self) -> datetime:
        return self.members[-1].at


# ---- the tickets ---------------------------------------------------------------------------------------------

def make_rows(count: int, start: datetime, span: timedelta, rng: random.Random, first_id: int) -> list[Row]:
    """``count`` tickets in [start, start + span), in time order."""
    from classifier.corpus.generate import generate
    from classifier.corpus.places import STREETS, TOWNSHIPS

    townships = sorted(TOWNSHIPS)
    evaluated = [json.loads(line) for line in EVAL_FILE.read_text(encoding="utf-8").splitlines()]
    evaluated = [r for r in evaluated if "id" in r]
    eval_start = min(datetime.fromisoformat(r["received_at"]) for r in evaluated)
    eval_span = max(datetime.fromisoformat(r["received_at"]) for r in evaluated) - eval_start
    drawn: list[tuple[str | None, str, str, str | None, str | None, str, str, datetime]] = []
    copies = round(count * EVAL_SHARE)
    copy = 0
    while len(drawn) < copies:  # copy c: townships rotated by c, villages by c, callers of its own, a day shifted
        shift, moved = rng.random(), rng.randrange(1, len(townships))
        for r in evaluated[:copies - len(drawn)]:
            here = townships.index(r["township"]) if r["township"] in townships else 0  # a few name none
            township = townships[(here + moved) % len(townships)]
            villages = TOWNSHIPS[township]
            village = villages[(villages.index(r["village"]) if r["village"] in villages else len(r["village"] or ""))
                               % len(villages)] if r["village"] else None
            offset = (datetime.fromisoformat(r["received_at"]) - eval_start) / eval_span
            at = start + span * ((offset * 0.9 + shift) % 1.0)
            title, content = r["title"] or None, r["text"]
            for old, placed in ((r["township"], township), (r["village"], village)):
                if old and placed:
                    content = content.replace(old, placed)
            drawn.append((title, content, township, village, r["address"] or None, r["category"],
                          f"1{copy % 90 + 10}{r['caller'][3:]}", at))
        copy += 1
    written = _written()
    for n in range(round(count * WRITTEN_SHARE)):  # a letter of the corpus, somewhere in the county
        title, text, code = written[rng.randrange(len(written))] if n >= len(written) else written[n]
        township = rng.choice(townships)
        drawn.append((title, text, township, rng.choice(TOWNSHIPS[township]),
                      rng.choice(STREETS) if rng.random() < 0.5 else None, code, f"13{rng.randrange(10**9):09d}",
                      start + span * rng.random()))
    for record in generate(count - len(drawn), seed=rng.randrange(10**6), unique=False):
        township = next((t for t in townships if t in record["text"]), rng.choice(townships))
        drawn.append((None, record["text"], township, rng.choice(TOWNSHIPS[township]),
                      rng.choice(STREETS) if rng.random() < 0.5 else None, record["label"],
                      f"13{rng.randrange(10**9):09d}", start + span * rng.random()))
    drawn.sort(key=lambda d: d[-1])
    rows = []
    for n, (title, content, township, village, address, category, caller, at) in enumerate(drawn):
        closed = rng.random() < 0.4
        rows.append(Row(id=first_id + n, number=f"HB{first_id + n:012d}", title=title, content=content, township=township,
                        village=village, address=address, category=category, caller=caller, at=at,
                        status="closed" if closed else "in_progress",
                        closed_at=at + timedelta(days=rng.uniform(0.5, 5)) if closed else None))
    return rows


def _written() -> list[tuple[str | None, str, str]]:
    """The routing corpus's written letters and calls (not the generated messages): title, text, leaf."""
    out = []
    for path in sorted(CORPUS_DIR.glob("*.jsonl")):
        if path.name == "messages.jsonl":
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                out.append((record.get("title") or None, record["text"], record.get("leaf") or record["label"]))
    return out


def add_vectors(rows: Sequence[Row]) -> None:
    from classifier.hotspot_terms import ticket_terms
    from command.hotspot_mining import ticket_text

    for row in rows:
        row.vector = ticket_terms(ticket_text(row.title, row.content, row.village, row.address), row.category)


# ---- the rule, in memory -------------------------------------------------------------------------------------

class Miner:
    """command.hotspots.place's rule over tickets in time order: the clusters of the ticket's township and catalogue
    group whose last ticket is within the window, the most alike centroid if it reaches the threshold."""

    def __init__(self, threshold: float, window: timedelta, notify_size: int, notify_callers: int) -> None:
        self.threshold, self.window = threshold, window
        self.notify = (notify_size, notify_callers)
        self.spots: list[Spot] = []
        self.blocks: dict[tuple[str, str], list[Spot]] = defaultdict(list)

    def fork(self) -> Miner:
        """A copy to go on placing in, this one unchanged (a centroid is replaced on each add, never changed)."""
        other = Miner(self.threshold, self.window, *self.notify)
        twin = {id(s): replace(s, members=list(s.members), callers=set(s.callers)) for s in self.spots}
        other.spots = [twin[id(s)] for s in self.spots]
        other.blocks = defaultdict(list, {k: [twin[id(s)] for s in v] for k, v in self.blocks.items()})
        return other

    def choose(self, row: Row) -> Spot | None:
        """The cluster the rule puts ``row`` in (None: a new one); the same cosine as hotspot_terms.cosine."""
        from classifier.hotspot_terms import group

        block = self.blocks[(row.township, group(row.category))]
        since = row.at - self.window
        block[:] = [s for s in block if s.last_at >= since]  # time order: a cluster out of the window stays out
        vector = row.vector
        own = sum(x * x for x in vector.values())
        found, top = None, 0.0
        for spot in block:
            shared = sum(vector[k] * spot.centroid[k] for k in vector.keys() & spot.centroid.keys())
            if not shared:
                continue
            score = shared / (own * spot.norm) ** 0.5
            if score > top:
                found, top = spot, score
        return found if found is not None and top >= self.threshold else None

    def place(self, row: Row) -> Spot:
        from classifier.hotspot_terms import add, group

        spot = self.choose(row)
        if spot is None:
            spot = Spot(row.township, row.category, {}, 0.0, [], set())
            self.spots.append(spot)
            self.blocks[(row.township, group(row.category))].append(spot)
        spot.centroid = add(spot.centroid, row.vector)
        spot.norm = sum(x * x for x in spot.centroid.values())
        spot.members.append(row)
        spot.callers.add(row.caller)
        if spot.notified_at is None and len(spot.members) >= self.notify[0] and len(spot.callers) >= self.notify[1]:
            spot.notified_at = row.at
        return spot


def spot_name(spot: Spot) -> str:
    """What command.hotspots.refresh names it: the latest members' places, the centroid's heaviest words."""
    from command.hotspot_mining import named, ticket_text
    from command.hotspots import NAMED_FROM

    latest = sorted(spot.members, key=lambda r: r.at, reverse=True)[:NAMED_FROM]
    return named(spot.centroid, (" ".join(p for p in (r.village, r.address) if p) for r in latest),
                 (ticket_text(r.title, r.content, r.village, r.address) for r in latest), spot.township)


# ---- the database --------------------------------------------------------------------------------------------

def recreate(url: str) -> None:
    """DROP and re-create a PostgreSQL database, or delete a SQLite file; then migrate it and add the units (the
    county's townships and a few bureaus: the hotspot path needs no other reference data)."""
    from sqlalchemy import make_url

    from hotline.database import session_scope
    from hotline.migrate import upgrade
    from hotline.models import Department

    if url.startswith("postgresql"):
        import psycopg

        parsed = make_url(url)
        admin = parsed.set(database="postgres", drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{parsed.database}"')
    else:
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                Path(url.removeprefix("sqlite:///") + suffix).unlink()
    upgrade()
    from classifier.corpus.places import TOWNSHIPS

    with session_scope() as session:
        for n, township in enumerate(sorted(TOWNSHIPS)):
            session.add(Department(code=f"t{n:02d}", name=f"{township}人民政府", kind="township", township=township))
        for n, unit in enumerate(UNITS):
            session.add(Department(code=f"u{n:02d}", name=unit, kind="bureau"))


def _insert(table: Any, rows: list[dict[str, Any]]) -> None:
    from hotline.bulk_load import insert_rows

    if rows:
        columns = tuple(rows[0])
        insert_rows(table.name, columns, (tuple(row[c] for c in columns) for row in rows))


def fill(window_rows: Sequence[Row], new_rows: Sequence[Row], miner: Miner, at: datetime,
         departments: Sequence[int]) -> None:
    """Write the window's tickets, their clusters and members, and the new tickets (routed, not placed)."""
    from sqlalchemy import text

    from command.models import HotspotCluster, HotspotMember
    from hotline.database import get_engine
    from hotline.models import Ticket

    def ticket(row: Row, n: int) -> dict[str, Any]:
        dispatched = row.at + timedelta(minutes=10)
        return {"id": row.id, "number": row.number, "query_code": f"{row.id % 10**8:08d}", "channel": "call_12345",
                "caller_name": None, "caller_phone": row.caller, "title": row.title, "content": row.content,
                "township": row.township, "village": row.village, "address": row.address, "type": "complaint",
                "urgency": "normal", "category_code": row.category, "status": row.status, "created_at": row.at,
                "updated_at": row.at, "dispatched_at": dispatched, "due_at": dispatched + timedelta(days=15),
                "closed_at": row.closed_at, "classified_at": row.at, "suggested_category": row.category,
                "lead_department_id": departments[n % len(departments)], "extension_used": False,
                "manual_review": False, "escalation": 0, "version": 1}

    _insert(Ticket.__table__, [ticket(r, n) for n, r in enumerate([*window_rows, *new_rows])])
    clusters, members = [], []
    for spot in miner.spots:
        clusters.append({"id": spot.id, "name": spot_name(spot), "township": spot.township, "place": None,
                         "category_code": spot.category, "state": "active", "merged_into_id": None,
                         "size": len(spot.members), "callers": len(spot.callers), "first_at": spot.members[0].at,
                         "last_at": spot.last_at, "centroid": json.dumps(spot.centroid, ensure_ascii=False),
                         "by_hand": False, "notified_at": spot.notified_at, "created_at": spot.members[0].at})
        members.extend({"ticket_id": r.id, "cluster_id": spot.id, "terms": json.dumps(r.vector, ensure_ascii=False),
                        "by_hand": False, "added_at": r.at} for r in spot.members)
    _insert(HotspotCluster.__table__, clusters)
    _insert(HotspotMember.__table__, members)
    engine = get_engine()
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            for table in ("ticket", "hotspot_cluster"):
                connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                        f"(SELECT max(id) FROM {table}))"))
            connection.execute(text("ANALYZE"))
        else:
            connection.execute(text("ANALYZE"))


def _percentiles(ms: Sequence[float]) -> dict[str, float]:
    ordered = sorted(ms)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    return {"p50": at(0.5), "p95": at(0.95), "p99": at(0.99), "max": ordered[-1], "mean": statistics.fmean(ordered)}


def _timed(call: Callable[[], Any], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        out.append((time.perf_counter() - started) * 1000)
    return out


def mine(rows: Sequence[Row]) -> tuple[Miner, float]:
    """The window's tickets placed in memory by the live rule; the clusters numbered as they will be stored."""
    from hotline.settings import get_settings

    settings = get_settings().hotspots
    miner = Miner(settings.threshold, timedelta(days=settings.window_days), settings.notify_size,
                  settings.notify_callers)
    started = time.perf_counter()
    for row in rows:
        miner.place(row)
    for n, spot in enumerate(miner.spots, start=1):
        spot.id = n
    return miner, time.perf_counter() - started


def measure(url: str, mined: Miner, window_rows: Sequence[Row], new_rows: Sequence[Row], at: datetime,
            get_runs: int) -> dict[str, Any]:
    """Fresh database, the window placed in bulk, then the live path timed."""
    from sqlalchemy import select

    from command import hotspots
    from hotline.database import get_engine, get_session_factory, session_scope
    from hotline.models import Department

    get_engine().dispose()
    get_engine.cache_clear()
    get_session_factory.cache_clear()
    recreate(url)
    miner = mined.fork()
    with session_scope() as session:
        departments = session.scalars(select(Department.id).order_by(Department.id)).all()
    started = time.perf_counter()
    fill(window_rows, new_rows, miner, at, departments)
    written = time.perf_counter() - started
    place_ms, agree, bulk = [], 0, len(miner.spots)
    made: dict[int, int] = {}  # a cluster the rule starts for a new ticket → the id place() gave its cluster
    with session_scope() as session:
        started = time.perf_counter()
        waiting = hotspots.waiting(session, at, limit=len(new_rows) + 1)
        waiting_ms = (time.perf_counter() - started) * 1000
        assert [t.id for t in waiting] == [r.id for r in new_rows], "waiting() did not return the new tickets"
        for ticket, row in zip(waiting, new_rows, strict=True):
            started = time.perf_counter()
            member = hotspots.place(session, ticket, at)
            place_ms.append((time.perf_counter() - started) * 1000)
            spot = miner.place(row)
            if not spot.id:  # the rule started one: so must place have, with an id not seen before
                spot.id = -len(miner.spots)
                agree += member.cluster_id > bulk and member.cluster_id not in made.values()
                made[spot.id] = member.cluster_id
            else:
                agree += member.cluster_id == made.get(spot.id, spot.id)
    with session_scope() as session:
        listed = _timed(lambda: hotspots.ranked(session, at, 20), get_runs)
        top = hotspots.ranked(session, at, 20)
        detail = _timed(lambda: (hotspots.rank(session, top[0].cluster, at), hotspots.members(session, top[0].cluster.id)),
                        get_runs) if top else [0.0]
    sizes = sorted((len(s.members) for s in miner.spots[:bulk]), reverse=True)
    return {"tickets": len(window_rows), "clusters": bulk, "clusters_of_two_or_more":
            sum(1 for n in sizes if n > 1), "largest": sizes[:3],
            "written_s": round(written, 1), "waiting_ms": round(waiting_ms, 1),
            "place_ms": {k: round(v, 2) for k, v in _percentiles(place_ms).items()},
            "ranked_ms": {k: round(v, 2) for k, v in _percentiles(listed).items()},
            "detail_ms": {k: round(v, 2) for k, v in _percentiles(detail).items()},
            "agreement": f"{agree}/{len(new_rows)}", "top": [(r.cluster.name, r.figures.size) for r in top[:3]]}


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "?"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000, help="tickets in the window (the measured size)")
    parser.add_argument("--baseline", type=int, default=1_000, help="tickets in the window for the ratio")
    parser.add_argument("--new", type=int, default=500, help="tickets placed by the live path, timed")
    parser.add_argument("--get-runs", type=int, default=20, help="times each GET-path function is timed")
    parser.add_argument("--database-url", action="append", help="scratch database(s), DROPPED and re-created "
                        "(default: a temporary SQLite file)")
    parser.add_argument("--seed", type=int, default=21)
    args = parser.parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="hotspot-bench-"))
    urls = args.database_url or [f"sqlite:///{scratch / 'hotspot_bench.db'}"]
    for url in urls:
        if url.rstrip("/").endswith("/test"):
            sys.exit("benchmark: refusing the test database; use a scratch one (e.g. .../hotspot_bench)")
    os.environ.setdefault("SECRET_KEY", SECRET)
    os.environ.setdefault("HOTLINE_VAR_DIR", str(scratch / "var"))
    from hotline.clock import now
    from hotline.settings import get_settings

    window = timedelta(days=get_settings().hotspots.window_days)
    at = now().replace(microsecond=0)
    rng = random.Random(args.seed)
    started = time.perf_counter()
    # the window's tickets from its first hour to an hour ago; the new ones arrived in the last hour
    full = make_rows(args.tickets, at - window + timedelta(hours=1), window - timedelta(hours=2), rng, 1)
    new = make_rows(args.new, at - timedelta(hours=1), timedelta(minutes=59), rng, args.tickets + 1)
    baseline = sorted(random.Random(args.seed + 1).sample(full, min(args.baseline, len(full))), key=lambda r: r.at)
    add_vectors(full)
    add_vectors(new)
    made = time.perf_counter() - started
    mined = {"baseline": mine(baseline), "full": mine(full)}
    print(f"hotspot benchmark: {args.tickets:,} and {len(baseline):,} tickets in the window, {args.new} new; "
          f"made in {made:.1f} s, placed in memory in {mined['full'][1]:.1f} s; {os.cpu_count()} CPUs, "
          f"Python {sys.version.split()[0]}; load average {_load()}", flush=True)
    for url in urls:
        os.environ["DATABASE_URL"] = url
        get_settings.cache_clear()
        shown = re.sub(r"//[^@/]*@", "//", url)
        results = {}
        for size, rows in (("baseline", baseline), ("full", full)):
            results[size] = measure(url, mined[size][0], rows, new, at, args.get_runs)
            print(f"  {shown} {size}: {json.dumps(results[size], ensure_ascii=False)}", flush=True)
        small, big = results["baseline"], results["full"]
        for what in ("place_ms", "ranked_ms"):
            ratio = {k: round(big[what][k] / small[what][k], 2) if small[what][k] else None
                     for k in ("p50", "p95", "p99")}
            print(f"  ratio {what} {big['tickets']:,} / {small['tickets']:,} tickets: {ratio}", flush=True)
        print("figures: " + json.dumps({"database": shown.split(":")[0], **{k: v for k, v in results.items()}},
                                       ensure_ascii=False), flush=True)
    print(f"load average at the end: {_load()}")
    shutil.rmtree(scratch, ignore_errors=True)  # the SQLite file of 100,000 tickets is about 600 MB


if __name__ == "__main__":
    main()
