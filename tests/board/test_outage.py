"""Redis going away and web processes restarting: nothing is lost, nothing is repeated, order holds."""

from __future__ import annotations

import asyncio

import pytest
from websockets.exceptions import ConnectionClosed

from tests.board.conftest import (
    SHARED_BOARD_ENV,
    Board,
    RedisProcess,
    WebProcess,
    event_ids_after,
    next_events,
    next_frame,
    quiet,
)
from tests.board.test_stream import _record_directly


def test_events_written_while_redis_was_down_arrive_after_it_returns(private_redis: RedisProcess,
                                                                     private_web: WebProcess):
    board = Board(private_web.url)

    async def scenario():
        async with board.connect() as ws:
            start = (await next_frame(ws))["last_event_id"]
            private_redis.kill()
            numbers = await asyncio.to_thread(_record_directly, 4)
            during = await quiet(ws, 1.5)
            private_redis.start()  # same port, empty: no stream, no cursor, no lease
            after = await next_events(ws, 4, timeout=20)
            later = await asyncio.to_thread(_record_directly, 1)
            after += await next_events(ws, 1)
            assert await quiet(ws, 0.5) == []
        return start, numbers + later, during, after

    start, numbers, during, events = asyncio.run(scenario())
    assert during == []
    assert [e["id"] for e in events] == event_ids_after(start)
    assert [e["ticket"] for e in events] == numbers
    assert [e["prev"] for e in events[1:]] == [e["id"] for e in events[:-1]]


@pytest.mark.parametrize("crash", [True, False], ids=["killed", "stopped"])
def test_resume_across_a_web_process_restart(private_web: WebProcess, crash: bool):
    board = Board(private_web.url)

    async def scenario():
        async with board.connect() as ws:
            await next_frame(ws)
            await asyncio.to_thread(_record_directly, 2)
            seen = await next_events(ws, 2)
            private_web.stop(kill=crash)
            with pytest.raises(ConnectionClosed):
                while True:
                    await asyncio.wait_for(ws.recv(), 10)
        missed = await asyncio.to_thread(_record_directly, 3)  # no web process is running now
        private_web.start()
        async with board.connect(after=seen[-1]["id"]) as ws:
            resumed = await next_frame(ws)
            events = await next_events(ws, 3, timeout=20)
            live = await asyncio.to_thread(_record_directly, 1)
            events += await next_events(ws, 1)
            assert await quiet(ws, 0.5) == []
        return seen, resumed, missed + live, events

    seen, resumed, numbers, events = asyncio.run(scenario())
    assert resumed["type"] == "resumed" and resumed["after"] == seen[-1]["id"]
    assert [e["id"] for e in events] == event_ids_after(seen[-1]["id"])
    assert [e["ticket"] for e in events] == numbers


def test_every_web_process_serves_the_stream_and_another_takes_over(tmp_path, private_redis: RedisProcess,
                                                                    private_web: WebProcess):
    second = WebProcess(tmp_path, **{**SHARED_BOARD_ENV, "REDIS_URL": private_redis.url})
    second.start()
    try:
        boards = [Board(private_web.url), Board(second.url)]

        async def scenario():
            async with boards[0].connect() as one, boards[1].connect() as two:
                start = (await next_frame(one))["last_event_id"]
                await next_frame(two)
                numbers = await asyncio.to_thread(_record_directly, 3)
                first = [await next_events(one, 3), await next_events(two, 3)]
                private_web.stop(kill=True)  # whichever relayed, the other process now leads
                numbers += await asyncio.to_thread(_record_directly, 2)
                return start, numbers, first, await next_events(two, 2, timeout=20)

        start, numbers, (via_one, via_two), after_kill = asyncio.run(scenario())
    finally:
        second.stop()
    assert via_one == via_two
    assert [e["id"] for e in via_two + after_kill] == event_ids_after(start)
    assert [e["ticket"] for e in via_two + after_kill] == numbers
