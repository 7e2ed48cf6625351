"""Knowledge base behind the operator console (work in progress)."""

from __future__ import annotations

from typing import Any

ROUTES: list[Any] = []
