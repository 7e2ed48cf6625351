"""The load generator of the benchmarks: a lean HTTP/1.1 keep-alive client, closed-loop and open-loop drivers.

Why not httpx: on a 2-core machine the load generator shares the CPU with the server it measures. httpx spends
several hundred microseconds of Python per request (a quarter of what the app itself spends on a bare JSON
route), so it would cap the bare endpoint's figure at the client's speed. This client writes prepared request bytes
and reads the status line, the headers and a Content-Length (or chunked) body off an asyncio stream, nothing else.

Closed loop (`closed_loop`): N connections each send the next request as soon as the last is answered, for a
fixed time: the peak rate the server sustains. Open loop (`open_loop`): requests are started on a fixed schedule
whatever the server does, and each latency is counted from the moment the request was *due*, so a server that
falls behind shows it in its percentiles (no coordinated omission).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import msgspec


class Connection:
    """One keep-alive HTTP/1.1 connection to the server under test."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def _open(self) -> None:
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)

    async def request(self, method: str, path: str, body: object = None,
                      headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        payload = b"" if body is None else msgspec.json.encode(body)
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", f"Content-Length: {len(payload)}"]
        if body is not None:
            lines.append("Content-Type: application/json")
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + payload
        if self._writer is None:
            await self._open()
        try:
            return await self._exchange(raw)
        except (ConnectionError, asyncio.IncompleteReadError):
            await self.close()  # the server closed an idle keep-alive connection: one retry on a new one
            await self._open()
            return await self._exchange(raw)

    async def _exchange(self, raw: bytes) -> tuple[int, bytes]:
        assert self._reader is not None and self._writer is not None
        self._writer.write(raw)
        head = await self._reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length, chunked, close = 0, False, False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
            elif name == b"connection" and b"close" in value.lower():
                close = True
        body = await self._read_chunked() if chunked else await self._reader.readexactly(length)
        if close:
            await self.close()
        return status, body

    async def _read_chunked(self) -> bytes:
        assert self._reader is not None
        parts = []
        while True:
            size = int((await self._reader.readline()).split(b";")[0], 16)
            if size == 0:
                await self._reader.readline()
                return b"".join(parts)
            parts.append(await self._reader.readexactly(size))
            await self._reader.readline()

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await self._writer.wait_closed()
        self._reader = self._writer = None


# One unit of work on a connection (usually one request); returns the HTTP status that counts.
Unit = Callable[[Connection, int], Awaitable[int]]


@dataclass
class Result:
    """What one run measured: completed units, their latencies (ms) and status codes, over `seconds`."""

    seconds: float
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    lag_ms: float = 0.0  # open loop: the most the generator itself was late in starting a request
    gc_pause_ms: float = 0.0  # the generator's longest cycle collection: time it could neither send nor read

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    @property
    def non_2xx(self) -> int:
        return sum(n for status, n in self.statuses.items() if not 200 <= status < 300) + sum(self.errors.values())

    def pct(self, p: float) -> float:
        return percentile(self.latencies, p)

    def line(self, label: str) -> str:
        bad = dict(self.statuses - Counter({s: n for s, n in self.statuses.items() if 200 <= s < 300}))
        extra = f"  non-2xx {bad}" if bad else ""
        extra += f"  errors {dict(self.errors)}" if self.errors else ""
        return (f"{label:<34} {self.rate:8.1f}/s  n={self.count:<7} p50 {self.pct(50):7.1f} ms  "
                f"p90 {self.pct(90):7.1f} ms  p99 {self.pct(99):7.1f} ms  max {self.pct(100):7.1f} ms{extra}")


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


async def closed_loop(host: str, port: int, unit: Unit, *, connections: int, seconds: float) -> Result:
    """`connections` clients each doing `unit` back to back for `seconds`: the sustained peak."""
    result = Result(seconds=seconds)
    counter = iter(range(10**12))
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        connection = Connection(host, port)
        try:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    status = await unit(connection, next(counter))
                except Exception as exc:  # counted, never hidden: a reset connection is a failed request
                    result.errors[type(exc).__name__] += 1
                    await connection.close()
                    continue
                result.latencies.append((time.perf_counter() - started) * 1000)
                result.statuses[status] += 1
        finally:
            await connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(connections)))
    result.seconds = time.perf_counter() - started
    return result


async def open_loop(host: str, port: int, unit: Unit, *, rate: float, seconds: float,
                    max_connections: int = 256, timeout: float = 60.0) -> Result:
    """`unit` started every 1/rate seconds on a free connection; latency counts from when it was due.

    A unit not done `timeout` seconds after it was due is counted as an error (TimeoutError), and its connection
    dropped, so that a stalled server cannot hold the run for ever.
    """
    result = Result(seconds=seconds)
    idle: list[Connection] = []
    opened = 0
    available = asyncio.Condition()

    async def take() -> Connection:
        nonlocal opened
        async with available:
            while not idle and opened >= max_connections:
                await available.wait()
            if idle:
                return idle.pop()
            opened += 1
            return Connection(host, port)

    async def give(connection: Connection) -> None:
        async with available:
            idle.append(connection)
            available.notify()

    async def fire(index: int, due: float) -> None:
        connection = await take()
        try:
            status = await asyncio.wait_for(unit(connection, index), max(0.1, due + timeout - time.perf_counter()))
        except Exception as exc:  # counted as a failure
            result.errors[type(exc).__name__] += 1
            await connection.close()
        else:
            result.latencies.append((time.perf_counter() - due) * 1000)
            result.statuses[status] += 1
        await give(connection)

    total = int(rate * seconds)
    start = time.perf_counter()
    tasks = []
    for index in range(total):
        due = start + index / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        else:
            result.lag_ms = max(result.lag_ms, -delay * 1000)
        tasks.append(asyncio.create_task(fire(index, due)))
    await asyncio.gather(*tasks)
    result.seconds = seconds
    for connection in idle:
        await connection.close()
    return result


def run(coroutine: Awaitable[Result]) -> Result:
    """Run a driver with the generator's own heap frozen out of the cycle collector.

    The benchmark process imports the whole app to set up its database, and a full collection walked all of it:
    measured with `gc.callbacks`, one 124 ms pause during a 15 s open loop. Every request due in that pause was
    counted late, as server latency, and at 490/s that was most of the p99.
    """
    pauses: list[float] = []
    started = 0.0

    def timed(phase: str, _: dict[str, int]) -> None:
        nonlocal started
        if phase == "start":
            started = time.perf_counter()
        else:
            pauses.append((time.perf_counter() - started) * 1000)

    gc.collect()
    gc.freeze()
    gc.callbacks.append(timed)
    try:
        result: Result = asyncio.run(coroutine)  # type: ignore[arg-type]
    finally:
        gc.callbacks.remove(timed)
        gc.unfreeze()
    result.gc_pause_ms = max(pauses, default=0.0)
    return result
