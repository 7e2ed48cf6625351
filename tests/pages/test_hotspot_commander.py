"""The commander's 热点 section in Chromium: two clusters of one KTV's night noise (filed under 噪声扰民 and under
文化体育, so the rule keeps them apart), seen in the list, opened, merged, split, 督办 and refused, then checked
against the API.

Expected, written before the run: the 噪声 cluster holds four tickets from three callers (one caller twice, the
fourth not yet dispatched), the 文化 cluster two from two; merged, six from five. Four of the six are dispatched,
so 督办 reaches those four and skips the undispatched one with the API's reason, after one was split off.
"""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from command import hotspots
from hotline.clock import local, now
from tests.pages.conftest import run_jobs

PLACE = {"township": "城关街道", "village": "新华社区", "address": "滨河路金色年华KTV"}
NOISE = [  # (phone, content, dispatched under 噪声扰民)
    ("13900000101", "滨河路金色年华KTV每天晚上唱到凌晨两三点，音响声音特别大，楼上住户根本睡不着", True),
    ("13900000102", "我家就在滨河路金色年华KTV楼上，晚上噪音太大了，低音炮震得窗户响，希望管一管", True),
    ("13900000103", "滨河路那家金色年华KTV半夜还在放音乐，噪音扰民好几个月了，小孩第二天要上学", True),
    ("13900000101", "再次反映滨河路金色年华KTV夜间噪音，昨晚又唱到凌晨三点，上次反映后没有任何改变", False),
]
CULTURE = [  # the same KTV as an entertainment venue: another catalogue group, so another cluster
    ("13900000104", "滨河路金色年华KTV营业到凌晨，娱乐场所不是有营业时间规定吗，音乐声很大"),
    ("13900000105", "举报滨河路金色年华KTV深夜经营扰民，音乐声很大，请文化部门查一查"),
]


def _tickets(staff) -> tuple[list[str], list[str]]:
    operator = staff("operator1")
    noise, culture = [], []
    for phone, content, dispatched in NOISE:
        number = operator.call(content, caller_phone=phone, **PLACE)["number"]
        if dispatched:
            operator.act(number, "dispatch", {"category_code": "0303"})
        noise.append(number)
    for phone, content in CULTURE:
        number = operator.call(content, caller_phone=phone, **PLACE)["number"]
        operator.act(number, "dispatch", {"category_code": "1402"})
        culture.append(number)
    run_jobs()  # routing gives the undispatched one its category
    assert hotspots.sweep() == 6
    return noise, culture


def _row(page, spot_id: int):
    return page.locator(f"#hotspot-table tr[data-id='{spot_id}']")


