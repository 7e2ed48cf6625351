"""What a person reads in `hotline12345 board`: the snapshot once, and state moves in Chinese, against a live app.

The shared board server resends its snapshot every second (BOARD_REFRESH_SECONDS=1); an unchanged one must not be
printed again.
"""

from __future__ import annotations

import re
import time

from command.terminal import describe_event
from tests.board.conftest import Board, wait_until
from tests.board.test_terminal import _start


def test_the_snapshot_is_printed_once_and_moves_read_in_chinese(board: Board):
    process, lines = _start(board, "--user", "commander", "--count", "2")
    try:
        wait_until(lambda: any("指挥大屏快照" in line for line in lines), 15, f"no snapshot: {lines}")
        time.sleep(3.5)  # three refreshes of the same snapshot come and go
        assert sum("指挥大屏快照" in line for line in lines) == 1, lines
        number = board.call("城关街道望江花园路灯不亮")
        response = board.post(f"/api/tickets/{number}/dispatch", {"category_code": "0107"})
        assert response.status_code == 200, response.text
        assert process.wait(15) == 0
    finally:
        process.kill()
    events = [line for line in lines if line.startswith("#")]
    assert len(events) == 2, lines
    assert number in events[0] and "新→已受理" in events[0]
    assert number in events[1] and "已受理→待签收" in events[1]
    assert not re.search(r"[a-z_]+→|→[a-z_]+", "".join(events)), events


def test_a_step_that_moves_no_state_shows_no_arrow():
    line = describe_event({"id": 7, "at": "2026-12-07T09:30:00+08:00", "ticket": "2026120700001",
                           "action_label": "备注", "status_label": "办理中", "from_status": "in_progress",
                           "to_status": "in_progress", "summary": "已联系路灯所"})
    assert line == "#7 09:30:00 2026120700001 备注 办理中 | 已联系路灯所"
