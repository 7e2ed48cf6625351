"""The handler's workbench in Chromium: the inbox by deadline with yellow and red marks, sign for, extension
(approved on the commander's desk), reply and close, the full timeline, the department's measures, and no way
into another department's ticket by editing the URL."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from dispatch import followup
from hotline.clock import now
from hotline.database import session_scope
from hotline.models import Ticket

HOSTILE = "<img src=x onerror=alert(1)>"


def _clock(number: str, *, due_in: timedelta, dispatched_ago: timedelta | None = None) -> None:
    """Move a ticket's deadline, then let the real follow-through sweep give the card it has earned."""
    with session_scope() as session:
        ticket = session.scalars(select(Ticket).where(Ticket.number == number)).one()
        ticket.due_at = now() + due_in
        if dispatched_ago is not None:
            ticket.dispatched_at = now() - dispatched_ago
        ticket.next_attention_at = now() - timedelta(seconds=1)
    followup.sweep()


def _dispatched(operator, content: str, category: str = "0107", **fields) -> str:
    number = operator.call(content, **fields)["number"]
    operator.act(number, "dispatch", {"category_code": category})
    return number


def test_a_handler_signs_asks_for_an_extension_replies_and_closes(open_page, staff):
    operator = staff("operator1")
    plain = _dispatched(operator, f"滨江路口的路灯闪个不停 {HOSTILE}")
    red = _dispatched(operator, "人民路菜市场门口路灯全黑，已经两个星期")
    yellow = _dispatched(operator, "城北小学门口的路灯歪了，怕砸到学生")
    _clock(red, due_in=-timedelta(hours=3))
    _clock(yellow, due_in=timedelta(hours=2), dispatched_ago=timedelta(days=10))

    web = open_page()
    page = web.goto("/workbench")
    web.login("h_cgj")
    rows = page.locator("#inbox tbody tr")
    expect(rows).to_have_count(3)
    assert [rows.nth(i).get_attribute("data-number") for i in range(3)] == [red, yellow, plain]  # nearest deadline
    expect(rows.nth(0).locator(".card-red")).to_have_text("红牌")
    expect(rows.nth(1).locator(".card-yellow")).to_have_text("黄牌")
    expect(rows.nth(2)).to_contain_text(HOSTILE)  # shown as text, never as an element
    assert page.locator("#inbox img").count() == 0
    expect(page.locator("#inbox-summary")).to_have_text("共 3 件 · 待签收 3 · 黄牌 1 · 红牌 1")
    web.shot("workbench-inbox")
    web.fits(1440)

    rows.nth(2).locator("a").click()
    expect(page).to_have_url(f"{web.base}/workbench/tickets/{plain}")
    expect(page.locator("#ticket-title")).to_have_text(f"工单 {plain}")
    page.click("button[name=sign]")
    expect(page.locator(".ticket-head .badge")).to_have_text("办理中")
    page.fill("#extension-days", "3")
    page.fill("#extension-reason", "需要供电公司配合更换线路")
    page.click("button[name=extension]")
    expect(page.locator(".ticket-head .badge")).to_have_text("延期审核中")
    expect(page.locator("#ticket-actions")).to_contain_text("等待指挥中心审批")

    desk = open_page()
    commander = desk.goto("/commander#extensions")
    desk.login("commander")
    card = commander.locator(f".qcard[data-number='{plain}']")
    expect(card).to_contain_text("申请延期 3 个工作日：需要供电公司配合更换线路")
    desk.shot("commander-extensions")
    card.locator(f"#decision-note-{plain}").fill("同意，请抓紧协调")
    card.locator(f"button[name=approve-{plain}]").click()
    expect(commander.locator(f".qcard[data-number='{plain}']")).to_have_count(0)

    page.reload()
    expect(page.locator(".ticket-head .badge")).to_have_text("办理中")
    expect(page.locator(".timeline")).to_contain_text("同意延期")
    expect(page.locator("#extension")).to_have_count(0)  # one extension per ticket
    page.fill("#reply-reply", "已更换路灯控制器，路灯恢复正常。")
    page.click("button[name=reply]")
    expect(page.locator(".ticket-head .badge")).to_have_text("已办结")
    timeline = page.locator(".timeline")
    for step in ("受理", "派单", "签收", "申请延期", "同意延期", "答复办结"):
        expect(timeline).to_contain_text(step)
    expect(timeline).to_contain_text("同意，请抓紧协调")
    expect(page.locator("#ticket-reply")).to_have_text("答复：已更换路灯控制器，路灯恢复正常。")
    web.shot("workbench-ticket", full_page=True)

    page.goto(f"{web.base}/workbench#measures")
    expect(page.locator(".measure[data-key=closed] .value")).to_have_text("1")
    expect(page.locator(".measure[data-key=red] .value")).to_have_text("1")
    web.shot("workbench-measures")


