"""HTTP and websocket endpoints of the command center, and the plugins and lifespan hooks they need."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ROUTES: list[Any] = []
ON_STARTUP: list[Callable[..., Any]] = []
ON_SHUTDOWN: list[Callable[..., Any]] = []


def plugins() -> list[Any]:
    return []
