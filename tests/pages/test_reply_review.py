"""办结审核 in Chromium: the commander's 审核 tab shows the reply next to the citizen's request with the four checks,
refuses a return without a reason, returns the reply; the handler's workbench shows the reason, the handler
replies again, and the desk approves it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from hotline.database import session_scope


def _review_types(types: list[str]) -> None:
    from dispatch.models import TimeLimitPolicy

    with session_scope() as session:
        policy = session.get(TimeLimitPolicy, 1)
        policy.rules = {**policy.rules, "reply_review_types": types}


@pytest.fixture
def review_on() -> Iterator[None]:
    _review_types(["complaint"])
    yield
    _review_types([])


def _pick(card, key: str, checks: dict[str, str]) -> None:
    for name, value in checks.items():
        card.locator(f"#check-{name}-{key}").select_option(value)


def test_a_reply_is_returned_with_a_reason_replied_again_and_approved(open_page, staff, review_on):
    operator, handler = staff("operator1"), staff("h_cgj")
    number = operator.call("望江花园南门的路灯坏了一个多星期，晚上很黑")["number"]
    operator.act(number, "dispatch", {"category_code": "0107"})
    handler.act(number, "sign")
    assert handler.act(number, "reply", {"reply": "已处理。"})["status"] == "pending_review"

    desk = open_page()
    page = desk.goto("/commander#reviews")
    desk.login("commander")
    expect(page.locator("#count-reviews")).to_have_text("1")
    card = page.locator(f".review-card[data-number='{number}']")
    expect(card.locator(".request")).to_contain_text("望江花园南门的路灯坏了")
    expect(card.locator(".answer")).to_contain_text("已处理。")
    expect(card.locator(".answer")).to_contain_text("县城市管理和综合执法局答复")
    expect(card).to_contain_text("王** 138****8000")  # the reviewer sees the caller masked
    desk.shot("commander-reviews")
    desk.fits(1440)

    card.locator(f"button[name=return-reply-{number}]").click()
    expect(card.locator(".error-box").last).to_contain_text("请填写退回理由")
    card.locator(f"#return-reason-{number}").fill("未说明修复时间和依据，请补充")
    card.locator(f"button[name=return-reply-{number}]").click()
    expect(card.locator(".error-box").last).to_contain_text("请逐项填写质检结果")
    _pick(card, number, {"answers_request": "yes", "complete": "no", "courteous": "yes", "cites_basis": "no"})
    card.locator(f"button[name=return-reply-{number}]").click()
    expect(page.locator(f".review-card[data-number='{number}']")).to_have_count(0)
    expect(page.locator("#count-reviews")).to_have_text("0")

    bench = open_page()
    workbench = bench.goto(f"/workbench/tickets/{number}")
    bench.login("h_cgj")
    expect(workbench.locator("#returned-reason")).to_contain_text("答复被热线退回")
    expect(workbench.locator("#returned-reason")).to_contain_text("未说明修复时间和依据，请补充")
    expect(workbench.locator("#returned-reason")).to_contain_text("原办理期限")
    bench.shot("workbench-reply-returned")
    workbench.fill("#reply-reply", "已于今日更换灯泡并恢复照明，依据《城市照明管理规定》第十条。")
    workbench.click("button[name=reply]")
    expect(workbench.locator(".ticket-head .badge")).to_have_text("办结待审核")
    expect(workbench.locator("#review-waiting")).to_be_visible()
    expect(workbench.locator("#returned-reason")).to_have_count(0)

    page.reload()
    card = page.locator(f".review-card[data-number='{number}']")
    expect(card.locator(".answer")).to_contain_text("已于今日更换灯泡")
    _pick(card, number, {"answers_request": "yes", "complete": "yes", "courteous": "yes", "cites_basis": "yes"})
    card.locator(f"button[name=approve-reply-{number}]").click()
    expect(page.locator(f".review-card[data-number='{number}']")).to_have_count(0)
    assert operator.get(f"/api/tickets/{number}").json()["status"] == "closed"