def test_a_handler_returns_a_ticket_and_waits_on_the_citizen(open_page, staff):
    operator = staff("operator1")
    wrong = _dispatched(operator, "小区业主群里有人卖假酒")
    waiting = _dispatched(operator, "城东路灯杆被车撞歪了")
    web = open_page()
    page = web.goto(f"/workbench/tickets/{wrong}")
    web.login("h_cgj")
    page.click("button[name=return]")
    expect(page.locator("#return .error-box")).to_have_text("理由不能为空，请填写具体内容")
    page.fill("#return-reason", "售卖假酒属市场监管职责，建议改派市场监督管理局")
    page.click("button[name=return]")
    expect(page.locator(".ticket-head .badge")).to_have_text("已退单待审核")

    page.goto(f"{web.base}/workbench/tickets/{waiting}")
    page.click("button[name=sign]")
    page.fill("#wait-message", "请提供路灯杆编号或照片")
    page.click("button[name=wait]")
    expect(page.locator(".ticket-head .badge")).to_have_text("待补充材料")
    expect(page.locator("#ticket-actions")).to_contain_text("恢复办理")
    ticket = staff("commander").get(f"/api/tickets/{waiting}").json()
    assert ticket["status"] == "waiting_citizen"


def test_another_departments_ticket_cannot_be_opened_by_editing_the_url(open_page, staff):
    operator = staff("operator1")
    theirs = _dispatched(operator, "幸福小区物业不修电梯，老人上下楼困难", category="0101")  # 住建局
    web = open_page()
    page = web.goto(f"/workbench/tickets/{theirs}")
    web.login("h_cgj")
    error = page.locator("#ticket-error")
    expect(error).to_contain_text(f"工单 {theirs} 不存在")
    expect(page.locator("#ticket")).not_to_contain_text("电梯")
    foreign = page.locator("#ticket").inner_text().replace(theirs, "N")
    web.shot("workbench-foreign-ticket")
    page.goto(f"{web.base}/workbench/tickets/2000010199999")
    expect(page.locator("#ticket-error")).to_be_visible()
    assert page.locator("#ticket").inner_text().replace("2000010199999", "N") == foreign  # same as unknown
    assert "幸福小区" not in page.content()


