"""Where the time goes while a step runs: CPU by process kind (from /proc) and what PostgreSQL backends wait on.

`with Observer(database_url) as seen:` around a step; `seen.summary()` then gives the CPU seconds each kind of
process used (web, RQ workers, scheduler, PostgreSQL, Redis, the load generator itself) as a share of the two
cores, and the mean number of the database's backends found in each state (running, waiting on a lock, idle in
a transaction while the app does Python work) over samples taken every 50 ms.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _descendants(root: int | None) -> set[int]:
    """The stack's processes: each child of `hotline12345 run` leads its own session, so follow parent ids."""
    if root is None:
        return set()
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = {root}, [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _kind(pid: int, me: int, stack: set[int], database: str | None) -> str | None:
    """Only this run's processes: the load generator, the stack's process tree, this database's backends."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        name = Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return None
    if pid == me:
        return "load generator"
    if pid in stack:
        if "web.cli worker" in command:
            return "rq workers"
        if "web.cli scheduler" in command:
            return "scheduler"
        if "web.cli run" in command:
            return "supervisor"
        return "web"
    if name.startswith("postgres") and command.startswith("postgres: "):
        if database and f" {database} " in command:
            return "postgres backends"
        if any(w in command for w in ("walwriter", "checkpointer", "background writer", "autovacuum", "wal ")):
            return "postgres server (all databases)"
        return None
    if name.startswith("redis-server"):
        return "redis (whole server)"
    return None


def cpu_ticks(group: int | None = None, database: str | None = None) -> Counter[str]:
    """utime + stime (+ reaped children's, for RQ's forked work horses) per process kind, in clock ticks."""
    me, totals, stack = os.getpid(), Counter[str](), _descendants(group)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        kind = _kind(int(entry.name), me, stack, database)
        if kind is None:
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        totals[kind] += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
    return totals


class Observer:
    def __init__(self, database_url: str | None, group: int | None = None) -> None:
        self.url = database_url if database_url and database_url.startswith("postgresql") else None
        self.group = group
        self.database = self.url.rsplit("/", 1)[1].split("?")[0] if self.url else None
        self.states: Counter[str] = Counter()
        self.samples = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.cpu: Counter[str] = Counter()
        self.seconds = 0.0

    def __enter__(self) -> Observer:
        self._before, self._started = cpu_ticks(self.group, self.database), time.perf_counter()
        if self.url:
            self._thread = threading.Thread(target=self._sample, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.seconds = time.perf_counter() - self._started
        after = cpu_ticks(self.group, self.database)
        self.cpu = Counter({k: after[k] - self._before.get(k, 0) for k in after if after[k] > self._before.get(k, 0)})
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _sample(self) -> None:
        import psycopg

        query = ("SELECT coalesce(wait_event_type, 'CPU') || ':' || coalesce(wait_event, state), state, count(*) "
                 "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
                 "AND backend_type = 'client backend' GROUP BY 1, 2")
        with psycopg.connect(self.url.replace("+psycopg", ""), autocommit=True) as connection:
            while not self._stop.wait(0.05):
                self.samples += 1
                for wait, state, count in connection.execute(query):
                    label = "idle in transaction (app working)" if state == "idle in transaction" else (
                        "idle" if state == "idle" else f"active {wait}")
                    self.states[label] += count

    def summary(self) -> str:
        cores = os.cpu_count() or 1
        cpu = ", ".join(f"{kind} {ticks / TICK / self.seconds / cores * 100:.0f}%"
                        for kind, ticks in self.cpu.most_common())
        line = f"    cpu (share of {cores} cores): {cpu}"
        if self.samples:
            waits = ", ".join(f"{label} {n / self.samples:.1f}" for label, n in self.states.most_common()
                              if label != "idle")
            line += f"\n    postgres backends (mean count): {waits}"
        return line
