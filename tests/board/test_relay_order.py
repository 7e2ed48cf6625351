"""The relay under concurrent transactions: a lower id that commits later is waited for, never skipped."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from sqlalchemy import select
from websockets.exceptions import ConnectionClosed

from hotline.clock import now
from hotline.database import get_session_factory, session_scope
from hotline.models import Ticket, TicketEvent
from hotline.settings import get_settings
from tests.board.conftest import Board, next_events, next_frame, quiet
from tests.board.test_stream import _record_directly

postgres_only = pytest.mark.skipif(get_settings().is_sqlite,
                                   reason="SQLite lets one writer in at a time, so ids always commit in order")


def _ticket_id(number: str) -> int:
    with session_scope() as session:
        return session.scalars(select(Ticket.id).where(Ticket.number == number)).one()


def _note(session, ticket_id: int, event_id: int | None = None) -> int:
    event = TicketEvent(id=event_id, ticket_id=ticket_id, action="note", actor_role="operator", note="内部备注",
                        data={}, created_at=now())
    session.add(event)
    session.flush()
    return event.id


async def _with_ticket(ws) -> int:
    await next_frame(ws)
    number = (await asyncio.to_thread(_record_directly, 1))[0]
    await next_events(ws, 1)
    return _ticket_id(number)


@postgres_only
def test_a_lower_id_committed_later_is_held_for_and_sent_first(board: Board):
    async def scenario():
        async with board.connect() as ws:
            ticket = await _with_ticket(ws)
            holder = get_session_factory()()
            try:
                low = _note(holder, ticket)  # id taken, not committed
                with session_scope() as session:
                    high = _note(session, ticket)
                held = await quiet(ws, 1.0)
                holder.commit()
            finally:
                holder.close()
            return low, high, held, await next_events(ws, 2)

    low, high, held, events = asyncio.run(scenario())
    assert low < high and held == []
    assert [e["id"] for e in events] == [low, high]
    assert all("内部备注" not in str(e) for e in events)


@postgres_only
def test_a_rolled_back_id_does_not_stall_the_stream(board: Board):
    """The relay sees the transaction end (pg_snapshot_xmin): it need not wait out the grace period."""
    async def scenario():
        async with board.connect() as ws:
            ticket = await _with_ticket(ws)
            holder = get_session_factory()()
            low = _note(holder, ticket)
            with session_scope() as session:
                high = _note(session, ticket)
            await quiet(ws, 0.3)
            holder.rollback()
            holder.close()
            started = time.monotonic()
            events = await next_events(ws, 1)
            return low, high, events, time.monotonic() - started

    low, high, events, waited = asyncio.run(scenario())
    assert events[0]["id"] == high and events[0]["prev"] < low
    assert waited < 1.5  # the grace period here is 3 s


@postgres_only
def test_past_the_grace_period_the_stream_moves_on_and_a_late_commit_forces_a_resnapshot(board: Board):
    async def scenario():
        async with board.connect() as ws:
            ticket = await _with_ticket(ws)
            holder = get_session_factory()()
            try:
                _note(holder, ticket)
                with session_scope() as session:
                    high = _note(session, ticket)
                started = time.monotonic()
                moved_on = await next_events(ws, 1, timeout=10)
                waited = time.monotonic() - started
                holder.commit()  # far too late to be sent in order
            finally:
                holder.close()
            told = await next_frame(ws)
            after: list[dict] = []  # a figures refresh (every second here) may still be on its way before the close
            with pytest.raises(ConnectionClosed) as closed:
                async with asyncio.timeout(5):
                    while True:
                        after.append(json.loads(await ws.recv()))
            return high, moved_on, waited, told, closed.value.rcvd.code, after

    high, moved_on, waited, told, code, after = asyncio.run(scenario())
    assert moved_on[0]["id"] == high and 2.5 < waited < 8
    assert told == {"type": "resnapshot", "reason": "late events"} and code == 4000
    assert not [frame for frame in after if "id" in frame]  # no event is sent after the resnapshot order


def test_a_permanent_hole_in_the_ids_does_not_stall_the_stream(board: Board):
    async def scenario():
        async with board.connect() as ws:
            ticket = await _with_ticket(ws)
            with session_scope() as session:
                newest = session.scalar(select(TicketEvent.id).order_by(TicketEvent.id.desc()).limit(1))
                jumped = _note(session, ticket, event_id=newest + 7)
            started = time.monotonic()
            events = await next_events(ws, 1)
            return newest, jumped, events, time.monotonic() - started

    newest, jumped, events, waited = asyncio.run(scenario())
    assert events[0]["id"] == jumped and events[0]["prev"] == newest
    assert waited < 1.5