def test_a_co_unit_reports_its_part_and_the_lead_unit_sees_who_has(open_page, staff):
    """联办: the pole hangs by its cable; 城管 leads, 供电公司 and 住建 co-handle."""
    from tests.fixtures import department_id

    operator = staff("operator1")
    number = operator.call("城东路灯杆被车撞歪了，灯头吊在电线上晃，下面是人行道")["number"]
    operator.act(number, "dispatch", {"department_id": department_id("cgj"),
                                      "co_department_ids": [department_id("gdgs"), department_id("zjj")]})
    web = open_page()
    page = web.goto(f"/workbench/tickets/{number}")
    web.login("h_gdgs")
    expect(page.locator("#co-units-title")).to_have_text("协办单位反馈（0/2）")
    assert page.locator("button[name=sign]").count() == 0  # the lead's steps are not offered to a co-unit
    page.click("button[name=co-report]")
    expect(page.locator("#co-report .error-box")).to_have_text("协办意见不能为空，请填写具体内容")
    page.fill("#co-report-report", f"已断开该路灯回路电源并临时固定电缆，待更换灯杆后恢复送电。{HOSTILE}")
    page.click("button[name=co-report]")
    expect(page.locator("#co-units-title")).to_have_text("协办单位反馈（1/2）")
    expect(page.locator("#co-report")).to_have_count(0)  # reported: its later words are notes
    expect(page.locator("#note")).to_be_visible()

    lead = open_page()
    page = lead.goto(f"/workbench/tickets/{number}")
    lead.login("h_cgj")
    rows = page.locator("#co-units tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator('#co-units tr[data-unit="国网清江县供电公司"]')).to_contain_text("已反馈")
    expect(page.locator('#co-units tr[data-unit="国网清江县供电公司"]')).to_contain_text(HOSTILE)
    expect(page.locator('#co-units tr[data-unit="县住房和城乡建设局"]')).to_contain_text("未反馈，期限")
    assert page.locator("#co-units img").count() == 0
    lead.shot("workbench-co-units")
    lead.fits(1440)

    desk = open_page()
    page = desk.goto(f"/commander/tickets/{number}")
    desk.login("commander")
    expect(page.locator("#co-units-title")).to_have_text("协办单位反馈（1/2）")
    expect(page.locator('#co-units tr[data-unit="县住房和城乡建设局"]')).to_contain_text("未反馈")


def test_an_overdue_sign_for_comes_first_with_its_card_and_the_page_reads_as_a_clerk_expects(open_page, staff):
    """Issue 22: two days past the sign-for deadline is red and first, whatever the resolve deadline says; the
    category by its name; the header says the unit, then 承办员 and the person; dates typed as 2026-12-01."""
    from hotline.models import Staff
    from tests.pages.conftest import WORKSTATIONS

    operator = staff("operator1")
    late = _dispatched(operator, "人民路的路灯整排不亮，已经一个星期了")
    later = _dispatched(operator, "滨江公园里有两盏路灯白天也亮着")
    staff("h_cgj").act(later, "sign")
    with session_scope() as session:
        ticket = session.scalars(select(Ticket).where(Ticket.number == late)).one()
        ticket.dispatched_at = now() - timedelta(days=3)
        ticket.sign_deadline = now() - timedelta(days=2)
        ticket.due_at = now() + timedelta(days=18)
        signed = session.scalars(select(Ticket).where(Ticket.number == later)).one()
        signed.due_at = now() + timedelta(days=5)
        handler = session.scalars(select(Staff).where(Staff.username == "h_cgj")).one()
        own_name, handler.display_name = handler.display_name, "张某"
    try:
        for size in WORKSTATIONS:
            web = open_page(size)
            page = web.goto("/workbench")
            web.login("h_cgj")
            rows = page.locator("#inbox tbody tr")
            expect(rows).to_have_count(2)
            assert [rows.nth(i).get_attribute("data-number") for i in range(2)] == [late, later]
            expect(rows.nth(0).locator(".card-red")).to_have_text("红牌")
            expect(rows.nth(0)).to_have_class("row-red")
            expect(rows.nth(0)).to_contain_text("超期 2天")
            expect(page.locator("#who")).to_have_text("县城市管理和综合执法局 · 承办员 张某")
            assert page.get_attribute("html", "lang") == "zh-CN"
            web.shot(f"workbench-overdue-sign-{size['width']}")
            web.fits(size["width"])
            web.unclipped("#inbox, .panel")

            page.reload()  # signed in already: the page starts without a form
            expect(rows).to_have_count(2)
            rows.nth(0).locator("a").click()
            expect(page.locator("#ticket-category")).to_have_text("路灯照明（0107）")
            expect(page.locator(".ticket-head .card-red")).to_have_text("红牌")
            web.fits(size["width"])
            web.unclipped(".panel")

            page.goto(f"{web.base}/workbench#measures")
            start = page.locator("#m-start")
            assert start.get_attribute("type") == "text"  # not the browser's own mm/dd/yyyy box
            assert len(start.input_value()) == 10 and start.input_value()[4] == "-" and start.input_value()[7] == "-"
            expect(page.locator(".measure[data-key=open]")).to_be_visible()
            web.shot(f"workbench-measures-{size['width']}")
            web.fits(size["width"])
            web.unclipped(".measure")
    finally:
        with session_scope() as session:
            session.scalars(select(Staff).where(Staff.username == "h_cgj")).one().display_name = own_name
