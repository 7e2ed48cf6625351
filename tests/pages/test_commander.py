"""The commander's desk in Chromium: the manual dispatch queue, a return overruled, supervision answered from the
workbench, and a duplicate merged."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.pages.conftest import run_jobs

UNSURE = "你好，我想问一下上次说的那个事情现在怎么样了，麻烦帮我看一下。"


def test_the_manual_queue_and_a_return_are_decided_in_the_browser(open_page, staff, live_server):
    import httpx

    letter = httpx.post(f"{live_server}/api/public/letters", json={
        "title": "询问", "content": UNSURE, "phone": "13700137000", "channel": "mailbox"}).json()["number"]
    run_jobs()  # the model is unsure: the letter waits for a person
    operator = staff("operator1")
    returned = operator.call("小区业主群里有人卖假酒")["number"]
    operator.act(returned, "dispatch", {"category_code": "0107"})
    staff("h_cgj").act(returned, "return", {"reason": "售卖假酒属市场监管职责"})

    web = open_page()
    page = web.goto("/commander")
    web.login("commander")
    card = page.locator(f".qcard[data-number='{letter}']")
    expect(card).to_contain_text("需人工确认")
    expect(page.locator("#count-returns")).to_have_text("1")
    web.shot("commander-dispatch")
    card.locator(f"#dispatch-{letter}-category").select_option("1603")
    card.locator(f"button[name=dispatch-{letter}]").click()
    expect(page.locator(f".qcard[data-number='{letter}']")).to_have_count(0)
    assert staff("commander").get(f"/api/tickets/{letter}").json()["status"] == "pending_sign"

    page.click("#nav-returns")
    card = page.locator(f".qcard[data-number='{returned}']")
    expect(card.locator(".reason")).to_contain_text("售卖假酒属市场监管职责")
    web.shot("commander-returns")
    card.locator(f"#force-{returned}-note").fill("食品安全线索先由城管现场核查")
    card.locator(f"button[name=force-{returned}]").click()
    expect(page.locator("#returns .empty")).to_have_text("没有待审核的退单")
    ticket = staff("commander").get(f"/api/tickets/{returned}").json()
    assert ticket["status"] == "in_progress"


def test_supervision_is_issued_and_answered_and_a_duplicate_is_merged(open_page, staff):
    operator = staff("operator1")
    first = operator.call("望江花园小区门口的路灯坏了一个多星期，晚上很黑")["number"]
    operator.act(first, "dispatch", {"category_code": "0107"})
    duplicate = operator.call("望江花园小区门口路灯坏了好多天，晚上黑漆漆的")["number"]

    desk = open_page()
    page = desk.goto("/commander#supervision")
    desk.login("commander")
    page.fill("#supervise-number", first)
    page.fill("#supervise-message", "群众反映强烈，请今天内修复并回复")
    page.click("button[name=supervise]")
    expect(page.locator("#supervision")).to_contain_text("群众反映强烈，请今天内修复并回复")
    desk.shot("commander-supervision")

    page.click("#nav-merge")
    page.fill("#merge-duplicate", duplicate)
    page.fill("#merge-parent", first)
    page.click("button[name=merge]")
    expect(page.locator(".toast").last).to_have_text("已并单")
    assert staff("commander").get(f"/api/tickets/{duplicate}").json()["status"] == "merged"
    desk.shot("commander-merge")

    web = open_page()
    workbench = web.goto("/workbench#notices")
    web.login("h_cgj")
    expect(workbench.locator("#notice-count")).to_have_text("1")
    notice = workbench.locator(".notice").first
    expect(notice).to_contain_text("群众反映强烈")
    web.shot("workbench-notices")
    notice.locator("textarea").fill("已安排维修班组今天下午更换灯具")
    notice.locator("button").click()
    expect(workbench.locator("#notices .empty")).to_have_text("暂无待回复的督办通知")
    page.goto(f"{desk.base}/commander/tickets/{first}")
    expect(page.locator(".timeline")).to_contain_text("已安排维修班组今天下午更换灯具")
    desk.shot("commander-ticket", full_page=True)


def test_the_auto_dispatch_view_shows_each_categorys_precision(open_page):
    """The demo county starts with 297 of 300 confirmed per category: open, 99.0 %, lower bound 97.5 %."""
    web = open_page()
    page = web.goto("/commander#gate")
    web.login("commander")
    row = page.locator("#gate tr[data-code='0107']")
    expect(row).to_contain_text("路灯照明")
    expect(row).to_contain_text("297/300（演示县起始数据）")
    expect(row).to_contain_text("99.0%")
    expect(row).to_contain_text("97.5%")
    expect(row).to_contain_text("自动派单")
    expect(page.locator("#gate-rule")).to_contain_text("核对不少于 30 张")
    web.shot("commander-gate")


def test_a_non_police_matter_handed_back_by_110_goes_back_to_the_queue(open_page, staff):
    operator = staff("operator1")
    number = operator.call("楼上邻居半夜一直在砸东西吵架，我怕出事")["number"]
    operator.act(number, "transfer", {"line": "110"})

    desk = open_page()
    page = desk.goto(f"/commander/tickets/{number}")
    desk.login("commander")
    form = page.locator("#hand-back")
    expect(form).to_contain_text("联动退回（110 非警务）")
    page.fill("#hand-back-reason", "110回复：民警到场核实系装修噪音，属城管执法，非警务")
    desk.shot("commander-hand-back")
    page.click("button[name=hand-back]")
    expect(page.locator("#ticket")).to_contain_text("待派单")
    expect(page.locator("#ticket")).to_contain_text("110回复：民警到场核实系装修噪音")
    ticket = staff("commander").get(f"/api/tickets/{number}").json()
    assert ticket["status"] == "pending_dispatch" and ticket["transferred_to"] is None


LONG_CATEGORY = ("0111", "老旧小区改造和加装电梯")
# how much of a select's box its chosen option's text needs (the arrow takes the rest)
OPTION_FITS = """(select) => {
  const probe = document.createElement("span");
  probe.style.font = getComputedStyle(select).font;
  probe.style.whiteSpace = "nowrap";
  probe.textContent = select.selectedOptions[0].textContent;
  document.body.append(probe);
  const need = probe.offsetWidth;
  probe.remove();
  return { need, room: select.clientWidth - 24 };
}"""


def test_each_card_says_why_it_waits_at_each_workstation(open_page, staff):
    """At 1366×768 and 1920×1080: a low-confidence letter says so, a likely duplicate names the ticket it repeats
    and its merge field holds that number, and a long category name is shown whole in the picker."""
    import httpx

    from tests.pages.conftest import WORKSTATIONS

    operator = staff("operator1")
    unsure = httpx.post(f"{operator.base}/api/public/letters", json={
        "title": "询问", "content": UNSURE, "phone": "13700137001", "channel": "mailbox"}).json()["number"]
    first = operator.call("望江花园小区门口的路灯坏了一个多星期，晚上很黑")["number"]
    operator.act(first, "dispatch", {"category_code": "0107"})
    again = operator.call("望江花园小区门口路灯坏了好多天，晚上黑漆漆的", caller_phone="13900139002")["number"]
    operator.act(again, "submit")
    run_jobs()

    for size in WORKSTATIONS:
        web = open_page(size)
        page = web.goto("/commander")
        web.login("commander")
        low = page.locator(f".qcard[data-number='{unsure}']")
        expect(low.locator(".why")).to_contain_text("需人工确认的原因")
        expect(low.locator(".why")).to_contain_text("置信度")
        twin = page.locator(f".qcard[data-number='{again}']")
        expect(twin.locator(".why")).to_contain_text("疑似重复件")
        expect(twin.locator(".duplicate")).to_contain_text(f"疑似重复于：{first}")
        expect(twin.locator(f"#merge-{again} input")).to_have_value(first)
        picker = low.locator(f"#dispatch-{unsure}-category")
        picker.select_option(LONG_CATEGORY[0])
        fit = picker.evaluate(OPTION_FITS)
        assert fit["need"] <= fit["room"], f"{LONG_CATEGORY[1]} cut at {size}: {fit}"
        web.shot(f"commander-dispatch-{size['width']}")
        web.fits(size["width"])
        web.unclipped(".qcard, .qcard .reason, .qcard form, header.top")
