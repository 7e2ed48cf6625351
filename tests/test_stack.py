"""The production shape for real: `hotline12345 run` with two web processes, two RQ workers and a scheduler."""

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

from tests.fixtures import CALL
from tests.harness import free_port, wait_until
from web.demo.county import DEMO_PASSWORD


def _until(check, seconds: float = 60, what: str = "condition"):
    return wait_until(check, seconds, what, interval=0.3)


def _workers(stack: subprocess.Popen) -> list[psutil.Process]:
    """The live RQ workers the stack runs (a killed one lingers as a zombie until the stack reaps it)."""
    alive = []
    for child in psutil.Process(stack.pid).children():
        try:
            if child.status() != psutil.STATUS_ZOMBIE and child.cmdline()[-1:] == ["worker"]:
                alive.append(child)
        except psutil.Error:
            continue
    return alive


def test_run_serves_routes_survives_a_killed_worker_and_stops_on_sigterm(tmp_path):
    from hotline.redis_conn import redis_url
    from hotline.settings import get_settings

    port = free_port()
    env = {**os.environ, "DATABASE_URL": get_settings().database_url, "REDIS_URL": redis_url()}
    executable = shutil.which("hotline12345", path=str(Path(sys.executable).parent))
    log = (tmp_path / "stack.log").open("w")  # a file, not a pipe: no child can block on a full pipe buffer
    stack = subprocess.Popen([executable, "run", "--host", "127.0.0.1", "--port", str(port), "--web-workers", "2",
                              "--rq-workers", "2"], env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _until(lambda: httpx.get(f"{base}/ready", timeout=2).status_code == 200, what="readiness")
        assert len(_until(lambda: len(_workers(stack)) == 2 and _workers(stack), what="two workers")) == 2
        token = httpx.post(f"{base}/api/auth/login", json={"username": "operator1", "password": DEMO_PASSWORD})
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}

        _until(lambda: all(worker.nice() == 10 for worker in _workers(stack)), what="workers giving way to requests")
        victim = _workers(stack)[0]
        victim.kill()  # kill -9: the stack must start another
        _until(lambda: len(_workers(stack)) == 2 and victim.pid not in [w.pid for w in _workers(stack)],
               what="a replacement worker")

        number = httpx.post(f"{base}/api/tickets", headers=headers, json={
            **CALL, "content": "望江花园小区门口的路灯坏了一个多星期，晚上很黑，请城管来修"}).json()["number"]
        httpx.post(f"{base}/api/tickets/{number}/submit", headers=headers)
        ticket = _until(lambda: (t := httpx.get(f"{base}/api/tickets/{number}", headers=headers).json())
                        ["status"] == "pending_sign" and t, what="the ticket to be routed by a worker")
        assert ticket["lead_department"]["name"] == "县城市管理和综合执法局"
        pids = {p.pid for p in psutil.Process(stack.pid).children(recursive=True)}
    finally:
        stack.send_signal(signal.SIGTERM)
        stack.wait(timeout=60)
        log.close()
    output = (tmp_path / "stack.log").read_text()
    assert stack.returncode == 0, output
    assert "已停止" in output
    time.sleep(0.5)
    assert not [pid for pid in pids if psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]
