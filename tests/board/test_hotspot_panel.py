"""The wall's 热点 panel: the hottest clusters in the snapshot, with their counts, and nothing personal.

Figures written down from the tickets below (docs/hotspots.md: heat = tickets + callers + 2 × last 24 h + 3 ×
tickets received after a member was closed), not from the code.
"""

from __future__ import annotations

from datetime import timedelta

import msgspec
import pytest
from sqlalchemy import select, update

from command import hotspots
from command.board import take_snapshot
from command.payloads import Names
from hotline.clock import now
from hotline.database import session_scope
from hotline.models import Ticket, TicketEvent
from tests import harness
from tests.board.conftest import Board
from tests.board.wall import open_wall

MIXER = [  # 城关街道 丽景小区 搅拌站夜间噪音 (0303): two callers, the first twice, one of them saying who they are
    ("13900000001", "刘秀英", "来电人反映丽景小区北边围墙外面那个搅拌站，这几天晚上十一点多了还在搞，搅拌机轰轰响，罐车进进出出按喇叭"),
    ("13900000002", "欧阳秀兰", "我叫欧阳秀兰，电话13900000002，丽景小区7栋住户，后面搅拌站晚上又开工了，声音特别大，窗户关着都听得到"),
    ("13900000001", "刘秀英", "来电人再次反映丽景小区北面搅拌站夜间噪声问题，今晚23点仍在作业，罐车排队，已经是第二次反映"),
]
LIGHTS = [  # 白沙镇 龙潭村 路灯不亮 (0107): five callers, three days ago
    ("13900000021", "张德明", "白沙镇龙潭村从村部到龙潭桥那一段路的路灯有十几盏不亮，已经一个多月了，晚上走路看不见"),
    ("13900000022", "李桂芳", "龙潭村龙潭桥边上的路灯坏了好久了，晚上黑漆漆的，村民骑车摔过好几次"),
    ("13900000023", "王志强", "反映白沙镇龙潭村路灯不亮的问题，村部到龙潭桥这段路灯一盏都不亮"),
    ("13900000024", "赵淑珍", "龙潭村的路灯到底什么时候修？龙潭桥那边天黑就看不见路了，路灯全坏了"),
    ("13900000025", "陈国华", "白沙镇龙潭村龙潭桥附近路灯全部不亮，小孩晚上放学回家很危险"),
]
ALONE = ("13900000031", "孙丽", "江南街道滨江花园小区今天停水了，也没有提前通知，做饭都没水")
UNIT = "县城市管理和综合执法局"  # the demo county's lead unit for 0303 and 0107 (web/demo/county.py)


def _call(api, phone: str, name: str, content: str, category: str, township: str, village: str | None,
          address: str) -> str:
    response = api.post("/api/tickets", json={"content": content, "caller_phone": phone, "caller_name": name,
                                              "township": township, "village": village, "address": address,
                                              "type": "complaint"})
    assert response.status_code == 201, response.text
    number = response.json()["number"]
    dispatched = api.post(f"/api/tickets/{number}/dispatch", json={"category_code": category})
    assert dispatched.status_code == 200, dispatched.text
    return number


def mixer_call(api, phone: str, name: str, content: str) -> str:
    return _call(api, phone, name, content, "0303", "城关街道", "新华社区", "建设路丽景小区")


def _received(number: str, at, closed_at=None) -> None:
    """When the ticket came in (and was closed): what the clusters' figures count by."""
    with session_scope() as session:
        session.execute(update(Ticket).where(Ticket.number == number).values(created_at=at, closed_at=closed_at))


def _newest_id() -> int:
    with session_scope() as session:
        return session.scalar(select(TicketEvent.id).order_by(TicketEvent.id.desc()).limit(1)) or 0


def test_the_snapshot_lists_the_hottest_clusters_with_their_figures_and_nothing_personal(operator):
    start = now().replace(microsecond=0)
    mixer = [mixer_call(operator, *call) for call in MIXER]
    lights = [_call(operator, *call, "0107", "白沙镇", "龙潭村", "龙潭桥") for call in LIGHTS]
    alone = _call(operator, *ALONE, "0201", "江南街道", None, "滨江花园小区")
    # the noise: 2 h, 1 h and 30 min ago; the first was closed after 30 min, so the two after it are repeats
    _received(mixer[0], start - timedelta(hours=2), closed_at=start - timedelta(hours=1, minutes=30))
    _received(mixer[1], start - timedelta(hours=1))
    _received(mixer[2], start - timedelta(minutes=30))
    for i, number in enumerate(lights):  # three days ago, ten minutes apart
        _received(number, start - timedelta(days=3) + timedelta(minutes=10 * i))
    _received(alone, start - timedelta(hours=3))
    assert hotspots.sweep() == 9

    snapshot = take_snapshot(_newest_id(), now(), Names())
    spots = snapshot.board.hotspots
    # the noise is smaller but hotter: 3 tickets + 2 callers + 2 × 3 of the last day + 3 × 2 repeats = 17;
    # the lights: 5 + 5 callers + 0 + 0 = 10; the lone water cut is no hotspot
    assert [(s.township, s.tickets, s.callers, s.last_day, s.repeats, s.heat) for s in spots] == [
        ("城关街道", 3, 2, 3, 2, 17), ("白沙镇", 5, 5, 0, 0, 10)]
    noise, lights_spot = spots
    assert (noise.first_at, noise.last_at) == (start - timedelta(hours=2), start - timedelta(minutes=30))
    assert (lights_spot.first_at, lights_spot.last_at) == (start - timedelta(days=3),
                                                           start - timedelta(days=3) + timedelta(minutes=40))
    assert noise.units == [UNIT] and lights_spot.units == [UNIT]
    assert "搅拌" in noise.name and "路灯" in lights_spot.name, (noise.name, lights_spot.name)

    panel = msgspec.json.encode(spots).decode()
    wall = msgspec.json.encode(snapshot).decode()
    for secret in ("刘秀英", "欧阳秀兰", "13900000", "轰轰响", "窗户关着", "黑漆漆", *mixer, *lights, alone):
        assert secret not in panel, secret
    for secret in ("刘秀英", "欧阳秀兰", "张德明", "13900000"):
        assert secret not in wall, secret


