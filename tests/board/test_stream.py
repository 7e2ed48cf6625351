"""The live stream against a real web process: snapshot, then every later event once, in id order."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from hotline.database import session_scope
from hotline.intake import record_call
from hotline.models import Ticket
from hotline.schemas import CallCreate
from hotline.workflow import Actor
from tests.board.conftest import Board, event_ids_after, next_events, next_frame, quiet, settled_snapshot
from tests.fixtures import CALL


def _record_directly(count: int) -> list[str]:
    """Tickets written straight to the database, as a worker would: no web request is involved."""
    operator = Actor(role="operator", id=None, name="测试")
    numbers = []
    for i in range(count):
        with session_scope() as session:
            ticket = record_call(session, CallCreate(**{**CALL, "content": f"{CALL['content']}（直写{i}）"}), operator)
            session.flush()
            numbers.append(ticket.number)
    return numbers


def test_snapshot_then_every_event_in_order(board: Board):
    async def scenario():
        async with board.connect() as ws:
            snapshot = await next_frame(ws)
            assert snapshot["type"] == "snapshot"
            start = snapshot["last_event_id"]
            numbers = [board.call(f"第{i}号诉求：小区路灯不亮，联系电话13912345678") for i in range(4)]
            expected = event_ids_after(start)
            events = await next_events(ws, len(expected))
            return start, numbers, expected, events

    start, numbers, expected, events = asyncio.run(scenario())
    assert [e["id"] for e in events] == expected
    assert [e["prev"] for e in events] == [start, *expected[:-1]]
    assert [e["ticket"] for e in events if e["action"] == "receive"] == numbers
    for event in events:
        text = str(event)
        assert "13800138000" not in text and "王建国" not in text and "13912345678" not in text
    assert events[0]["summary"].startswith("第0号诉求")
    assert "139****5678" in events[0]["summary"]


def test_events_written_outside_any_request_are_relayed(board: Board):
    async def scenario():
        async with board.connect() as ws:
            start = (await next_frame(ws))["last_event_id"]
            numbers = await asyncio.to_thread(_record_directly, 3)
            return start, numbers, await next_events(ws, 3)

    start, numbers, events = asyncio.run(scenario())
    assert [e["ticket"] for e in events] == numbers
    assert [e["id"] for e in events] == event_ids_after(start)


def test_resume_after_reconnect_has_no_gap_and_no_duplicate(board: Board):
    async def scenario():
        async with board.connect() as ws:
            await next_frame(ws)
            board.call("断线前的第一件")
            board.call("断线前的第二件")
            seen = await next_events(ws, 2)
        last = seen[-1]["id"]
        missed_numbers = [board.call(f"断线期间的第{i}件") for i in range(3)]
        missed = event_ids_after(last)
        async with board.connect(after=last) as ws:
            resumed = await next_frame(ws)
            replay = await next_events(ws, len(missed))
            assert await quiet(ws, 0.5) == []
            live_number = board.call("重连之后的新件")
            live = await next_events(ws, 1)
        return last, resumed, missed, missed_numbers, replay, live_number, live

    last, resumed, missed, missed_numbers, replay, live_number, live = asyncio.run(scenario())
    # the resume point is where this process's hub stood; anything newer followed live, in order
    assert resumed["type"] == "resumed" and resumed["after"] == last
    assert resumed["last_event_id"] == last + 0 + resumed["replayed"] or resumed["replayed"] <= 3
    assert [e["id"] for e in replay] == missed
    assert [e["ticket"] for e in replay] == missed_numbers
    assert live[0]["id"] == event_ids_after(missed[-1])[0] and live[0]["ticket"] == live_number
    assert live[0]["prev"] == missed[-1]


def test_resume_too_far_back_gets_a_snapshot_instead(board: Board):
    """More missed events than BOARD_RESUME_LIMIT (50 here): replaying them would cost more than a snapshot."""
    async def scenario():
        async with board.connect() as ws:
            start = (await next_frame(ws))["last_event_id"]
        await asyncio.to_thread(_record_directly, 60)  # one `receive` event each
        await settled_snapshot(board)  # this process has relayed all 60
        async with board.connect(after=start) as ws:
            return await next_frame(ws)

    first = asyncio.run(scenario())
    assert first["type"] == "snapshot"
    assert first["board"]["intake_today"] == 60


def test_dispatch_and_sign_are_relayed_with_department(board: Board):
    async def scenario():
        async with board.connect() as ws:
            await next_frame(ws)
            number = board.call("小区门口路灯坏了")
            response = board.post(f"/api/tickets/{number}/dispatch", {"category_code": "0107"})
            assert response.status_code == 200, response.text
            return await next_events(ws, 2)

    receive, dispatch = asyncio.run(scenario())
    assert (receive["action"], dispatch["action"]) == ("receive", "dispatch")
    assert dispatch["from_status"] == "received" and dispatch["to_status"] == "pending_sign"
    assert dispatch["department"] and dispatch["category"] == "0107" and dispatch["category_name"]
    with session_scope() as session:
        ticket = session.scalars(select(Ticket).where(Ticket.number == dispatch["ticket"])).one()
        assert dispatch["due_at"] is not None and ticket.due_at is not None

