"""Runs the whole service as child processes: web server(s), RQ workers and one scheduler.

A child that dies (a worker killed mid-job, say) is started again; SIGINT or SIGTERM stops them all.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from web.process import UVICORN_FLAGS

RESTART_PAUSE = 1.0


def give_way(nice: int) -> None:
    """Lower this process's CPU priority: background jobs yield to the requests operators and citizens wait on.

    Linux puts every session in a scheduling group of its own, and a process's nice value counts only inside its
    group; each child here runs in its own session, so the group's nice is set as well (raising it needs no
    privilege). Measured: intake 150 -> 240 tickets/s with the workers giving way (docs/BENCHMARKS.md).
    """
    if nice <= 0:
        return
    os.nice(nice)
    with contextlib.suppress(OSError):  # not Linux, or no autogroup: the plain nice value does it
        Path("/proc/self/autogroup").write_text(str(nice))


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen[bytes] | None = None
    restarts: int = 0


@dataclass
class Stack:
    env: dict[str, str]
    children: list[Child] = field(default_factory=list)
    stopping: bool = False

    @classmethod
    def of(cls, *, host: str, port: int, web_workers: int, rq_workers: int, env: dict[str, str],
           training_workers: int = 1) -> Stack:
        python = sys.executable
        stack = cls(env=env)
        stack.children.append(Child("web", [python, "-m", "uvicorn", "web.app:create_app", "--factory",
                                            "--host", host, "--port", str(port), "--workers", str(web_workers),
                                            "--no-access-log", "--timeout-graceful-shutdown", "10",
                                            "--http", "web.slow_clients:BoundedHttpToolsProtocol",  # slow clients: 408
                                            "--ws-per-message-deflate", "false",  # see docs/board.md
                                            *UVICORN_FLAGS]))  # X-Forwarded-For: hotline/client_address.py
        stack.children += [Child(f"worker-{i + 1}", [python, "-m", "web.cli", "worker"]) for i in range(rq_workers)]
        # training has its own queue and worker: a retrain never stands in front of routing (web/cli.py)
        stack.children += [Child(f"trainer-{i + 1}", [python, "-m", "web.cli", "worker", "--training"])
                           for i in range(training_workers)]
        stack.children.append(Child("scheduler", [python, "-m", "web.cli", "scheduler"]))
        return stack

    def start(self, child: Child) -> None:
        """Each child leads its own process group, so stopping it also stops whatever it forked."""
        child.process = subprocess.Popen(child.argv, env=self.env, start_new_session=True)

    def run(self) -> None:
        """Start everything, restart what dies, return once asked to stop and everything has ended."""
        previous = {sig: signal.signal(sig, self._request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            for child in self.children:
                self.start(child)
            while not self.stopping:
                time.sleep(0.5)
                for child in self.children:
                    if child.process is not None and child.process.poll() is not None and not self.stopping:
                        # whatever it forked (an RQ worker's scheduler process) must not outlive it, orphaned
                        _signal_group(child.process.pid, signal.SIGKILL)
                        print(f"{child.name} 退出（代码 {child.process.returncode}），{RESTART_PAUSE:.0f} 秒后重启",
                              flush=True)
                        time.sleep(RESTART_PAUSE)
                        child.restarts += 1
                        self.start(child)
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _request_stop(self, *_: object) -> None:
        self.stopping = True

    def stop(self, timeout: float = 20) -> None:
        self.stopping = True
        for child in self.children:
            if child.process is not None:
                _signal_group(child.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for child in self.children:
            if child.process is None:
                continue
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                print(f"{child.name} 未在 {timeout:.0f} 秒内退出，强制结束", flush=True)
            _signal_group(child.process.pid, signal.SIGKILL)  # anything of its group still there
            child.process.wait()


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)


def environment(**extra: str) -> dict[str, str]:
    return {**os.environ, **extra}