def test_a_merged_cluster_leaves_the_panel_and_its_tickets_count_in_the_survivor(operator, commander):
    numbers = [mixer_call(operator, *call) for call in MIXER]
    assert hotspots.sweep() == 3
    [spot] = take_snapshot(_newest_id(), now(), Names()).board.hotspots
    split = commander.post(f"/api/hotspots/{spot.id}/split", json={"numbers": numbers[2:]})
    assert split.status_code == 200, split.text
    assert [s.tickets for s in take_snapshot(_newest_id(), now(), Names()).board.hotspots] == [2]  # one alone is none
    merged = commander.post(f"/api/hotspots/{spot.id}/merge", json={"other": split.json()["id"]})
    assert merged.status_code == 200, merged.text
    after = take_snapshot(_newest_id(), now(), Names()).board.hotspots
    assert [(s.id, s.tickets, s.callers) for s in after] == [(spot.id, 3, 2)]


@pytest.fixture
def chromium():
    with harness.chromium() as browser:
        yield browser


def _board_call(board: Board, phone: str, name: str, content: str, township: str = "城关街道",
                village: str | None = "新华社区", address: str = "建设路丽景小区", category: str = "0303") -> str:
    number = board.call(content, caller_phone=phone, caller_name=name, township=township, village=village,
                        address=address)
    assert board.post(f"/api/tickets/{number}/dispatch", {"category_code": category}).status_code == 200
    return number


def test_the_wall_shows_the_hotspot_and_its_count_and_follows_the_sweep(board: Board, chromium, artifacts):
    from playwright.sync_api import expect

    for call in MIXER:
        _board_call(board, *call)
    assert hotspots.sweep() == 3
    [spot] = take_snapshot(_newest_id(), now(), Names()).board.hotspots
    wall = open_wall(chromium, board.base)
    page, errors = wall.page, wall.errors

    first = page.locator("#hotspots li").first
    expect(first).to_contain_text("3件", timeout=15000)
    assert page.locator("#hotspots li").count() == 1
    assert first.locator(".spot-name").text_content() == spot.name and "搅拌" in spot.name
    assert "城关街道" in first.text_content() and "2人来电" in first.text_content()
    assert "近24小时 +3" in first.text_content() and "热度 11" in first.text_content()  # 3 + 2 + 2 × 3
    name_box = first.locator(".spot-name")
    assert name_box.evaluate("node => node.scrollWidth <= node.clientWidth"), "the name is cut off"
    room = page.locator("#hotspots").evaluate("node => node.clientHeight")
    assert first.bounding_box()["height"] * 8 <= room, "eight hotspots do not fit the panel"
    assert "本月诉求类别 TOP10" in page.text_content("main") and "本月热点诉求" not in page.text_content("main")

    # a fourth caller; the sweep places it; the next event's refreshed snapshot brings it to the wall
    _board_call(board, "13900000004", "周建华", "凌晨一点了，丽景小区后面的搅拌站还在转，罐车一趟一趟的，到底有没有人管")
    assert hotspots.sweep() == 1
    board.call(ALONE[2], caller_phone=ALONE[0], caller_name=ALONE[1], township="江南街道", village=None,
               address="滨江花园小区")
    expect(first).to_contain_text("4件", timeout=15000)
    assert "3人来电" in first.text_content() and "热度 15" in first.text_content()  # 4 + 3 + 2 × 4
    expect(page.locator("#kpi-intake")).to_have_text("5")

    page.wait_for_timeout(500)
    page.screenshot(path=str(artifacts / "board-hotspots.png"))
    content = page.content()
    for secret in ("刘秀英", "欧阳秀兰", "周建华", "13900000", "轰轰响"):
        assert secret not in page.text_content("#hotspots"), secret
    assert "刘秀英" not in content and "13900000001" not in content
    assert errors == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 1920
    assert page.evaluate("document.documentElement.scrollHeight") <= 1080
