"""The leadership's view in Chromium: overdue tickets, an open 督办单 with its number, reply date and 督办逾期 mark,
and a 领导批示 given on that 督办单, shown with its status; the callers' phones never appear."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import update

from dispatch.models import SupervisionNotice
from hotline import clock
from hotline.database import session_scope
from hotline.models import Ticket


def test_the_leader_sees_overdue_work_and_instructs_on_a_supervision_order(open_page, staff):
    operator = staff("operator1")
    number = operator.call("望江花园小区门口的路灯坏了一个多星期，晚上很黑")["number"]
    operator.act(number, "dispatch", {"category_code": "0107"})
    notice = staff("commander").post(f"/api/tickets/{number}/supervise", {"message": "请说明超期原因和整改计划"}).json()
    past = clock.now() - timedelta(days=1)
    with session_scope() as session:  # the scene: the ticket and the order's reply date both passed a day ago
        session.execute(update(Ticket).where(Ticket.number == number).values(due_at=past))
        session.execute(update(SupervisionNotice).where(SupervisionNotice.id == notice["id"]).values(respond_by=past))

    web = open_page()
    page = web.goto("/leader")
    web.login("leader")
    expect(page.locator(f"#overdue .item[data-number='{number}']")).to_be_visible()
    order = page.locator(f"#orders .order[data-id='{notice['id']}']")
    expect(order).to_contain_text(notice["document_number"])
    expect(order).to_contain_text("督办逾期")
    assert notice["document_number"].startswith("督〔") and notice["document_number"].endswith("第0001号")
    order.locator("button").click()
    page.fill("#instruct-text", "请主要负责人亲自过问，明天前修好👍")
    page.click("button[name=instruct]")
    item = page.locator("#instructions .instruction").first
    expect(item).to_contain_text("待落实")
    expect(item).to_contain_text("请主要负责人亲自过问，明天前修好👍")
    expect(item).to_contain_text(notice["document_number"])
    assert "13800138000" not in page.content()
    web.shot("leader-view", full_page=True)

    given = staff("h_cgj").get("/api/instructions").json()
    assert [i["text"] for i in given] == ["请主要负责人亲自过问，明天前修好👍"]
    assert staff("leader").post(f"/api/tickets/{number}/sign").status_code == 403
