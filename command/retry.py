"""Back off and try again, for the board's long-running loops: redis-py's own Retry, retrying for ever.

One `call_with_retry` covers one step of a loop: the wait doubles while that step keeps failing, and the next
step starts again from the shortest wait.
"""

from __future__ import annotations

from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff


def backoff(first: float, most: float) -> ExponentialBackoff:
    """Waits of `first`, twice that, and so on up to `most` seconds (redis-py's is base·2ⁿ after n failures)."""
    return ExponentialBackoff(cap=most, base=first / 2)


def retrying(errors: tuple[type[Exception], ...], wait: ExponentialBackoff) -> Retry:
    """Retry on any of `errors` for as long as it takes; anything else goes through."""
    return Retry(wait, retries=-1, supported_errors=errors)  # type: ignore[arg-type]  # any exception type works
