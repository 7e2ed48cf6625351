"""Benchmark: ticket search (GET /api/tickets/search) at 1,000,000 tickets on PostgreSQL, per kind of query.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/search_bench REDIS_URL=redis://127.0.0.1:6379/9 \\
        python -m web.bench.search --sizes 10000 1000000 --queries 200

The database of DATABASE_URL is DROPPED and re-created, and the Redis db is flushed. Tickets are generated from the
classifier's corpus texts (each with its own category and that category's lead unit from the demo catalogue),
spread over two years before today, 1-in-4 callers calling again, and loaded with COPY, their words
(hotline.search_text) cut once per distinct text. For the largest size the full-text and number indexes are
dropped during the load and built after it. ANALYZE follows each load: this server runs with autovacuum off,
and a production server's autovacuum would have analysed the table.

Each query goes through the real endpoint in this process (Litestar's TestClient: sign-in token, validation, the
query, the access records and their commit, serialisation), as the operator, 20 results a page. Kinds: an exact
phone, a number prefix (a day and the first 2 digits of its sequence), two common words, one rare word, a unit
and a month. It prints p50/p99 per kind at each size, and the ratio of the largest size to the smallest.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import select, text

from web.bench import setup

COLUMNS = ("number", "query_code", "channel", "caller_name", "caller_phone", "content", "township", "address",
           "type", "urgency", "status", "created_at", "updated_at", "version", "extension_used", "manual_review",
           "escalation", "category_code", "lead_department_id", "search_text")
KINDS = ("phone", "number_prefix", "two_common_words", "one_rare_word", "unit_month")
STATUSES = ("archived",) * 6 + ("closed", "rated", "in_progress", "pending_sign")
TYPES = ("complaint", "consultation", "help", "suggestion", "report")
CHUNK = 100_000
DAYS = 730


class Corpus:
    """Distinct texts with their words cut once, the catalogue's lead unit per code, and the query words."""

    def __init__(self, rng: random.Random) -> None:
        from classifier.dataset import load_corpus
        from dispatch.models import CatalogueEntry
        from hotline.database import session_scope
        from hotline.search_text import index_text

        examples = list({e.text: e for e in load_corpus()}.values())
        with session_scope() as session:
            lead = dict(session.execute(select(CatalogueEntry.category_code, CatalogueEntry.lead_department_id)
                                        .where(CatalogueEntry.township.is_(None))).all())
        self.texts = [(e.text, e.label, lead.get(e.label), index_text(e.text)) for e in examples]
        self.townships = setup.townships()
        self.places = [(t, f"{t}{p}{n}号", index_text(f"{t}{p}{n}号")) for t in self.townships
                       for p in ("人民路", "新华街", "幸福小区", "工业园", "中心村") for n in (3, 18)]
        frequency = Counter(w for *_, words in self.texts for w in set(words.split()))
        common = [w for w, _ in frequency.most_common(40) if len(w) >= 2][:12]
        self.pairs = [f"{a} {b}" for i, a in enumerate(common) for b in common[i + 1:]]
        self.rare = [w for w, n in frequency.items() if n == 1 and len(w) >= 2]
        rng.shuffle(self.rare)
        print(f"  corpus: {len(self.texts):,} distinct texts, {len(frequency):,} words; common: {' '.join(common)}",
              flush=True)


