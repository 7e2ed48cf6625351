"""The wall at every size a command center hangs (issue 22): it fills the screen, no panel is cut, text grows with
the wall, 最新工单 is newest first with its date and time, 督办 shows whole rows, the hourly axis counts in whole
numbers. Expected times are written from the seeded tickets, in Beijing time, not read from the page's code."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from hotline.clock import now
from hotline.database import session_scope
from hotline.models import Ticket
from tests import harness
from tests.board.conftest import Board
from tests.board.test_snapshot import _follow_through
from tests.board.wall import open_wall
from tests.pages.conftest import UNCLIPPED_SCRIPT, WALLS

SIZES = (*WALLS, {"width": 1440, "height": 900})
SHANGHAI = ZoneInfo("Asia/Shanghai")
ROWS_INSIDE = """(selector) => {
  const list = document.querySelector(selector);
  const bottom = list.getBoundingClientRect().bottom - parseFloat(getComputedStyle(list).paddingBottom);
  return [...list.children].map((li) => li.getBoundingClientRect().bottom <= bottom + 0.5);
}"""


@pytest.fixture
def chromium():
    with harness.chromium() as browser:
        yield browser


def _seed(board: Board) -> list:
    """Twenty tickets filed over the last days (eight of them today), ten 督办/升级 on ten of them."""
    start = now().replace(second=0, microsecond=0)
    filed = []
    for i in range(20):
        number = board.call(f"第{i + 1}件：小区门口路灯不亮，晚上很黑", township="城关街道")
        at = start - timedelta(minutes=7 * i) if i < 8 else start - timedelta(days=i - 6, hours=i % 5, minutes=13 * i)
        with session_scope() as session:
            session.execute(update(Ticket).where(Ticket.number == number).values(created_at=at))
        filed.append((number, at))
    for number, _ in filed[:10]:
        assert board.post(f"/api/tickets/{number}/dispatch", {"category_code": "0107"}).status_code == 200
        _follow_through(number, "red", -timedelta(days=1), ["red_card", "urge", "escalate"], escalation=3)
    return filed


def test_the_wall_fills_every_screen_with_whole_rows_and_dated_newest_first_tickets(board: Board, chromium,
                                                                                    artifacts):
    from playwright.sync_api import expect

    filed = _seed(board)
    expected = [at.astimezone(SHANGHAI).strftime("%m-%d %H:%M") for _, at in sorted(filed, key=lambda f: f[1],
                                                                                   reverse=True)]
    text_size = {}
    for size in SIZES:
        width, height = size["width"], size["height"]
        wall = open_wall(chromium, board.base, width, height)
        page = wall.page
        expect(page.locator("#kpi-red")).to_have_text("10", timeout=15000)
        page.wait_for_selector("#chart-hour .ytick text", timeout=15000)
        page.wait_for_timeout(300)  # the last scheduled render
        page.screenshot(path=str(artifacts / f"board-{width}x{height}.png"))
        where = f"{width}x{height}"

        assert page.evaluate("document.documentElement.scrollWidth") <= width, where
        assert page.evaluate("document.documentElement.scrollHeight") <= height, where
        for box in page.locator(".panel, header, .kpis, footer").evaluate_all(
                "nodes => nodes.map((n) => n.getBoundingClientRect().toJSON())"):
            assert box["left"] >= 0 and box["top"] >= 0, (where, box)
            assert box["right"] <= width + 0.5 and box["bottom"] <= height + 0.5, (where, box)
        clipped = page.evaluate(UNCLIPPED_SCRIPT, ".panel, .list, .hotspots, .kpis, .tile, header, footer, #ticker")
        assert clipped == [], (where, clipped)

        shown = [t.strip() for t in page.locator("#latest li .when").all_text_contents()]
        assert len(shown) >= 3, (where, shown)
        assert all(re.fullmatch(r"\d\d-\d\d \d\d:\d\d", t) for t in shown), (where, shown)
        assert shown == expected[:len(shown)], where  # newest first, each with its date

        supervision = page.evaluate(ROWS_INSIDE, "#supervision")
        assert 2 <= len(supervision) < 10 and all(supervision), (where, supervision)  # the snapshot has 10
        assert all(page.evaluate(ROWS_INSIDE, "#cards")) and all(page.evaluate(ROWS_INSIDE, "#latest")), where

        ticks = [t.strip() for t in page.locator("#chart-hour .ytick text").all_text_contents()]
        assert len(ticks) >= 2 and all(re.fullmatch(r"\d+", t) for t in ticks), (where, ticks)
        assert len(set(ticks)) == len(ticks), (where, ticks)

        text_size[width, height] = page.locator("#latest li .text").first.evaluate(
            "node => parseFloat(getComputedStyle(node).fontSize)")
        assert wall.errors == [] and wall.dialogs == [], (where, wall.errors)
        page.context.close()
    assert text_size[3840, 2160] > 2 * text_size[1366, 768], text_size
