"""The wall display in headless Chromium: it loads, shows the numbers, follows the stream, and shows text as text."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests import harness
from tests.board.conftest import Board
from tests.board.test_snapshot import _follow_through
from tests.board.wall import open_wall

HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture
def chromium():
    with harness.chromium() as browser:
        yield browser


def test_the_wall_display_follows_the_stream_and_never_renders_text_as_html(board: Board, chromium, artifacts):
    from playwright.sync_api import expect

    numbers = [board.call(f"第{i + 1}件：小区路灯不亮，电话13912345678", township="城关街道") for i in range(3)]
    for number in numbers[:2]:
        assert board.post(f"/api/tickets/{number}/dispatch", {"category_code": "0107"}).status_code == 200
    _follow_through(numbers[0], "red", -timedelta(days=2, hours=3), ["red_card", "urge", "supervise"], escalation=2)
    _follow_through(numbers[1], "yellow", timedelta(hours=5), ["yellow_card"])
    wall = open_wall(chromium, board.base)
    page, dialogs, errors = wall.page, wall.dialogs, wall.errors
    expect(page.locator("#kpi-intake")).to_have_text("3", timeout=15000)
    assert page.text_content("#kpi-open") == "3"
    assert (page.text_content("#kpi-red"), page.text_content("#kpi-yellow")) == ("1", "1")
    assert "超期 2天3时" in page.text_content("#cards") and "督办" in page.text_content("#supervision")
    assert page.locator("#latest li").count() == 3
    assert "139****5678" in page.text_content("#latest") and "13912345678" not in page.content()
    page.wait_for_selector("#chart-hour .main-svg", timeout=15000)

    number = board.call(HOSTILE)
    expect(page.locator("#kpi-intake")).to_have_text("4", timeout=15000)
    first = page.locator("#latest li").first
    assert number in first.text_content() and HOSTILE in first.text_content()
    assert page.locator("#latest img, #ticker img, img").count() == 0
    assert HOSTILE in page.text_content("#ticker")
    page.wait_for_timeout(500)
    page.screenshot(path=str(artifacts / "board.png"))
    assert dialogs == [] and errors == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 1920
    assert page.evaluate("document.documentElement.scrollHeight") <= 1080
