"""The benchmark scripts still run, nothing timed: the citizen-lookup benchmark at toy size on SQLite, the
knowledge-search benchmark at its smallest, and the hotspot benchmark at a few hundred tickets.

One size only for the lookup: each size starts the web process afresh, and start-up is most of the run's time.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from web.bench.setup import free_port, redis_server, terminate

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def redis_url(tmp_path: Path):
    port = free_port()
    process = redis_server(port, tmp_path)
    yield f"redis://127.0.0.1:{port}/0"
    terminate(process, timeout=10)


def test_lookup_benchmark_produces_figures(tmp_path: Path, redis_url: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "HOTLINE_VAR_DIR")}
    answer = subprocess.run(
        [sys.executable, "-m", "web.bench.lookup", "--shape", "serve", "--database-url",
         f"sqlite:///{tmp_path / 'bench.db'}", "--redis-url", redis_url, "--var-dir", str(tmp_path / "var"),
         "--port", str(free_port()), "--sizes", "30", "--rate", "20", "--seconds", "0.5"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert answer.returncode == 0, answer.stdout + answer.stderr
    figures = json.loads(answer.stdout.split("figures: ", 1)[1].splitlines()[0])
    assert figures["sizes"] == [30]
    assert figures["non_2xx"] == 0
    assert all(p > 0 for p in figures["p99_ms"])
    assert "ratio lookup p99 30 / 30 tickets: 1.00x" in answer.stdout


def test_knowledge_benchmark_produces_figures() -> None:
    answer = subprocess.run([sys.executable, "-m", "web.bench.knowledge", "--copies", "1", "2", "--rounds", "1"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert answer.returncode == 0, answer.stdout + answer.stderr
    sizes = [int(n) for n in re.findall(r"^ *(\d+) articles: build", answer.stdout, re.MULTILINE)]
    assert len(sizes) == 2 and sizes[1] == 2 * sizes[0] > 0, answer.stdout
    assert f"ratio {sizes[1]}/{sizes[0]} articles: median" in answer.stdout


def test_hotspot_benchmark_produces_figures(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "HOTLINE_VAR_DIR")}
    answer = subprocess.run(
        [sys.executable, "-m", "command.hotspot_bench", "--tickets", "400", "--baseline", "100", "--new", "30",
         "--get-runs", "2", "--database-url", f"sqlite:///{tmp_path / 'hotspots.db'}"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert answer.returncode == 0, answer.stdout + answer.stderr
    figures = json.loads(answer.stdout.split("figures: ", 1)[1].splitlines()[0])
    assert [figures[size]["tickets"] for size in ("baseline", "full")] == [100, 400]
    # the bulk fill and the live place() put the new tickets in the same clusters
    assert figures["baseline"]["agreement"] == figures["full"]["agreement"] == "30/30"
    assert figures["full"]["clusters_of_two_or_more"] > 0 and figures["full"]["place_ms"]["p50"] > 0
    assert "ratio place_ms 400 / 100 tickets" in answer.stdout
