"""One board's websocket: a snapshot or the missed events first, then live frames in id order.

A websocket message carries one or more frames, one JSON object per line. Frames queued for a board are sent
together: under load that turns many small writes into one, which is what lets a process keep up with a thousand
boards. Each frame is still a complete JSON object; a board splits the message on newlines.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

import msgspec
from litestar.connection import WebSocket
from sqlalchemy.exc import SQLAlchemyError

from command.hub import CLOSE_REAUTH, CLOSE_RESNAPSHOT, CLOSE_REVOKED, Client
from command.runtime import BoardRuntime
from command.schemas import Reauth, Resnapshot, Resumed

log = logging.getLogger(__name__)

CLOSE_TRY_LATER = 1013
BATCH_FRAMES = 64  # at most this many frames in one message
POSITION_WAIT = 5.0  # a fresh process learns the stream's position from the relay's next frame or mark
RESUME_WAIT = 2.0  # a board may be a few milliseconds ahead of this process's hub


def _text(message: msgspec.Struct) -> str:
    return msgspec.json.encode(message).decode()


async def _send(socket: WebSocket, lines: list[str]) -> None:
    """Raw ASGI send: the per-frame helpers of the socket class cost more than the write itself at this volume."""
    await socket.send({"type": "websocket.send", "text": "\n".join(lines)})


async def serve(socket: WebSocket, runtime: BoardRuntime, after: int | None, grant: Any = None) -> None:
    hub = runtime.hub
    if not await hub.wait_for(None, POSITION_WAIT):
        await socket.close(CLOSE_TRY_LATER, "board stream unavailable")
        return
    if after is not None and not await hub.wait_for(after, RESUME_WAIT):
        after = None  # the log was reset since the board saw `after`: it starts over from a snapshot
    client, position = hub.attach(grant)
    try:
        try:
            texts = await hub.replay(after, position) if after is not None else None
            if texts is None:
                first = [await runtime.snapshots.get(position)]
            else:
                first = [_text(Resumed(after=after or 0, last_event_id=position, replayed=len(texts))), *texts]
        except SQLAlchemyError as exc:
            log.warning("board connection refused: database unavailable (%s)", exc.__class__.__name__)
            await socket.close(CLOSE_TRY_LATER, "database unavailable")
            return
        for start in range(0, len(first), BATCH_FRAMES):
            await _send(socket, first[start:start + BATCH_FRAMES])
        timer = asyncio.get_running_loop().call_later(runtime.settings.max_connection_seconds, client.expire)
        try:
            await _until_disconnect(socket, _pump(socket, client, position))
        finally:
            timer.cancel()
    finally:
        hub.detach(client)


async def _pump(socket: WebSocket, client: Client, cursor: int) -> None:
    """Send queued frames; skip any the board already has; hand over to a resnapshot if it fell behind.

    This loop runs for every frame of every board, so it stays lean: no per-wait timeout (the age limit is a
    timer), and everything queued goes out in one message.
    """
    while True:
        if not client.queue and not client.behind and not client.expired:
            await client.wake.wait()
        client.wake.clear()
        lines: list[str] = []
        close_code = None
        while client.queue and not client.behind and len(lines) < BATCH_FRAMES:
            event_id, text, close = client.queue.popleft()
            if event_id is not None:
                if event_id <= cursor:
                    continue
                cursor = event_id
            lines.append(text)
            if close is not None:
                close_code = close
                break
        if lines:
            await _send(socket, lines)
        if close_code is not None:
            await socket.close(close_code, "revoked" if close_code == CLOSE_REVOKED else "resnapshot")
            return
        if client.behind:
            await _send(socket, [_text(Resnapshot(reason="behind"))])
            await socket.close(CLOSE_RESNAPSHOT, "resnapshot")
            return
        if client.expired and not client.queue:
            await _send(socket, [_text(Reauth(reason="connection age"))])
            await socket.close(CLOSE_REAUTH, "reauthenticate")
            return
        if client.queue:
            client.wake.set()  # more than one message's worth was queued


async def _until_disconnect(socket: WebSocket, pump: Coroutine[Any, Any, None]) -> None:
    """Run the pump while listening for the board going away (it sends nothing else)."""

    async def listen() -> None:
        while (await socket.receive())["type"] != "websocket.disconnect":
            continue

    tasks = {asyncio.ensure_future(pump), asyncio.ensure_future(listen())}
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if not task.cancelled() and (error := task.exception()) is not None:
                log.debug("board connection ended: %r", error)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
