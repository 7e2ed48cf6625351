"""How a refused or failed request is logged: a 4xx is one INFO line without a traceback, a 5xx an ERROR with one.

Why: an anonymous client can send wrong query codes, unknown paths and invalid actions as fast as it likes; with a
traceback at ERROR for each (Litestar's default for exceptions that carry no status code of their own, such as our
domain errors) it could flood the log and bury the errors that are ours. The level follows the status the client
actually got, read as the answer starts, so every exception handler, the app's and the Open311 router's alike,
is covered by one rule. A service outage (503) is logged by web/outage.py, once per request, without a traceback.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from litestar.types import Message, Scope

from web.request_checks import CONTROL

log = logging.getLogger("web.answers")
_RAISED = "hotline.raised"  # the scope key where the exception waits for its answer's status


def _printable(path: str) -> str:
    """A path as the client sent it, with control characters escaped: a newline must not start a forged line."""
    return CONTROL.sub(lambda found: f"\\x{ord(found.group()):02x}", path)


def remember_exception(logger: Any, scope: Scope, _traceback: list[str]) -> None:
    """Litestar's `exception_logging_handler`: called while the exception is handled, before its answer exists."""
    exc = sys.exc_info()[1]
    if scope["type"] == "http":
        scope[_RAISED] = exc  # type: ignore[literal-required]
    else:  # a websocket has no status to wait for: whatever escaped its handler is ours
        logger.error("websocket %s failed", _printable(scope["path"]), exc_info=exc)


async def log_answer(message: Message, scope: Scope) -> None:
    """A `before_send` hook: one line per 4xx or 5xx answer, at the level its status deserves."""
    if message["type"] != "http.response.start" or (status := message["status"]) < 400:
        return
    exc = scope.pop(_RAISED, None)  # type: ignore[misc]
    what = type(exc).__name__ if exc is not None else "answer"
    method, path = scope.get("method", ""), _printable(scope["path"])
    if status < 500:
        log.info("%s %s %s %s", method, path, status, what)
    elif exc is not None:
        log.error("%s %s %s %s", method, path, status, what, exc_info=exc)
