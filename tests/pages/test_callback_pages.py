"""回访 and 差评 in Chromium: the operator calls back from the 回访 page (a failed call, then a reached one with the
survey), the commander judges the 差评 and decides the unit's appeal on the desk, and the handler reports the 整改
and appeals on the workbench."""

from __future__ import annotations

from playwright.sync_api import expect

HOSTILE = "<img src=x onerror=alert(1)>"


def _closed(staff, content: str) -> str:
    operator, handler = staff("operator1"), staff("h_cgj")
    number = operator.call(content)["number"]
    operator.act(number, "dispatch", {"category_code": "0107"})
    handler.act(number, "sign")
    handler.act(number, "reply", {"reply": "已安排维修，路灯恢复照明。"})
    return number


def _unsatisfied(staff, content: str) -> tuple[str, int]:
    number = _closed(staff, content)
    staff("operator1").post(f"/api/tickets/{number}/callback-attempts", {
        "outcome": "reached", "satisfaction": "unsatisfied", "solved": "unsolved", "contacted": False,
        "note": "群众说灯还是不亮"})
    reviews = staff("commander").get("/api/complaint-reviews").json()
    return number, next(r["id"] for r in reviews if r["ticket_number"] == number)


def test_the_operator_records_a_failed_call_then_the_survey(open_page, staff):
    number = _closed(staff, f"滨江路口的路灯闪个不停 {HOSTILE}")
    web = open_page()
    page = web.goto("/console/callbacks")
    web.login("operator1")
    item = page.locator(f".callback-item[data-number='{number}']")
    expect(item).to_contain_text("13800138000")  # the operator sees the phone to call
    item.click()
    expect(page.locator("#call-ticket")).to_contain_text(HOSTILE)  # as text, never as an element
    assert page.locator("#call-ticket img").count() == 0
    page.check("input[name=outcome][value=busy]")
    expect(page.locator("#survey")).to_be_hidden()
    page.click("#save-attempt")
    expect(item).to_contain_text("已回访 1 次，最近：占线")
    page.check("input[name=outcome][value=reached]")
    page.click("#save-attempt")  # the survey left empty: refused on the page, in Chinese
    expect(page.locator("#attempt-error")).to_contain_text("须填写满意度")
    page.select_option("#satisfaction", "basically_satisfied")
    page.select_option("#solved", "solved")
    page.select_option("#contacted", "true")
    expect(page.locator("#attempt-error")).to_be_hidden()  # the refusal goes once the survey is being filled
    page.fill("#note", "群众表示已修好")
    web.shot("console-callbacks")
    web.fits(1440)
    page.click("#save-attempt")
    expect(item).to_have_count(0)
    ticket = staff("commander").get(f"/api/tickets/{number}").json()
    assert ticket["status"] == "rated" and ticket["satisfaction"] == "basically_satisfied"
    assert ticket["events"][-1]["data"]["contacted"] is True


def test_the_commander_judges_a_complaint_and_decides_the_appeal(open_page, staff):
    number, review_id = _unsatisfied(staff, "人民路菜市场门口路灯全黑")
    web = open_page()
    page = web.goto("/commander#complaints")
    web.login("commander")
    card = page.locator(f"#complaints [data-review='{review_id}']")
    expect(card).to_contain_text("不满意，未解决")
    web.shot("commander-complaints")
    web.fits(1440)
    card.locator(f"#review-unreasonable-none-{review_id} button").click()  # no reason: refused in Chinese
    expect(card).to_contain_text("须写明理由")
    card.locator(f"#review-reasonable-rectify-{review_id} button").click()
    expect(card).to_have_count(0)  # no longer pending
    staff("h_cgj").post(f"/api/complaint-reviews/{review_id}/appeal", {"reason": "该路灯属供电公司产权"})
    page.reload()
    appeal = page.locator(f"#appeals [data-appeal='{review_id}']")
    expect(appeal).to_contain_text("该路灯属供电公司产权")
    web.shot("commander-appeal")
    appeal.locator(f"#appeal-grant-{review_id} button").click()
    expect(appeal).to_have_count(0)
    review = next(r for r in staff("commander").get("/api/complaint-reviews").json() if r["id"] == review_id)
    assert review["appeal_status"] == "granted" and review["counts"] is False
    assert number == review["ticket_number"]


def test_the_handler_reports_the_rectification_and_appeals_once(open_page, staff):
    number, review_id = _unsatisfied(staff, "城北小学门口的路灯歪了")
    staff("commander").post(f"/api/complaint-reviews/{review_id}/decision",
                            {"verdict": "reasonable", "remedy": "rectify", "note": "未按期修复"})
    web = open_page()
    page = web.goto("/workbench#complaints")
    web.login("h_cgj")
    item = page.locator(f"#complaints [data-review='{review_id}']")
    expect(item).to_contain_text("未按期修复")
    expect(page.locator("#complaint-count")).to_have_text("1")
    web.shot("workbench-complaints")
    web.fits(1440)
    item.locator(f"#rectify-{review_id} textarea").fill("已更换灯杆，并建立巡查台账")
    item.locator(f"#rectify-{review_id} button").click()
    expect(item).to_contain_text("已反馈整改：已更换灯杆")
    item.locator(f"#appeal-{review_id} textarea").fill("损坏系车辆撞击，已报警")
    item.locator(f"#appeal-{review_id} button").click()
    expect(item).to_contain_text("申诉待裁定")
    expect(item.locator(f"#appeal-{review_id}")).to_have_count(0)  # once only
    events = [e["action"] for e in staff("commander").get(f"/api/tickets/{number}").json()["events"]]
    assert events[-2:] == ["rectification", "appeal"]
