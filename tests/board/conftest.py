"""Board fixtures: real uvicorn web processes, real redis-server processes, websockets clients.

Every server here is a child process on a loopback port, stopped at the end. The shared one uses the suite's
database and Redis; tests that kill Redis or restart the web process start their own.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

from hotline.redis_conn import redis_url
from hotline.settings import get_settings
from tests import harness
from tests.harness import ROOT, RedisServer, free_port, wait_until  # noqa: F401 - the board tests import them here

ARTIFACTS = ROOT / "test-artifacts"
PASSWORD = "demo12345"
SHARED_BOARD_ENV = {
    "BOARD_CLIENT_BACKLOG": "64",
    "BOARD_RESUME_LIMIT": "50",
    "BOARD_GAP_GRACE_SECONDS": "3",
    "BOARD_LOCK_SECONDS": "2",
    "BOARD_REFRESH_SECONDS": "1",
}


RedisProcess = RedisServer  # a private redis-server a test may kill


class WebProcess(harness.WebProcess):
    """A board web process on the suite's database and Redis, unless the test gives its own."""

    def __init__(self, log_dir: Path, **env: str) -> None:
        super().__init__(log_dir, {**os.environ, "DATABASE_URL": get_settings().database_url,
                                   "REDIS_URL": redis_url(), **env})


class Board:
    """A staff member's way into one web process's board: sign in, fetch a pass, connect."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.ws_base = base.replace("http://", "ws://")
        self._headers: dict[str, dict[str, str]] = {}

    def headers(self, username: str) -> dict[str, str]:
        if username not in self._headers:
            response = httpx.post(self.base + "/api/auth/login", json={"username": username, "password": PASSWORD})
            assert response.status_code == 200, response.text
            self._headers[username] = {"Authorization": f"Bearer {response.json()['access_token']}"}
        return self._headers[username]

    def board_pass(self, username: str = "commander") -> str:
        response = httpx.post(self.base + "/api/board/pass", headers=self.headers(username))
        assert response.status_code == 200, response.text
        return response.json()["pass"]

    def url(self, board_pass: str, after: int | None = None) -> str:
        query = f"?pass={board_pass}" + (f"&after={after}" if after is not None else "")
        return f"{self.ws_base}/api/board/ws{query}"

    def connect(self, after: int | None = None, username: str = "commander", **kwargs: Any):
        """A websockets client; its queue is roomy so closing never waits behind unread frames."""
        options = {"open_timeout": 10, "max_queue": 4096, "close_timeout": 2, **kwargs}
        return connect(self.url(self.board_pass(username), after), **options)

    def post(self, path: str, body: dict[str, Any], username: str = "operator1") -> httpx.Response:
        return httpx.post(self.base + path, json=body, headers=self.headers(username))

    def call(self, content: str = "望江花园小区门口的路灯坏了，晚上很黑", **fields: Any) -> str:
        body = {"content": content, "caller_name": "王建国", "caller_phone": "13800138000",
                "township": "城关街道", "type": "complaint", **fields}
        response = httpx.post(self.base + "/api/tickets", json=body, headers=self.headers("operator1"))
        assert response.status_code == 201, response.text
        return response.json()["number"]


_pending: WeakKeyDictionary[ClientConnection, deque[str]] = WeakKeyDictionary()


async def next_frame(ws: ClientConnection, timeout: float = 10) -> dict[str, Any]:
    """The next frame; a message may carry several, one JSON object per line."""
    lines = _pending.setdefault(ws, deque())
    if not lines:
        lines.extend((await asyncio.wait_for(ws.recv(), timeout)).split("\n"))
    return json.loads(lines.popleft())


async def next_events(ws: ClientConnection, count: int, timeout: float = 15) -> list[dict[str, Any]]:
    """The next `count` event frames; refreshed snapshots in between are skipped."""
    deadline = time.monotonic() + timeout
    events: list[dict[str, Any]] = []
    while len(events) < count:
        frame = await next_frame(ws, max(0.01, deadline - time.monotonic()))
        if frame["type"] == "event":
            events.append(frame)
        elif frame["type"] != "snapshot":
            raise AssertionError(f"unexpected frame {frame}")
    return events


async def quiet(ws: ClientConnection, seconds: float) -> list[dict[str, Any]]:
    """Event frames that arrive within `seconds` (expected: none)."""
    events = []
    deadline = time.monotonic() + seconds
    try:
        while (remaining := deadline - time.monotonic()) > 0:
            frame = await next_frame(ws, remaining)
            if frame["type"] == "event":
                events.append(frame)
    except TimeoutError:
        pass
    return events


def newest_event_id() -> int:
    from sqlalchemy import func, select

    from hotline.database import session_scope
    from hotline.models import TicketEvent

    with session_scope() as session:
        return session.scalar(select(func.max(TicketEvent.id))) or 0


def event_ids_after(after: int) -> list[int]:
    from sqlalchemy import select

    from hotline.database import session_scope
    from hotline.models import TicketEvent

    with session_scope() as session:
        return list(session.scalars(select(TicketEvent.id).where(TicketEvent.id > after).order_by(TicketEvent.id)))


async def settled_snapshot(board: Board, timeout: float = 15) -> dict[str, Any]:
    """A snapshot taken once the web process has caught up with the database (after the suite cleared it)."""
    deadline = time.monotonic() + timeout
    while True:
        target = newest_event_id()
        async with board.connect() as ws:
            snapshot = await next_frame(ws)
        if snapshot["type"] == "snapshot" and snapshot["last_event_id"] == target:
            return snapshot
        if time.monotonic() > deadline:
            raise AssertionError(f"board stayed at {snapshot.get('last_event_id')}, database at {target}")
        await asyncio.sleep(0.1)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="package")
def shared_server(tmp_path_factory) -> Iterator[WebProcess]:
    server = WebProcess(tmp_path_factory.mktemp("board-shared"), **SHARED_BOARD_ENV)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def board(shared_server: WebProcess) -> Board:
    """The shared web process, caught up with the freshly cleared database."""
    helper = Board(shared_server.url)
    asyncio.run(settled_snapshot(helper))
    return helper


@pytest.fixture
def private_redis(tmp_path) -> Iterator[RedisProcess]:
    server = RedisProcess(tmp_path)
    server.start()
    yield server
    server.kill()


@pytest.fixture
def private_web(tmp_path, private_redis: RedisProcess) -> Iterator[WebProcess]:
    """A web process of its own on its own Redis, for tests that kill one or the other."""
    server = WebProcess(tmp_path, **{**SHARED_BOARD_ENV, "REDIS_URL": private_redis.url, "BOARD_REFRESH_SECONDS": "3600"})
    server.start()
    yield server
    server.stop()


@pytest.fixture
def private_keys(monkeypatch):
    """A relay lease and cursor of a test's own: the suite's board server holds the shared ones."""
    from command import relay

    tag = secrets.token_hex(4)
    monkeypatch.setattr(relay, "LOCK_KEY", f"test:relay:{tag}:lock")
    monkeypatch.setattr(relay, "CURSOR_KEY", f"test:relay:{tag}:cursor")
