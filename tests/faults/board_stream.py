"""A reader of the board's Redis stream, as a web process's hub reads it, that keeps every frame it saw.

It follows the stream from its first entry, rides out Redis being killed, restarted or paused (reconnecting with
its position), and afterwards tells whether the event frames it saw are exactly the `ticket_event` rows, in id
order, each once.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from dataclasses import dataclass, field

import redis

from command.backend import CHANNEL, KEY_PREFIX

STREAM_KEY = f"{KEY_PREFIX}_{CHANNEL.upper()}"


@dataclass
class Seen:
    id: int
    prev: int
    epoch: int  # how many times the reader had lost Redis when it read this frame


@dataclass
class StreamFollower:
    url: str
    frames: list[Seen] = field(default_factory=list)
    marks: int = 0
    resyncs: list[str] = field(default_factory=list)
    resets: int = 0
    epoch: int = 0  # connection losses so far
    lost_in_crash: int = 0  # frames published, then lost with a killed Redis before this reader read them
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="board-stream-follower", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)

    @property
    def last_id(self) -> int:
        return max((frame.id for frame in self.frames), default=0)

    def _run(self) -> None:
        position = b"0-0"
        client: redis.Redis | None = None
        connected = False
        while not self._stop.is_set():
            try:
                if client is None:
                    client = redis.Redis.from_url(self.url, socket_timeout=2, socket_connect_timeout=1)
                answer = client.xread({STREAM_KEY: position}, count=2000, block=500)
                connected = True
            except (redis.RedisError, OSError):
                if connected:
                    self.epoch += 1
                connected = False
                with contextlib.suppress(Exception):
                    if client is not None:
                        client.close()
                client = None
                time.sleep(0.1)
                continue
            for _key, entries in answer or []:
                for entry_id, fields in entries:
                    position = entry_id
                    self._take(json.loads(fields[b"data"]))
        if client is not None:
            client.close()

    def _take(self, frame: dict) -> None:
        kind = frame.get("type")
        if kind == "event":
            self.frames.append(Seen(frame["id"], frame["prev"], self.epoch))
        elif kind == "mark":
            self.marks += 1
            self.resets += bool(frame.get("reset"))
        elif kind == "resync":
            self.resyncs.append(frame.get("reason", ""))

    def check(self, expected_ids: list[int]) -> list[str]:
        """What is wrong with the stream as seen, compared with the event log's ids (empty: nothing)."""
        problems: list[str] = []
        kept: list[Seen] = []
        seen: set[int] = set()
        late: list[int] = []
        for frame in self.frames:  # as a hub does: a repeat (a new leader re-sending the last few) is dropped
            if frame.id in seen:
                continue
            if kept and frame.id < kept[-1].id:
                late.append(frame.id)  # never seen before, but below what was already seen: out of order
            seen.add(frame.id)
            kept.append(frame)
        if late:
            problems.append(f"{len(late)} events arrived out of order, e.g. {late[:10]}")
        missing = sorted(set(expected_ids) - seen)
        unknown = sorted(seen - set(expected_ids))
        # A frame lost with a killed Redis (published, then the server died before this reader read it) is
        # announced by the next frame's `prev`; the hub fills such holes from the database. Count them apart.
        lost_in_crash: set[int] = set()
        by_id = {frame.id: frame for frame in kept}
        ordered = sorted(expected_ids)
        index = {event_id: i for i, event_id in enumerate(ordered)}
        for event_id in missing:
            later = next((by_id[e] for e in ordered[index[event_id] + 1:] if e in by_id), None)
            earlier = next((by_id[e] for e in reversed(ordered[:index[event_id]]) if e in by_id), None)
            if later is not None and earlier is not None and later.epoch > earlier.epoch and later.prev >= event_id:
                lost_in_crash.add(event_id)
        really_missing = [e for e in missing if e not in lost_in_crash]
        if really_missing:
            problems.append(f"{len(really_missing)} events never reached the stream, e.g. {really_missing[:10]}")
        if unknown:
            problems.append(f"{len(unknown)} events on the stream are not in the log, e.g. {unknown[:10]}")
        if self.resyncs:
            problems.append(f"the relay asked the boards to resnapshot: {self.resyncs[:3]}")
        self.lost_in_crash = len(lost_in_crash)
        return problems
