"""Faults under `hotline12345 run`: RQ workers killed with -9, Redis killed and restarted, Redis paused, PostgreSQL
restarted, each during intake over HTTP. After each, with the reconciler run once as its cron would:

- every acknowledged ticket (201) is stored, classified, and dispatched or waiting for a person (待人工分拨);
- nothing is stored that no one sent, and nothing was acknowledged without being stored;
- whatever was not acknowledged was a 503 with a Chinese sentence: never a 500;
- every event reached the board's Redis stream, once, in id order.

The tests share one county (see conftest.py) and run in file order; each checks everything stored so far.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

import httpx
import psycopg
import pytest
import redis
from rq import Queue

from hotline.settings import Settings
from tests.faults.conftest import County
from tests.faults.load import Answer, summary, timed
from tests.faults.services import wait_until

pytestmark = [pytest.mark.faults, pytest.mark.timeout(1200)]  # the 10,000-ticket run takes minutes

QUEUE = Settings.queue_name
TICKETS = int(os.environ.get("FAULT_TICKETS", "10000"))  # fewer only to try the harness out
CHINESE = re.compile(r"[\u4e00-\u9fff]")


# -- waiting for the county to settle, then checking it --------------------------------------------------------


def _queue(county: County) -> Queue:
    return Queue(QUEUE, connection=redis.Redis.from_url(county.redis.url, socket_timeout=10))


def settle(county: County, label: str, drain_seconds: float = 240) -> dict[str, int]:
    """Services answering, the queue drained, calls submitted, then the reconciler (as its cron would run it)."""
    wait_until(county.stack.ready, 90, f"{label}: the stack to be ready again")
    wait_until(lambda: len(county.stack.workers()) == county.stack.rq_workers, 60, f"{label}: the RQ workers")
    queue = _queue(county)
    started = time.monotonic()
    wait_until(lambda: queue.count == 0, drain_seconds, f"{label}: the RQ queue to drain", 0.5)
    print(f"{label}: the queue drained {time.monotonic() - started:.0f} s after the intake ended")
    resubmit(county)
    wait_until(lambda: queue.count == 0, 60, f"{label}: the RQ queue to drain after resubmitting", 0.5)
    time.sleep(1.0)  # the last jobs taken finish
    job = queue.enqueue("dispatch.jobs.reconcile", kwargs={"older_than": timedelta(0)}, job_timeout=300)
    wait_until(lambda: job.get_status(refresh=True) in ("finished", "failed"), 240, f"{label}: the reconciler", 0.5)
    assert job.get_status() == "finished", f"reconcile failed:\n{job.latest_result().exc_string}"
    result = job.return_value()
    print(f"{label}: reconcile {result}")
    assert not result.get("failed"), f"the reconciler could not route some tickets: {result}"
    return result


def resubmit(county: County) -> None:
    """A call whose hand-over to dispatch was refused (503) is handed over again, as its operator would."""
    pending = [a for a in county.answers if a.kind == "call" and a.status == 201 and a.submitted != 200]
    if not pending:
        return
    headers = {"Authorization": f"Bearer {county.intake.tokens['operator1']}"}
    with httpx.Client(base_url=county.stack.base, timeout=60) as client:
        for answer in pending:
            response = client.post(f"/api/tickets/{answer.number}/submit", headers=headers)
            assert response.status_code in (200, 409), response.text  # 409: the first hand-over had worked
            answer.submitted = 200


def verify(county: County, label: str) -> None:
    answers = county.answers
    statuses = Counter(a.status for a in answers)
    refused = [a for a in answers if a.status != 201]
    assert not [a for a in refused if a.status != 503 or not CHINESE.search(a.body)], \
        f"{label}: answers other than 201 or a Chinese 503: {Counter((a.status, a.body[:80]) for a in refused)}"
    with psycopg.connect(county.pg.url) as connection:
        rows = connection.execute(
            "SELECT number, idempotency_key, status, classified_at IS NOT NULL, suggested_category, manual_review,"
            " lead_department_id FROM ticket").fetchall()
        event_ids = [row[0] for row in connection.execute("SELECT id FROM ticket_event ORDER BY id")]
    by_key = {row[1]: row for row in rows}
    acknowledged = [a for a in answers if a.status == 201]
    not_stored = [a.key for a in acknowledged if a.key not in by_key or by_key[a.key][0] != a.number]
    assert not not_stored, f"{label}: {len(not_stored)} tickets acknowledged (201) but not stored: {not_stored[:10]}"
    sent = {a.key for a in answers}
    assert set(by_key) <= sent, f"{label}: tickets stored that nobody sent: {sorted(set(by_key) - sent)[:10]}"
    unrouted = []
    outcomes: Counter[str] = Counter()
    for number, _key, status, classified, category, manual, department in rows:
        if not classified or not category:
            unrouted.append((number, status, "not classified"))
        elif status == "pending_sign" and department is not None:
            outcomes["dispatched"] += 1
        elif status == "pending_dispatch" and manual:
            outcomes["待人工分拨"] += 1
        else:
            unrouted.append((number, status, f"manual_review={manual}"))
    assert not unrouted, f"{label}: {len(unrouted)} tickets not routed: {unrouted[:10]}"
    stored_unacknowledged = len(rows) - len(acknowledged)
    print(f"{label}: answers {dict(statuses)}; stored {len(rows)} ({stored_unacknowledged} without a 201); "
          f"routing {dict(outcomes)}")

    wait_until(lambda: county.stream.last_id >= event_ids[-1], 60,
               f"{label}: the board stream to reach event {event_ids[-1]} (at {county.stream.last_id})")
    problems = county.stream.check(event_ids)
    assert not problems, f"{label}: board stream: {problems}"
    print(f"{label}: board stream carried all {len(event_ids)} events in order "
          f"({county.stream.lost_in_crash} lost with a killed Redis and announced by `prev`)")
    assert not county.orphans(), f"{label}: processes outlived their parent: {county.orphans()}"


def run_intake(county: County, count: int, tag: str, during, concurrency: int = 16,
               call_share: float = 0.2, outlast: bool = False) -> list[Answer]:
    answers, seconds = timed(county.intake.run(count, concurrency=concurrency, tag=tag, during=during,
                                               call_share=call_share, outlast=outlast))
    county.answers.extend(answers)
    print(f"\n{tag}: {summary(answers, seconds)}")
    return answers


# -- the faults ------------------------------------------------------------------------------------------------


def _during(answers: list[Answer], start: float, end: float) -> list[Answer]:
    """Requests that were in flight at some moment of the outage."""
    return [a for a in answers if a.sent_at < end and a.answered_at > start]


def _intake_through_a_fault(county: County, count: int, tag: str, *, after: float, lasting: float,
                            break_it: Callable[[], object], mend: Callable[[], object], minimum: int) -> list[Answer]:
    """Intake of `count` tickets; `after` seconds in, something breaks for `lasting` seconds. Enough requests must
    have been in flight during it for the test to mean anything."""
    window: list[float] = []

    async def fault(finished: asyncio.Event) -> None:
        await asyncio.sleep(after)
        await asyncio.to_thread(break_it)
        window.append(time.monotonic())
        await asyncio.sleep(lasting)
        await asyncio.to_thread(mend)
        window.append(time.monotonic())

    answers = run_intake(county, count, tag, fault, outlast=True)  # the intake spans the whole fault
    outage = _during(answers, *window)
    print(f"{tag}: during the fault {summary(outage)}")
    assert len(outage) >= minimum, f"{tag}: intake hardly ran during the fault"
    return answers


def test_redis_killed_and_restarted_during_intake(county: County):
    """kill -9 Redis mid-intake, start it again 5 s later, empty: the queue, the stream and the relay's lease are
    gone. Intake goes on meanwhile (the row is the truth); the reconciler routes what the lost jobs would have."""
    _intake_through_a_fault(county, 1200, "redis-killed", after=4, lasting=5,
                            break_it=county.redis.kill, mend=county.redis.start, minimum=20)
    settle(county, "redis-killed")
    verify(county, "redis-killed")


def test_redis_paused_for_30_seconds(county: County):
    """SIGSTOP: connections hang instead of failing. Intake waits out the enqueue timeout and answers 201 (the
    row stored) or 503; once Redis runs again the relay and the workers carry on where they were."""
    _intake_through_a_fault(county, 700, "redis-paused", after=3, lasting=30,
                            break_it=county.redis.pause, mend=county.redis.resume, minimum=16)
    settle(county, "redis-paused")
    verify(county, "redis-paused")


def test_postgresql_restarted_during_intake(county: County):
    """An immediate stop (no checkpoint, every connection cut, crash recovery on start) and a start 3 s later.
    Requests meanwhile get a Chinese 503, never a 500 and never a 201 whose row is missing."""
    _intake_through_a_fault(county, 800, "postgres-restarted", after=4, lasting=3,
                            break_it=lambda: county.pg.stop("immediate"), mend=county.pg.start, minimum=16)
    wait_until(county.stack.ready, 60, "the stack to be ready after the restart")
    after = run_intake(county, 300, "postgres-back", None)  # the pools drop their dead connections by themselves
    assert all(a.status == 201 and a.submitted in (None, 200) for a in after), summary(after)
    settle(county, "postgres-restarted")
    verify(county, "postgres-restarted")


def test_killing_rq_workers_every_few_seconds_during_10000_tickets(county: County):
    """SIGKILL to a random RQ worker every 3-6 s while 10,000 tickets come in and while the workers work through
    them (intake is quicker than routing): the stack starts another each time, a job in hand is lost with its worker, and the reconciler routes what those jobs would have. Last in
    the file, so its checks cover every ticket the other faults left behind too."""
    rng, kills, enough = random.Random(7), [], min(20, TICKETS // 500)

    def kill_one() -> None:
        if workers := county.stack.workers():
            victim = rng.choice(workers)
            victim.kill()  # SIGKILL: no warm shutdown, the job in hand is lost
            kills.append(victim.pid)

    async def kill_workers(finished: asyncio.Event) -> None:
        while not finished.is_set():
            await asyncio.sleep(rng.uniform(3.0, 6.0))
            kill_one()

    answers = run_intake(county, TICKETS, "workers-killed", kill_workers, call_share=0.1)
    assert sum(a.status == 201 for a in answers) == TICKETS, summary(answers)
    queue = _queue(county)
    while len(kills) < enough and queue.count > 0:  # intake outran the workers: go on while they work through it
        time.sleep(rng.uniform(3.0, 6.0))
        kill_one()
    assert len(kills) >= enough, f"only {len(kills)} workers were killed"
    print(f"workers-killed: {len(kills)} workers killed with SIGKILL")
    settle(county, "workers-killed", drain_seconds=900)
    verify(county, "workers-killed")
    assert not {w.pid for w in county.stack.workers()} & set(kills)
