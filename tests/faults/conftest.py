"""Fault tests: `hotline12345 run` over a private PostgreSQL and a private redis-server, broken on purpose.

One county for the whole folder (setting it up costs a model training and a minute of CPU): the tests run in
file order, each breaks one thing during its own intake, then checks everything stored so far. The suite's shared
database and Redis are not used here, so the suite-wide fixtures that prepare them are switched off.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field

import psutil
import pytest

from tests.faults.board_stream import StreamFollower
from tests.faults.load import Answer, Intake
from tests.faults.services import (
    ROOT,
    PrivatePostgres,
    PrivateRedis,
    RunningStack,
    service_env,
)


@pytest.fixture(scope="session", autouse=True)
def database() -> Iterator[None]:
    """Overrides the suite's fixture: these tests bring their own database and Redis."""
    yield


@pytest.fixture(autouse=True)
def clean_state() -> Iterator[None]:
    """Overrides the suite's per-test clean-up: the county here lives for the whole folder."""
    yield


SEED = """
from hotline.migrate import upgrade
from hotline.database import session_scope
from web.demo.seed import seed_reference
upgrade()
with session_scope() as session:
    seed_reference(session)
"""


@dataclass
class County:
    pg: PrivatePostgres
    redis: PrivateRedis
    env: dict[str, str]
    stack: RunningStack
    stream: StreamFollower
    intake: Intake
    answers: list[Answer] = field(default_factory=list)

    def orphans(self) -> list[psutil.Process]:
        """Processes of this county's stack that outlived their parent (reparented to init)."""
        found = []
        for process in psutil.process_iter(["ppid", "cmdline"]):
            with contextlib.suppress(psutil.Error):
                if process.info["ppid"] == 1 and "web.cli" in " ".join(process.info["cmdline"] or []) \
                        and process.environ().get("REDIS_URL") == self.redis.url:
                    found.append(process)
        return found


@pytest.fixture(scope="session")
def county(tmp_path_factory: pytest.TempPathFactory) -> Iterator[County]:
    directory = tmp_path_factory.mktemp("faults")
    pg = PrivatePostgres()
    redis_server = PrivateRedis(directory)
    stack: RunningStack | None = None
    stream: StreamFollower | None = None
    try:
        pg.create()
        redis_server.start()
        env = service_env(directory / "var", pg.url, redis_server.url)
        # the schema and the county's reference data, and the routing model, side by side (two cores)
        seed = subprocess.Popen([sys.executable, "-c", SEED], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
        model = subprocess.Popen([sys.executable, "-m", "web.cli", "model"], cwd=ROOT, env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        for name, process in (("seed", seed), ("model", model)):
            output, _ = process.communicate(timeout=300)
            assert process.returncode == 0, f"{name} failed:\n{output.decode(errors='replace')[-4000:]}"
        stream = StreamFollower(redis_server.url)
        stream.start()
        stack = RunningStack(directory, env)
        stack.start()
        intake = Intake(stack.base)
        intake.login()
        yield County(pg, redis_server, env, stack, stream, intake)
    finally:
        if stream is not None:
            stream.stop()
        if stack is not None:
            code = stack.stop()
            print(f"\nstack log: {stack.log_path}")
            assert code == 0, f"the stack did not stop cleanly ({code}):\n{stack.tail()}"
        redis_server.destroy()
        pg.destroy()
