"""Benchmark of the board stream: N websocket clients on one web process, events committed at a steady rate.

    python -m web.bench.board                       # 100 and 1,000 clients, 20 events/s for 15 s
    python -m web.bench.board --clients 1000 --rate 50 --seconds 20 --deflate
    python -m web.bench.board --database-url postgresql://postgres@127.0.0.1:5432/board_bench

Everything runs on this machine and stops by itself: a throw-away SQLite file (or the given database, which it
fills with tickets: use a scratch one), a redis-server of its own, one uvicorn web process, and the clients in
two child processes. Latency is from the writer's commit returning to the client holding the frame (wall clock,
same machine). Memory per connection is the web process's resident memory growth divided by the clients.
Not a test: figures depend on the machine; docs/board.md records the ones measured.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import msgspec

from web.bench import setup

CLIENT_PROCESSES = 2
CONNECT_BATCH = 50


class _Head(msgspec.Struct):
    type: str
    id: int = 0


def _rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def _wait(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except Exception:
            pass
        time.sleep(0.1)
    raise SystemExit(f"benchmark: {what} did not come up within {timeout}s")


# -- the clients (child processes) ----------------------------------------------------------------------------


def _client_worker(base: str, token: str, count: int, deflate: bool, ready: Any, stop: Any, results: Any) -> None:
    asyncio.run(_clients(base, token, count, deflate, ready, stop, results))


async def _clients(base: str, token: str, count: int, deflate: bool, ready: Any, stop: Any, results: Any) -> None:
    """Each batch fetches its one-time passes just before connecting: they live 30 seconds."""
    from websockets.asyncio.client import connect

    ws_url = base.replace("http", "ws", 1) + "/api/board/ws"
    decode = msgspec.json.Decoder(_Head).decode
    received: list[list[tuple[int, float]]] = [[] for _ in range(count)]

    async def one(index: int, socket_: Any) -> None:
        log = received[index]
        try:
            async for message in socket_:
                moment = time.time()
                for line in message.split("\n"):  # several frames may share a message
                    head = decode(line)
                    if head.type == "event":
                        log.append((head.id, moment))
        except Exception:
            pass

    sockets = []
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        for start in range(0, count, CONNECT_BATCH):
            size = min(CONNECT_BATCH, count - start)
            granted = await asyncio.gather(*(http.post("/api/board/device-pass", json={"token": token})
                                             for _ in range(size)))
            opened = await asyncio.gather(*(connect(f"{ws_url}?pass={g.json()['pass']}", open_timeout=60,
                                                    max_queue=None, compression="deflate" if deflate else None)
                                            for g in granted))
            for socket_ in opened:
                await socket_.recv()  # the snapshot
            sockets.extend(opened)
    tasks = [asyncio.create_task(one(i, s)) for i, s in enumerate(sockets)]
    ready.put(len(sockets))
    while not stop.is_set():
        await asyncio.sleep(0.2)
    for socket_ in sockets:
        await socket_.close()
    await asyncio.gather(*tasks)
    results.put(received)


# -- the run --------------------------------------------------------------------------------------------------


class Stack:
    """A redis-server and a scratch database for all runs, and a fresh web process for each run."""

    def __init__(self, workdir: Path, database_url: str | None, deflate: bool) -> None:
        self.workdir = workdir
        self.redis_port = setup.free_port()
        self.web_port = 0
        self.env = {**os.environ, "HOTLINE_VAR_DIR": str(workdir), "SECRET_KEY": setup.SECRET,
                    "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0", "BOARD_REFRESH_SECONDS": "3600",
                    "DATABASE_URL": database_url or f"sqlite:///{workdir / 'board.db'}"}
        self.deflate = deflate
        self.redis: subprocess.Popen[bytes] | None = None
        self.web: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def start_redis(self) -> None:
        self.redis = setup.redis_server(self.redis_port, self.workdir)

    def start_web(self) -> None:
        self.web_port = setup.free_port()
        self.web = self._spawn([sys.executable, "-m", "uvicorn", "web.app:create_app", "--factory", "--host",
                                "127.0.0.1", "--port", str(self.web_port), "--log-level", "warning",
                                "--ws-per-message-deflate", "true" if self.deflate else "false", "--backlog", "4096"],
                               "web.log")
        _wait(lambda: httpx.get(self.base + "/health", timeout=1).status_code == 200, 60, "the web process")

    def _spawn(self, command: list[str], log: str) -> subprocess.Popen[bytes]:
        with (self.workdir / log).open("ab") as handle:
            return subprocess.Popen(command, env=self.env, stdout=handle, stderr=subprocess.STDOUT, cwd=setup.ROOT)


def _prepare_database(env: dict[str, str]) -> str:
    """Migrate, seed the reference data once, and register a device whose token buys the clients' passes."""
    os.environ.update({k: env[k] for k in ("HOTLINE_VAR_DIR", "SECRET_KEY", "REDIS_URL", "DATABASE_URL")})
    from command.access import new_device_token
    from command.models import BoardDevice
    from hotline.database import session_scope

    setup.migrate_and_seed()
    with session_scope() as session:
        token, digest = new_device_token()
        session.add(BoardDevice(name="benchmark", token_hash=digest))
    return token


