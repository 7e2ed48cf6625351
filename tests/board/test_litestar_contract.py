"""What the board relies on inside Litestar's Redis streams backend, checked on the installed Litestar.

command/litestar_stream.py is the only code that uses these private names; if an upgrade renames or changes one,
this fails with the name, before a wall display goes dark. Pure: the backend is built on a client that never
connects.
"""

from __future__ import annotations

import asyncio
import inspect
from datetime import timedelta
from typing import Any

import litestar
import pytest
from litestar.channels.backends.redis import RedisChannelsStreamBackend
from redis.asyncio import Redis

from command.backend import ResilientStreamBackend
from command.litestar_stream import PRIVATE_ATTRIBUTES, PRIVATE_METHODS, StreamInternals

VERSION = litestar.__version__
OURS = ("_internals", "_retry", "_down", "_read", "_unavailable", "publish_many")


def _stock() -> RedisChannelsStreamBackend:
    return RedisChannelsStreamBackend(history=7, redis=Redis(), stream_sleep_no_subscriptions=250,
                                      stream_ttl=timedelta(seconds=3), key_prefix="contract")


@pytest.mark.parametrize("name", PRIVATE_ATTRIBUTES)
def test_each_private_attribute_is_still_there(name: str):
    assert hasattr(_stock(), name), f"Litestar {VERSION}: RedisChannelsStreamBackend has no {name} any more"


@pytest.mark.parametrize("name", PRIVATE_METHODS)
def test_each_private_method_is_still_there(name: str):
    method = getattr(RedisChannelsStreamBackend, name, None)
    assert callable(method), f"Litestar {VERSION}: RedisChannelsStreamBackend has no method {name} any more"


def test_the_private_values_mean_what_the_adapter_takes_them_for():
    stock = _stock()
    internals = StreamInternals(stock)
    assert isinstance(internals.redis, Redis)
    assert internals.block_ms == 250
    assert internals.key("board") == "contract_BOARD"  # the key docs/board.md names: hotline:board:stream_BOARD
    assert inspect.iscoroutinefunction(RedisChannelsStreamBackend._get_subscribed_channels)

    async def subscribed() -> list[str]:
        await stock.subscribe(["board"])
        return await internals.subscribed_keys()

    assert asyncio.run(subscribed()) == ["contract_BOARD"]


def test_a_batched_entry_is_written_as_the_stock_publish_writes_it():
    stock = _stock()
    calls: list[dict[str, Any]] = []

    async def script(**call: Any) -> None:
        calls.append(call)

    stock._publish_script = script  # what Litestar's own publish() runs, recorded instead of sent

    async def both() -> None:
        await stock.publish(b"frame", ["board"])
        await StreamInternals(stock).append("the pipeline", "board", b"frame")

    asyncio.run(both())
    stock_call, ours = calls
    assert ours.pop("client") == "the pipeline"
    assert ours == stock_call, f"Litestar {VERSION} publishes with other arguments now: {stock_call}"


@pytest.mark.parametrize("name", OURS)
def test_the_board_backend_adds_no_name_litestar_has_taken(name: str):
    assert not hasattr(_stock(), name), f"Litestar {VERSION} now has {name}: rename ours in command/backend.py"
    assert hasattr(ResilientStreamBackend(history=1, redis=Redis()), name)
