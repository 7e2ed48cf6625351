"""The board's tunables, read from the environment once, with defaults that suit one county."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache


def _float(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


@dataclass(frozen=True)
class BoardSettings:
    poll_seconds: float = 0.1  # relay's fallback poll; commits in a web process wake it at once
    gather_seconds: float = 0.05  # after a scan the relay lets events gather this long before the next one
    gap_grace_seconds: float = 5.0  # longest wait for a lower event id still in flight
    mark_seconds: float = 2.0  # an idle relay says where it is this often
    lock_seconds: float = 5.0  # relay leadership lease in Redis
    client_backlog: int = 500  # frames queued for one socket before it is told to resnapshot
    resume_limit: int = 5000  # events a reconnecting client may replay; beyond that it gets a snapshot
    ring_size: int = 2000  # recent frames each web process keeps for quick resumes
    refresh_seconds: float = 10.0  # how often changed aggregates (rates, departments) are pushed again
    ticket_seconds: int = 30  # lifetime of a one-time websocket ticket
    max_connection_seconds: float = 3600.0  # then the client fetches a new ticket and resumes
    stream_history: int = 10000  # entries kept in the Redis stream


def load_board_settings() -> BoardSettings:
    return BoardSettings(
        poll_seconds=_float("BOARD_POLL_SECONDS", 0.1),
        gather_seconds=_float("BOARD_GATHER_SECONDS", 0.05),
        gap_grace_seconds=_float("BOARD_GAP_GRACE_SECONDS", 5.0),
        mark_seconds=_float("BOARD_MARK_SECONDS", 2.0),
        lock_seconds=_float("BOARD_LOCK_SECONDS", 5.0),
        client_backlog=_int("BOARD_CLIENT_BACKLOG", 500),
        resume_limit=_int("BOARD_RESUME_LIMIT", 5000),
        ring_size=_int("BOARD_RING_SIZE", 2000),
        refresh_seconds=_float("BOARD_REFRESH_SECONDS", 10.0),
        ticket_seconds=_int("BOARD_TICKET_SECONDS", 30),
        max_connection_seconds=_float("BOARD_MAX_CONNECTION_SECONDS", 3600.0),
        stream_history=_int("BOARD_STREAM_HISTORY", 10000),
    )


@lru_cache(maxsize=1)
def get_board_settings() -> BoardSettings:
    return load_board_settings()