class Writer(threading.Thread):
    """Commits one call (one `receive` event) every 1/rate seconds; remembers when each commit returned."""

    def __init__(self, rate: float, seconds: float) -> None:
        super().__init__(daemon=True)
        self.rate, self.seconds = rate, seconds
        self.committed: dict[int, float] = {}

    def run(self) -> None:
        from sqlalchemy import func, select

        import command.nudge  # noqa: F401 - as in a web process: a commit wakes the relay at once
        from hotline.database import session_scope
        from hotline.intake import record_call
        from hotline.models import TicketEvent
        from hotline.schemas import CallCreate
        from hotline.workflow import Actor

        operator = Actor(role="operator", name="压测")
        start = time.monotonic()
        for n in range(int(self.rate * self.seconds)):
            time.sleep(max(0.0, start + n / self.rate - time.monotonic()))
            with session_scope() as session:
                ticket = record_call(session, CallCreate(content=f"压测工单 {n}：路灯不亮", township="城关街道"),
                                     operator)
            moment = time.time()
            with session_scope() as session:
                event_id = session.scalar(select(func.max(TicketEvent.id)).where(TicketEvent.ticket_id == ticket.id))
            self.committed[event_id] = moment


def run_once(stack: Stack, token: str, clients: int, rate: float, seconds: float) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    ready, results, stop = context.Queue(), context.Queue(), context.Event()
    time.sleep(1.0)
    assert stack.web is not None
    rss_before = _rss_kib(stack.web.pid)
    shares = [clients // CLIENT_PROCESSES + (i < clients % CLIENT_PROCESSES) for i in range(CLIENT_PROCESSES)]
    workers = [context.Process(target=_client_worker, args=(stack.base, token, share, stack.deflate, ready, stop,
                                                            results), daemon=True) for share in shares]
    for worker in workers:
        worker.start()
    try:
        connected = sum(ready.get(timeout=180) for _ in workers)
        time.sleep(1.0)
        rss_connected = _rss_kib(stack.web.pid)
        writer = Writer(rate, seconds)
        writer.start()
        writer.join()
        time.sleep(3.0)  # let the last frames arrive
        rss_after = _rss_kib(stack.web.pid)
        stop.set()
        received = [log for _ in workers for log in results.get(timeout=120)]
    finally:
        stop.set()
        for worker in workers:
            worker.join(30)
            if worker.is_alive():
                worker.kill()
    return _summarise(clients, connected, writer.committed, received, rss_before, rss_connected, rss_after)


def _summarise(clients: int, connected: int, committed: dict[int, float], received: list[list[tuple[int, float]]],
               rss_before: int, rss_connected: int, rss_after: int) -> dict[str, Any]:
    latencies, missing, duplicates, disorder = [], 0, 0, 0
    for log in received:
        ids = [event_id for event_id, _ in log]
        duplicates += len(ids) - len(set(ids))
        disorder += sum(1 for a, b in itertools.pairwise(ids) if b <= a)
        missing += len(set(committed) - set(ids))
        latencies.extend((moment - committed[event_id]) * 1000 for event_id, moment in log if event_id in committed)
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] if latencies else float("nan")

    return {
        "clients": clients, "connected": connected, "events": len(committed), "deliveries": len(latencies),
        "missing": missing, "duplicates": duplicates, "out_of_order": disorder,
        "p50_ms": pct(50), "p90_ms": pct(90), "p99_ms": pct(99), "max_ms": latencies[-1] if latencies else None,
        "mean_ms": statistics.fmean(latencies) if latencies else None,
        "rss_idle_mib": rss_before / 1024, "kib_per_connection": (rss_connected - rss_before) / max(connected, 1),
        "kib_per_connection_after_events": (rss_after - rss_before) / max(connected, 1),
    }


def _report(row: dict[str, Any]) -> str:
    return (f"{row['clients']:>5} clients  {row['events']:>4} events  {row['deliveries']:>7} deliveries  "
            f"p50 {row['p50_ms']:6.1f} ms  p90 {row['p90_ms']:6.1f} ms  p99 {row['p99_ms']:6.1f} ms  "
            f"max {row['max_ms']:6.1f} ms  missing {row['missing']}  dup {row['duplicates']}  "
            f"disorder {row['out_of_order']}  memory {row['kib_per_connection']:.0f} KiB/conn "
            f"({row['kib_per_connection_after_events']:.0f} after events; web process idle "
            f"{row['rss_idle_mib']:.0f} MiB)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m web.bench.board", description=__doc__.split("\n")[0])
    parser.add_argument("--clients", default="100,1000", help="comma-separated client counts, one run each")
    parser.add_argument("--rate", type=float, default=20.0, help="events committed per second")
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--database-url", help="a scratch database (default: a temporary SQLite file)")
    parser.add_argument("--deflate", action="store_true", help="clients negotiate permessage-deflate")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="board-bench-"))
    stack = Stack(workdir, args.database_url, args.deflate)
    try:
        stack.start_redis()
        token = _prepare_database(stack.env)
        for count in (int(c) for c in args.clients.split(",")):
            stack.start_web()
            try:
                print(_report(run_once(stack, token, count, args.rate, args.seconds)), flush=True)
            finally:
                setup.terminate(stack.web)
    finally:
        setup.terminate(stack.redis)
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
