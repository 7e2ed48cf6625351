"""Importing history does not flood the big screen: a real web process relays past the import events, and the
live call recorded right after the import is the next frame a connected board gets."""

from __future__ import annotations

import asyncio
import csv
from collections.abc import Iterator

import pytest

from tests.board.conftest import SHARED_BOARD_ENV, Board, WebProcess, next_events, next_frame, quiet, settled_snapshot
from web.history_file import run

ROWS = 1500


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[WebProcess]:
    process = WebProcess(tmp_path_factory.mktemp("history-board"), **SHARED_BOARD_ENV)
    process.start()
    yield process
    process.stop()


def test_a_board_sees_the_live_call_after_an_import_and_no_import_event(server, tmp_path):
    board = Board(server.url)
    asyncio.run(settled_snapshot(board))
    path = tmp_path / "history.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["工单编号", "受理时间", "诉求内容", "分类"])
        writer.writerows([f"HB-{i:05d}", "2025-03-01 10:00", f"旧系统第{i}件", "0107"] for i in range(ROWS))

    async def scenario():
        async with board.connect() as ws:
            snapshot = await next_frame(ws)
            assert snapshot["type"] == "snapshot"
            assert await asyncio.to_thread(run, str(path), batch_size=300) == 0
            number = await asyncio.to_thread(board.call, "历史导入之后的第一通来电")
            first = await next_events(ws, 1)
            return number, first, await quiet(ws, 1.5)

    number, first, later = asyncio.run(scenario())
    assert [(e["ticket"], e["action"]) for e in first] == [(number, "receive")]
    assert later == []

    async def fresh():
        async with board.connect() as ws:
            return await next_frame(ws)

    snapshot = asyncio.run(fresh())
    assert [t["ticket"] for t in snapshot["board"]["latest"]] == [number]
