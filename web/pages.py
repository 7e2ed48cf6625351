"""The browser pages the app serves (big screen, consoles, citizen page) and their static files."""

from __future__ import annotations

from typing import Any

ROUTES: list[Any] = []
