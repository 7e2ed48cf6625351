"""The board's tunables, with defaults that suit one county, each overridable by `BOARD_<FIELD NAME>`.

Every default is written once, on its field below; `load_board_settings` reads the variable for each field and
converts it to the field's type (a bool is off only for "0").
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any, get_type_hints

ENV_PREFIX = "BOARD_"


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
    pass_seconds: int = 30  # lifetime of a one-time websocket pass
    max_connection_seconds: float = 3600.0  # then the client fetches a new pass and resumes
    stream_history: int = 10000  # entries kept in the Redis stream
    tune_gc: bool = True  # freeze start-up objects and collect less often (command/runtime.py)


_PARSE: dict[Any, Callable[[str], Any]] = {float: float, int: int, bool: lambda raw: raw != "0"}


def load_board_settings(environ: Mapping[str, str] = os.environ) -> BoardSettings:
    types = get_type_hints(BoardSettings)
    values = {field.name: _PARSE[types[field.name]](environ[variable]) for field in fields(BoardSettings)
              if (variable := ENV_PREFIX + field.name.upper()) in environ}
    return BoardSettings(**values)


@lru_cache(maxsize=1)
def get_board_settings() -> BoardSettings:
    return load_board_settings()
