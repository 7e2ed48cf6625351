"""Relay leadership: exactly one relay leads, and a leader that dies without a word is replaced within the lease."""

from __future__ import annotations

import asyncio
import time

from redis.asyncio import Redis as AsyncRedis

from command.relay import Relay
from hotline.redis_conn import redis_url
from hotline.settings import BoardSettings

LEASE = 0.6


async def _nothing(_: list[bytes]) -> None:
    return None


def test_one_relay_leads_and_a_dead_leader_is_replaced_within_the_lease(private_keys):
    async def run() -> tuple[list[int], float, bool]:
        client = AsyncRedis.from_url(redis_url())
        relays = [Relay(_nothing, client, BoardSettings(lock_seconds=LEASE), lambda: 0) for _ in range(3)]
        try:
            leaders = []
            for _ in range(15):  # several renewals' worth: the lease stays with the first
                held = [await relay._hold_lease() for relay in relays]
                leaders.append(held.count(True))
                await asyncio.sleep(LEASE / 6)
            dead = next(relay for relay in relays if relay.leader)  # it stops renewing, and never releases
            survivors = [relay for relay in relays if relay is not dead]
            died = time.monotonic()
            while not any([await relay._hold_lease() for relay in survivors]):
                await asyncio.sleep(0.02)
            taken_after = time.monotonic() - died
            return leaders, taken_after, sum(relay.leader for relay in survivors) == 1
        finally:
            for relay in relays:
                await relay.stop()
            await client.aclose()

    leaders, taken_after, one_survivor_leads = asyncio.run(run())
    assert leaders == [1] * 15
    assert one_survivor_leads
    assert taken_after <= LEASE + 0.2, taken_after
