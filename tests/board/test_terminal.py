"""The terminal client, the reference client of the stream, against a real web process."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

from tests.board.conftest import ROOT, Board, newest_event_id, wait_until


def _start(board: Board, *args: str) -> tuple[subprocess.Popen[str], list[str]]:
    env = {**os.environ, "HOTLINE_PASSWORD": "demo12345", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-m", "command.terminal", "--server", board.base, *args], cwd=ROOT,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True).start()
    return process, lines


def test_the_terminal_prints_the_snapshot_then_each_event(board: Board):
    process, lines = _start(board, "--user", "auditor", "--count", "2")
    try:
        wait_until(lambda: any("指挥大屏快照" in line for line in lines), 15, f"no snapshot: {lines}")
        first = board.call("请尽快修复路灯，我的电话13912345678")
        second = board.call("噪音扰民", type="report")
        assert process.wait(15) == 0
    finally:
        process.kill()
    text = "".join(lines)
    assert "今日受理 0 件" in text
    events = [line for line in lines if line.startswith("#")]
    assert len(events) == 2
    assert first in events[0] and "受理" in events[0] and "139****5678" in events[0]
    assert second in events[1] and "13912345678" not in text


def test_the_terminal_resumes_after_a_given_event(board: Board):
    first = board.call("第一件")
    seen = newest_event_id()
    second = board.call("第二件")
    time.sleep(0.3)
    process, lines = _start(board, "--user", "commander", "--count", "1", "--after", str(seen), "--json")
    try:
        assert process.wait(15) == 0
    finally:
        process.kill()
    assert '"type":"resumed"' in lines[0] and first not in "".join(lines) and second in lines[1]


def test_a_refused_account_exits_with_a_clear_message(board: Board):
    process, lines = _start(board, "--user", "operator1")
    assert process.wait(15) == 2
    assert "无法登录看板" in "".join(lines)
