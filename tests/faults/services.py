"""Private services for the fault tests: a PostgreSQL cluster, a redis-server and the `hotline12345 run` stack.

Each lives in the test's own temporary folder on free loopback ports, so a test may kill, pause or restart it
without touching the machine's shared PostgreSQL (5432) or Redis (6379).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
import psutil

from tests.harness import ROOT, RedisServer, free_port, missing, wait_until


def _pg_bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(Path(p).parts[-3]))
    return found[-1] if found else shutil.which(name)


class PrivatePostgres:
    """A throw-away cluster (initdb) on a free loopback port, fsync off: a test database, not a durable one.

    initdb and postgres refuse to run as root; as root they run as the `postgres` system user (runuser), with the
    cluster directory handed to that user.
    """

    def __init__(self) -> None:
        self.initdb, self.pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
        if not self.initdb or not self.pg_ctl:
            missing("PostgreSQL's initdb and pg_ctl (/usr/lib/postgresql/*/bin)")
        # its own folder under the system temp dir: pytest's are private to root, and postgres must reach this one
        self.root = Path(tempfile.mkdtemp(prefix="hotline-faults-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self.port = free_port()
        self.run_as: list[str] = []
        if os.geteuid() == 0:
            if not shutil.which("runuser"):
                missing("runuser, to run PostgreSQL as the postgres user")
            self.run_as = ["runuser", "-u", "postgres", "--"]

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/hotline"

    def _run(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([*self.run_as, *argv], capture_output=True, text=True, timeout=120)
        if check and result.returncode != 0:
            raise AssertionError(f"{' '.join(argv)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        return result

    def create(self) -> None:
        if self.run_as:
            shutil.chown(self.root, "postgres", "postgres")
        self._run(self.initdb, "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--locale=C", "--no-sync")
        self.start()
        psql = _pg_bin("psql")
        assert psql, "psql not found next to initdb"
        self._run(psql, "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-c", "CREATE DATABASE hotline")

    def start(self) -> None:
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off "
                   "-c full_page_writes=off -c max_connections=300 -c shared_buffers=128MB")
        result = self._run(self.pg_ctl, "-D", str(self.data), "-l", str(self.log), "-o", options, "-w",
                           "-t", "60", "start", check=False)
        if result.returncode != 0:
            raise AssertionError(f"PostgreSQL did not start: {result.stderr}\n{self.log.read_text()[-3000:]}")

    def stop(self, mode: str = "fast") -> None:
        self._run(self.pg_ctl, "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop", check=False)

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


class PrivateRedis(RedisServer):
    """The machine's redis-server (never the embedded one: the faults pause and kill it as a server)."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory, embedded_fallback=False)


def service_env(var_dir: Path, database_url: str, redis_url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("TEST_", "PYTEST"))}
    env.update(DATABASE_URL=database_url, REDIS_URL=redis_url, HOTLINE_VAR_DIR=str(var_dir),
               SECRET_KEY="fault-tests-secret-key-long-enough-for-hs256", PYTHONUNBUFFERED="1",
               # a load generator on one address, not an attack (tests/hostile has those): the per-address limit
               # on public letters (docs/threat-model.md) would refuse all but 10 an hour
               THROTTLE_LETTERS_PER_ADDRESS="1000000/minute")
    return env


def run_python(env: dict[str, str], code: str, timeout: float = 300) -> str:
    """Run a snippet in a fresh interpreter against the private services, as an operator would."""
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=timeout)
    if result.returncode != 0:
        raise AssertionError(f"python -c failed ({result.returncode}):\n{result.stdout[-2000:]}\n"
                             f"{result.stderr[-4000:]}")
    return result.stdout


class RunningStack:
    """`hotline12345 run` as a child process, with its web port in 8800-8899."""

    def __init__(self, directory: Path, env: dict[str, str], *, web_workers: int = 2, rq_workers: int = 2) -> None:
        self.env = env
        self.port = free_port(8800, 8899)
        self.log_path = directory / f"stack-{self.port}.log"
        self.web_workers, self.rq_workers = web_workers, rq_workers
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        executable = shutil.which("hotline12345", path=str(Path(sys.executable).parent))
        assert executable, "the hotline12345 command is not installed in this environment"
        self.process = subprocess.Popen(
            [executable, "run", "--host", "127.0.0.1", "--port", str(self.port), "--web-workers",
             str(self.web_workers), "--rq-workers", str(self.rq_workers)],
            cwd=ROOT, env=self.env, stdout=self.log_path.open("ab"), stderr=subprocess.STDOUT)
        wait_until(self.ready, 180, f"the stack to be ready (see {self.log_path})", 0.3)
        wait_until(lambda: len(self.workers()) == self.rq_workers, 60, "the RQ workers")

    def ready(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise AssertionError(f"the stack exited:\n{self.tail()}")
        return httpx.get(f"{self.base}/ready", timeout=3).status_code == 200

    def tail(self, size: int = 6000) -> str:
        return self.log_path.read_text(errors="replace")[-size:] if self.log_path.exists() else ""

    def children(self) -> list[psutil.Process]:
        assert self.process is not None
        alive = []
        for child in psutil.Process(self.process.pid).children():
            with contextlib.suppress(psutil.Error):
                if child.status() != psutil.STATUS_ZOMBIE:
                    alive.append(child)
        return alive

    def workers(self) -> list[psutil.Process]:
        found = []
        for child in self.children():
            with contextlib.suppress(psutil.Error):
                if child.cmdline()[-1:] == ["worker"]:
                    found.append(child)
        return found

    def stop(self) -> int:
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else 0
        descendants = {p.pid for p in psutil.Process(self.process.pid).children(recursive=True)}
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        for pid in descendants:  # anything the stack failed to stop (it should have stopped them all)
            with contextlib.suppress(psutil.Error):
                process = psutil.Process(pid)
                if process.status() != psutil.STATUS_ZOMBIE:
                    process.kill()
        return self.process.returncode