def _rows(corpus: Corpus, rng: random.Random, first: int, count: int, total: int, start: datetime,
          phones: list[str]):
    """Tickets first..first+count of `total`, in received order over DAYS days; numbers YYYYMMDD + 5 digits."""
    per_day = max(1, total // DAYS)
    for i in range(first, first + count):
        day, seq = divmod(i, per_day)
        moment = start + timedelta(days=day, seconds=(seq * 86_400) // per_day)
        content, label, unit, words = corpus.texts[rng.randrange(len(corpus.texts))]
        township, address, address_words = corpus.places[rng.randrange(len(corpus.places))]
        if phones and rng.random() < 0.25:
            phone = rng.choice(phones)
        else:
            phone = setup.phone(rng)
            if len(phones) < 200_000:
                phones.append(phone)
        yield (f"{moment:%Y%m%d}{seq + 1:05d}", "00000000", "call_12345", "张先生", phone, content, township,
               address, rng.choice(TYPES), "normal", rng.choice(STATUSES), moment, moment, 1, False, False, 0,
               label, unit, f"{words} {address_words}")


def _load(corpus: Corpus, rng: random.Random, first: int, count: int, total: int, start: datetime,
          phones: list[str]) -> None:
    for offset in range(0, count, CHUNK):
        setup.insert_rows("ticket", COLUMNS, _rows(corpus, rng, first + offset, min(CHUNK, count - offset), total,
                                                   start, phones))


def _queries(corpus: Corpus, rng: random.Random, kind: str, count: int, loaded: int, total: int,
             start: datetime, phones: list[str], units: list[int]) -> list[dict]:
    per_day = max(1, total // DAYS)
    days = max(1, loaded // per_day)
    out = []
    for n in range(count):
        if kind == "phone":
            out.append({"phone": phones[rng.randrange(len(phones))]})
        elif kind == "number_prefix":
            day = start + timedelta(days=rng.randrange(days))
            out.append({"number": f"{day:%Y%m%d}{rng.randrange(min(100, max(1, per_day // 1000))):02d}"})
        elif kind == "two_common_words":
            out.append({"q": corpus.pairs[n % len(corpus.pairs)]})
        elif kind == "one_rare_word":
            out.append({"q": corpus.rare[n % len(corpus.rare)]})
        else:
            month = (start + timedelta(days=rng.randrange(days))).replace(day=1)
            end = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            out.append({"unit": rng.choice(units), "received_from": month.date().isoformat(),
                        "received_to": end.date().isoformat()})
    return out


def _measure(client, headers: dict, queries: list[dict]) -> tuple[list[float], int]:
    timings, found = [], 0
    for params in queries:
        started = time.perf_counter()
        response = client.get("/api/tickets/search", params={**params, "limit": 20}, headers=headers)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (params, response.text)
        found += bool(response.json()["items"])
    return timings, found


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _indexes(engine, create: bool) -> None:
    from hotline.search_index import create_pg_indexes, drop_pg_indexes

    with engine.begin() as connection:
        (create_pg_indexes if create else drop_pg_indexes)(connection)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=200, help="per kind and size")
    parser.add_argument("--seed", type=int, default=20)
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        sys.exit("set DATABASE_URL to a PostgreSQL database that may be dropped, e.g. .../search_bench")
    os.environ.setdefault("SECRET_KEY", setup.SECRET)
    setup.recreate_database(url)
    print(setup.machine(), flush=True)

    from litestar.testing import TestClient

    from hotline.clock import now
    from hotline.database import get_engine
    from hotline.redis_conn import get_redis
    from web.app import create_app

    setup.migrate_and_seed()
    get_redis().flushdb()
    rng = random.Random(args.seed)
    with setup.timed("corpus cut"):
        corpus = Corpus(rng)
    units = sorted({unit for _, _, unit, _ in corpus.texts if unit is not None})  # units that lead a category
    engine, total = get_engine(), max(args.sizes)
    start = (now() - timedelta(days=DAYS)).replace(hour=0, minute=0, second=0, microsecond=0)
    phones: list[str] = []
    loaded, results = 0, {}
    with TestClient(create_app()) as client:
        answer = client.post("/api/auth/login", json={"username": setup.OPERATOR[0], "password": setup.OPERATOR[1]})
        headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
        for size in sorted(args.sizes):
            started = time.perf_counter()
            bulk = size - loaded > 100_000
            if bulk:
                _indexes(engine, create=False)
            _load(corpus, rng, loaded, size - loaded, total, start, phones)
            copied = time.perf_counter() - started
            if bulk:
                _indexes(engine, create=True)
            with engine.begin() as connection:
                connection.execute(text("ANALYZE ticket"))
                connection.execute(text("TRUNCATE personal_data_access"))
            print(f"tickets {size:>9,}: COPY {copied:.1f} s, indexes and ANALYZE "
                  f"{time.perf_counter() - started - copied:.1f} s", flush=True)
            loaded, results[size] = size, {}
            for kind in KINDS:
                queries = _queries(corpus, rng, kind, args.queries, loaded, total, start, phones, units)
                _measure(client, headers, queries[:10])  # warm the cache and the plans
                timings, found = _measure(client, headers, queries)
                results[size][kind] = (statistics.median(timings), _p(timings, 0.99))
                print(f"  {kind:<17} p50 {results[size][kind][0]:7.1f} ms  p99 {results[size][kind][1]:7.1f} ms  "
                      f"({found}/{len(queries)} with results)", flush=True)
    smallest, largest = min(results), max(results)
    for kind in KINDS:
        print(f"ratio {largest:,} / {smallest:,} tickets, {kind}: p50 "
              f"{results[largest][kind][0] / results[smallest][kind][0]:.2f}x, p99 "
              f"{results[largest][kind][1] / results[smallest][kind][1]:.2f}x")
    print(setup.machine())
    print("figures: " + setup.dumps({"sizes": sorted(results), "results": results}))


if __name__ == "__main__":
    main()
