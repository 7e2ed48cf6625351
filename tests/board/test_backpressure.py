"""A board that stops reading fills only its own queue; it is told to resnapshot, the others do not wait."""

from __future__ import annotations

import asyncio
import socket
import time
from urllib.parse import urlparse

from sqlalchemy import insert, select
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from hotline.clock import now
from hotline.database import session_scope
from hotline.models import Ticket, TicketEvent
from tests.board.conftest import Board, event_ids_after, next_events, next_frame
from tests.board.test_stream import _record_directly

BURST = 12000  # about 4 MB: more than the kernel buffers of a loopback socket absorb


def _burst(count: int) -> None:
    number = _record_directly(1)[0]
    with session_scope() as session:
        ticket_id = session.scalars(select(Ticket.id).where(Ticket.number == number)).one()
        moment = now()
        session.execute(insert(TicketEvent), [
            {"ticket_id": ticket_id, "action": "note", "actor_role": "operator", "note": f"备注{i}", "data": {},
             "created_at": moment} for i in range(count)])


def _stuck_socket(base: str) -> socket.socket:
    """A client socket with a tiny receive buffer, so the server's writes back up quickly."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    address = urlparse(base)
    sock.connect((address.hostname, address.port))
    return sock


def test_a_stuck_board_does_not_delay_another(board: Board):
    async def scenario():
        stuck_url = board.url(board.board_pass())
        # no compression: deflated, these look-alike frames would shrink tenfold and never fill the buffers
        async with connect(stuck_url, sock=_stuck_socket(board.base), max_queue=1, compression=None,
                           close_timeout=1) as stuck, \
                board.connect() as healthy:
            start = (await next_frame(stuck))["last_event_id"]
            await next_frame(healthy)
            began = time.monotonic()
            await asyncio.to_thread(_burst, BURST)
            received = await next_events(healthy, BURST + 1, timeout=30)
            healthy_took = time.monotonic() - began
            await asyncio.sleep(0.5)
            drained, told, code = [], None, None
            try:
                while True:
                    frame = await next_frame(stuck)
                    if frame["type"] == "event":
                        drained.append(frame["id"])
                    elif frame["type"] == "resnapshot":
                        told = frame
            except ConnectionClosed as closed:
                code = closed.rcvd.code if closed.rcvd else None
            return start, received, healthy_took, drained, told, code

    start, received, healthy_took, drained, told, code = asyncio.run(scenario())
    expected = event_ids_after(start)
    assert [e["id"] for e in received] == expected
    assert healthy_took < 15
    assert told == {"type": "resnapshot", "reason": "behind"} and code == 4000
    assert drained == expected[: len(drained)] and len(drained) < len(expected)  # what it got was in order
