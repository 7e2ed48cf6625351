"""The board's loops back off through redis-py's Retry: the waits they expect, for ever, and only on their errors."""

from __future__ import annotations

import asyncio

import pytest

from command.retry import backoff, retrying


def test_the_wait_starts_at_first_and_doubles_up_to_most():
    wait = backoff(0.1, 2.0)
    assert [wait.compute(failures) for failures in range(1, 8)] == pytest.approx([0.1, 0.2, 0.4, 0.8, 1.6, 2.0, 2.0])


def test_listed_errors_are_retried_until_the_step_succeeds_and_others_go_through():
    failures: list[int] = []

    async def flaky() -> str:
        if len(failures) < 12:  # more than any fixed retry count redis-py would default to
            raise ConnectionError("down")
        return "done"

    async def noted(_: Exception, count: int) -> None:
        failures.append(count)

    async def broken() -> None:
        raise KeyError("not a connection problem")

    retry = retrying((ConnectionError,), backoff(0.0001, 0.0001))
    assert asyncio.run(retry.call_with_retry(flaky, noted, with_failure_count=True)) == "done"
    assert failures == list(range(1, 13))
    with pytest.raises(KeyError):
        asyncio.run(retry.call_with_retry(broken, noted, with_failure_count=True))