def test_the_commander_reads_merges_splits_and_supervises_hotspots(open_page, staff):
    noise, culture = _tickets(staff)
    commander = staff("commander")
    listed = {h["size"]: h for h in commander.get("/api/hotspots").json()}
    assert sorted(listed) == [2, 4]
    noise_id, culture_id = listed[4]["id"], listed[2]["id"]
    assert (listed[4]["callers"], listed[2]["callers"]) == (3, 2)
    skipped_status = commander.get(f"/api/tickets/{noise[3]}").json()["status"]
    assert skipped_status in {"pending_dispatch", "received"}, skipped_status  # not auto-dispatched: it is skipped

    web = open_page({"width": 1366, "height": 900})
    page = web.goto("/commander#hotspots")
    web.login("commander")
    expect(page.locator("#count-hotspots")).to_have_text("2")
    rows = page.locator("#hotspot-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_have_attribute("data-id", str(noise_id))  # hottest first: 4 + 3 + 2×4 against 2 + 2 + 2×2
    row = _row(page, noise_id)
    for cell, text in (("size", "4"), ("callers", "3"), ("last-day", "4"), ("repeats", "0"), ("heat", "15")):
        expect(row.locator(f"td.{cell}")).to_have_text(text)
    expect(row).to_contain_text("城关街道")
    expect(row.locator("td.name")).to_have_text(listed[4]["name"])
    expect(row.locator("td.units")).to_have_text("县城市管理和综合执法局")
    expect(_row(page, culture_id).locator("td.heat")).to_have_text("8")
    web.fits(1366)
    web.shot("commander-hotspots")

    row.locator(f"button[name=open-hotspot-{noise_id}]").click()
    tickets = page.locator("#hotspot-tickets tbody tr")
    expect(tickets).to_have_count(4)
    first = page.locator(f"#hotspot-tickets tr[data-number='{noise[0]}']")
    expect(first.locator("a")).to_have_attribute("href", f"/commander/tickets/{noise[0]}")
    expect(first).to_contain_text("金色年华KTV")
    expect(first.locator("td.unit")).to_have_text("县城市管理和综合执法局")
    expect(page.locator(f"#hotspot-tickets tr[data-number='{noise[3]}'] td.unit")).to_have_text("未派单")
    expect(page.locator("#hotspot-tickets")).not_to_contain_text("13900000")  # summaries are masked

    page.select_option("#hotspot-merge-other", str(culture_id))
    page.click("button[name=hotspot-merge]")
    expect(page.locator("#hotspot-figures")).to_contain_text("工单 6 件 · 来电人 5 位")
    expect(tickets).to_have_count(6)
    expect(page.locator("#hotspot-table tbody tr")).to_have_count(1)
    expect(page.locator("#count-hotspots")).to_have_text("1")
    gone = commander.get(f"/api/hotspots/{culture_id}")
    assert gone.status_code == 409 and f"已并入热点 {noise_id}" in gone.json()["detail"]

    page.check(f"input[name=pick-{culture[1]}]")
    page.click("button[name=hotspot-split]")
    expect(page.locator("#hotspot-outcome")).to_contain_text(f"已拆出 {culture[1]}")
    expect(page.locator("#hotspot-figures")).to_contain_text("工单 5 件 · 来电人 4 位")
    expect(_row(page, noise_id).locator("td.size")).to_have_text("5")
    assert [t["number"] for t in commander.get(f"/api/hotspots/{noise_id}").json()["tickets"]] == noise + culture[:1]

    # every ticket chosen: the API refuses to leave the cluster empty, and says so in Chinese
    for number in noise + culture[:1]:
        page.check(f"input[name=pick-{number}]")
    page.click("button[name=hotspot-split]")
    expect(page.locator("#hotspot-split .error-box")).to_have_text("拆分后原热点不能为空：请至少留下一件工单")
    assert commander.get(f"/api/hotspots/{noise_id}").json()["size"] == 5

    page.fill("#hotspot-supervise-message", "金色年华KTV夜间噪音群众反复反映，请三日内联合查处并书面回复")
    page.fill("#hotspot-supervise-days", "3")
    button = page.locator("button[name=hotspot-supervise]")
    button.click()
    expect(page.locator("#hotspot-done")).to_contain_text("已督办 4 件")
    supervised = noise[:3] + culture[:1]
    for number in supervised:
        expect(page.locator("#hotspot-done")).to_contain_text(number)
    skipped = page.locator(f"#hotspot-skipped li[data-number='{noise[3]}']")
    expect(skipped).to_contain_text("不能督办")
    web.shot("commander-hotspot-supervised", full_page=True)
    for number in supervised:
        events = commander.get(f"/api/tickets/{number}").json()["events"]
        assert events[-1]["action"] == "supervise" and "金色年华KTV夜间噪音" in events[-1]["note"], events[-1]
    assert all(e["action"] != "supervise" for e in commander.get(f"/api/tickets/{noise[3]}").json()["events"])


def test_merge_tickets_waits_for_the_answer_and_refusals_are_shown_in_chinese(open_page, staff):
    noise, _ = _tickets(staff)
    web = open_page({"width": 1366, "height": 900})
    page = web.goto("/commander#hotspots")
    web.login("commander")
    spot = staff("commander").get("/api/hotspots").json()[0]["id"]
    page.click(f"button[name=open-hotspot-{spot}]")

    page.click("button[name=hotspot-supervise]")  # nothing written: refused before anything is sent
    expect(page.locator("#hotspot-supervise .error-box")).to_have_text("请填写督办要求")
    page.click("button[name=hotspot-split]")
    expect(page.locator("#hotspot-split .error-box")).to_have_text("请先在上表勾选要拆分出去的工单")

    # 并单 into the first call: held at the network until the buttons are seen waiting, so none can be sent twice
    held = []
    page.route("**/merge-tickets", lambda route: held.append(route))
    page.select_option("#hotspot-merge-tickets-parent", noise[0])
    page.click("button[name=hotspot-merge-tickets]")
    expect(page.locator("#hotspot-actions button[name=hotspot-merge-tickets]")).to_be_disabled()
    expect(page.locator("#hotspot-actions button[name=hotspot-supervise]")).to_be_disabled()
    page.wait_for_function("() => true")  # let the route handler run
    assert len(held) == 1
    held[0].continue_()
    page.unroute("**/merge-tickets")
    expect(page.locator("#hotspot-done")).to_have_text(f"已并单 3 件：{'、'.join(noise[1:])}")
    for number in noise[1:]:
        expect(page.locator(f"#hotspot-tickets tr[data-number='{number}']")).to_contain_text("已并单")
        assert staff("commander").get(f"/api/tickets/{number}").json()["parent_number"] == noise[0]
    page.select_option("#hotspot-merge-tickets-parent", noise[0])
    page.click("button[name=hotspot-merge-tickets]")
    expect(page.locator("#hotspot-merge-tickets .error-box")).to_have_text(
        "热点中没有可并入的工单（都已派出办理、办结或已并单）")

    today = local(now()).date()  # the county's day, as the API reads start and end
    page.fill("#hotspot-history-start", str(today - timedelta(days=100)))
    page.fill("#hotspot-history-end", str(today))
    page.click("button[name=hotspot-history]")
    expect(page.locator("#hotspot-history-form .error-box")).to_have_text("一次最多挖掘 92 天，请缩短日期范围")
    page.fill("#hotspot-history-start", str(today))
    page.fill("#hotspot-history-end", str(today - timedelta(days=1)))
    page.click("button[name=hotspot-history]")
    expect(page.locator("#hotspot-history-form .error-box")).to_have_text("结束日期不能早于开始日期")

    page.fill("#hotspot-history-start", str(today - timedelta(days=6)))
    page.fill("#hotspot-history-end", str(today))
    page.click("button[name=hotspot-history]")
    expect(page.locator("#history-summary")).to_contain_text("工单 6 件，热点 2 个")
    expect(page.locator("#history-table tbody tr")).to_have_count(2)
    expect(page.locator("#history-table tbody tr").first.locator("td.size")).to_have_text("4")
    web.fits(1366)
    web.shot("commander-hotspot-history", full_page=True)
    assert staff("commander").get(f"/api/hotspots/{spot}").json()["size"] == 4  # merged tickets stay members
