"""The relay scans at a bounded pace however often commits nudge it, and only the leader is nudged.

At the intake benchmark's peak every commit woke the relay, which scanned once per ticket; and every commit in a
process that did not lead woke that process's relay too, only to try the lease again.
"""

from __future__ import annotations

import asyncio
import time

from redis.asyncio import Redis as AsyncRedis

from command import nudge
from command.relay import Relay
from hotline.redis_conn import redis_url
from hotline.settings import BoardSettings

GATHER = 0.05
NUDGED_FOR = 1.0


def test_a_stream_of_nudges_makes_at_most_one_scan_per_gather_period(private_keys):
    async def run() -> tuple[int, bool]:
        client = AsyncRedis.from_url(redis_url())

        async def publish(_: list[bytes]) -> None:
            return None

        relay = Relay(publish, client, BoardSettings(gather_seconds=GATHER, poll_seconds=0.1), lambda: None)
        scans = 0
        scan = relay._scan

        def counted(cursor: int):
            nonlocal scans
            scans += 1
            return scan(cursor)

        relay._scan = counted  # type: ignore[method-assign]
        task = asyncio.create_task(relay.run())
        try:
            deadline = time.monotonic() + NUDGED_FOR
            while time.monotonic() < deadline:
                relay.wake.set()  # what a commit in this process does
                await asyncio.sleep(0.001)
            return scans, relay.leader
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await relay.stop()
            await client.aclose()

    scans, led = asyncio.run(run())
    assert led
    assert 1 <= scans <= NUDGED_FOR / GATHER + 2, scans


def test_a_commit_wakes_only_a_relay_that_leads(monkeypatch):
    woken: list[str] = []
    monkeypatch.setattr(nudge, "_local", {})
    nudge.register(1, lambda: woken.append("leader"), lambda: True)
    nudge.register(2, lambda: woken.append("follower"), lambda: False)
    nudge.nudge()
    assert woken == ["leader"]


def test_nudges_from_other_processes_wake_this_relay_only_while_it_leads():
    async def woken_by_a_published_nudge(leads: bool) -> bool:
        client = AsyncRedis.from_url(redis_url())
        wake = asyncio.Event()
        listener = asyncio.create_task(nudge.listen(client, wake, lambda: leads))
        try:
            for _ in range(20):  # until the subscription is in place, or 2 s
                await client.publish(nudge.CHANNEL, b"")
                try:
                    await asyncio.wait_for(wake.wait(), 0.1)
                    return True
                except TimeoutError:
                    continue
            return False
        finally:
            listener.cancel()
            await asyncio.gather(listener, return_exceptions=True)
            await client.aclose()

    assert asyncio.run(woken_by_a_published_nudge(leads=True))
    assert not asyncio.run(woken_by_a_published_nudge(leads=False))


def test_a_process_that_does_not_lead_publishes_at_most_one_nudge_per_period(monkeypatch):
    import redis

    monkeypatch.setattr(nudge, "_local", {})
    monkeypatch.setattr(nudge, "_published_at", float("-inf"))
    nudge.register(1, lambda: None, lambda: False)
    subscriber = redis.Redis.from_url(redis_url()).pubsub(ignore_subscribe_messages=True)
    subscriber.subscribe(nudge.CHANNEL)
    try:
        subscriber.get_message(timeout=0.5)  # the subscription's confirmation
        started = time.monotonic()
        for _ in range(200):  # a burst of commits
            nudge.nudge()
        burst = time.monotonic() - started
        time.sleep(nudge.PUBLISH_EVERY + 0.01)
        nudge.nudge()  # the next period's first commit is published again
        received = 0
        while subscriber.get_message(timeout=0.3) is not None:
            received += 1
    finally:
        subscriber.close()
    assert received <= 2 + burst / nudge.PUBLISH_EVERY, (received, burst)
    assert received >= 2
