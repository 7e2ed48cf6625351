"""The README's demo command: migrates, seeds, serves web + worker + scheduler, and stops cleanly."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil

from tests.harness import free_port
from web.demo.county import DEMO_PASSWORD


def _wait_for(url: str, process: subprocess.Popen, seconds: float = 180) -> None:  # migrate, seed and train first
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"demo exited early:\n{process.stdout.read()}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} did not come up")


def _redis_servers_under(directory: Path) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["name", "cmdline", "cwd"]):
        try:
            text = " ".join(process.info["cmdline"] or []) + " " + (process.info["cwd"] or "")
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        if "redis" in (process.info["name"] or "") and str(directory) in text:
            found.append(process)
    return found


def test_demo_runs_everything_and_ctrl_c_leaves_nothing_behind(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["HOTLINE_VAR_DIR"] = str(tmp_path / "var")
    executable = shutil.which("hotline12345", path=str(Path(sys.executable).parent))
    demo = subprocess.Popen([executable, "demo", "--port", str(port), "--days", "1", "--per-day", "6"],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for(f"{base}/health", demo)
        login = httpx.post(f"{base}/api/auth/login", json={"username": "commander", "password": DEMO_PASSWORD})
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        tickets = httpx.get(f"{base}/api/tickets", headers=headers).json()
        assert len(tickets) >= 6
        assert _redis_servers_under(tmp_path), "the embedded Redis should be running under var/"
        children = psutil.Process(demo.pid).children(recursive=True)
        direct = [" ".join(c.cmdline()) for c in psutil.Process(demo.pid).children()]
        roles = sorted(cmd.split("web.cli", 1)[1].strip() for cmd in direct if "web.cli" in cmd)
        assert roles == ["scheduler", "worker", "worker --training"]  # routing, training (its own queue), cron
        assert any("uvicorn" in cmd for cmd in direct)
    finally:
        demo.send_signal(signal.SIGINT)
        output, _ = demo.communicate(timeout=60)
    assert demo.returncode == 0, output
    assert "已停止" in output
    time.sleep(0.5)
    assert _redis_servers_under(tmp_path) == []
    assert all(not c.is_running() or c.status() == psutil.STATUS_ZOMBIE for c in children)
