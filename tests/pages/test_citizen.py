"""The citizen page on a phone-sized Chromium: a letter sent, a ticket found by number and query code with its
public timeline, rated; a supplement given; a wrong code looks exactly like an unknown number."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.pages.conftest import PHONE, PHONES

HOSTILE = "<img src=x onerror=alert(1)>"
SIZES = (*PHONES, {"width": 1366, "height": 768})  # a citizen's phones, and the county office's screen
PANELS = "header.brand, .tabs, body.citizen main, .field, .receipt, .receipt .big, .result section, .dl dd"
REPLY = "路灯已修复，感谢您的反映。"


def _at_each_size(web, name: str) -> None:
    """What is on the page now, at each size a citizen opens it with: nothing scrolls sideways, nothing cut."""
    for size in SIZES:
        web.page.set_viewport_size(size)
        web.shot(f"{name}-{size['width']}x{size['height']}", full_page=True)
        web.fits(size["width"])
        web.unclipped(PANELS)
    web.page.set_viewport_size(PHONE)


def _lookup(page, number: str, code: str) -> None:
    page.fill("#q-number", number)
    page.fill("#q-code", code)
    page.click("#lookup")


def test_a_citizen_sends_a_letter_from_a_phone(open_page, staff):
    web = open_page(PHONE)
    page = web.goto("/citizen")
    expect(page.locator("#tab-letter")).to_have_attribute("aria-selected", "true")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    assert page.locator("input[type=date], input[type=datetime-local]").count() == 0  # no mm/dd/yyyy to meet
    # whom the letter goes to, in a citizen's words: no channel codes, no staff terms
    expect(page.locator("label[for=l-channel]")).to_have_text("写给")
    expect(page.locator("#l-channel option")).to_have_text(["12345热线", "县长信箱"])
    expect(page.locator("#l-channel-hint")).to_contain_text("都由12345热线统一受理")
    for staff_word in ("留言方式", "网站留言", "移动应用", "渠道"):
        assert staff_word not in page.locator("#letter-form").inner_text()
    _at_each_size(web, "citizen-letter")
    page.fill("#l-title", "村口小桥栏杆断了")
    page.fill("#l-content", f"樟树村村口小桥的栏杆断了一截，小孩上学要经过，很危险 {HOSTILE}")
    page.select_option("#l-township", "城关街道")
    page.select_option("#l-channel", label="县长信箱")
    page.fill("#l-phone", "1381234")
    page.click("#send-letter")
    expect(page.locator("#letter-error")).to_contain_text("电话号码格式不正确")
    page.fill("#l-phone", "13812345678")
    page.click("#send-letter")
    number = page.locator("#receipt-number")
    expect(number).to_be_visible()
    expect(page.locator("#receipt-code")).to_have_text(re.compile(r"^\d{8}$"))
    # no department has it yet, so no date can be promised: the citizen is told when one will be
    expect(page.locator(".receipt dl")).to_contain_text("承诺办结时间")
    expect(page.locator("#receipt-due")).to_have_text("转交办理单位后确定，届时短信告知您办理单位和答复期限")
    _at_each_size(web, "citizen-receipt")
    page.click("#to-lookup")
    expect(page.locator(".result")).to_contain_text("您的诉求已受理")
    expect(page.locator(".result")).to_contain_text(HOSTILE)
    expect(page.locator("#due-later")).to_have_text("转交办理单位后确定，届时短信告知您")
    assert page.locator("img").count() == 0
    ticket = staff("commander").get(f"/api/tickets/{number.text_content()}").json()
    assert ticket["channel"] == "mailbox" and ticket["township"] == "城关街道" and ticket["caller_phone"] == "13812345678"


def test_a_citizen_finds_the_ticket_and_rates_the_answer(open_page, staff):
    operator = staff("operator1")
    receipt = operator.call("望江花园小区门口的路灯坏了一个多星期", caller_phone="13912345678")
    number, code = receipt["number"], receipt["query_code"]
    operator.act(number, "notes", {"reason": "内部：来电人情绪激动"})
    operator.act(number, "dispatch", {"category_code": "0107"})
    handler = staff("h_cgj")
    handler.act(number, "sign")
    handler.act(number, "reply", {"reply": REPLY})

    web = open_page(PHONE)
    page = web.goto(f"/citizen?number={number}")
    expect(page.locator("#lookup-view")).to_be_visible()
    expect(page.locator("#q-number")).to_have_value(number)
    page.fill("#q-code", code)
    page.click("#lookup")
    result = page.locator(".result")
    expect(result.locator(".badge")).to_have_text("已办结")
    expect(result).to_contain_text("139****5678")
    timeline = page.locator(".timeline")
    expect(timeline).to_contain_text(f"已办结。答复：{REPLY}")
    assert page.locator("body").inner_text().count(REPLY) == 1  # the answer is read once, in its place
    expect(page.locator("#due-text")).to_have_count(0)  # answered: no promise left to show
    expect(timeline).to_contain_text("您的诉求已受理")
    expect(timeline).to_contain_text("已转交县城市管理和综合执法局办理")
    text = page.content()
    for secret in ("情绪激动", "内部", "13912345678", "王建国", "承办员", "李话务"):
        assert secret not in text
    _at_each_size(web, "citizen-lookup")

    page.click("#send-rating")
    expect(page.locator("#rating-form .error-box")).to_have_text("请选择满意程度和解决情况")
    page.locator("label:has-text('基本满意')").click()
    page.locator("label:has-text('已解决')").click()
    page.fill("#r-comment", "修得挺快")
    web.shot("citizen-rating", full_page=True)
    page.click("#send-rating")
    expect(page.locator(".result .ok-box")).to_have_text("感谢您的评价！")
    assert page.locator("body").inner_text().count(REPLY) == 1
    expect(result.locator(".badge")).to_have_text("已回访")
    expect(result).to_contain_text("基本满意")
    expect(page.locator("#rating-form")).to_have_count(0)
    ticket = staff("commander").get(f"/api/tickets/{number}").json()
    assert (ticket["satisfaction"], ticket["solved"]) == ("basically_satisfied", "solved")


def test_a_wrong_code_looks_exactly_like_an_unknown_number(open_page, staff):
    number = staff("operator1").call("人民路下水道井盖不见了")["number"]
    web = open_page(PHONE)
    page = web.goto("/citizen#lookup")
    _lookup(page, number, "00000000")
    error = page.locator("#lookup-error")
    expect(error).to_have_text("未找到该工单，请核对工单号和查询码")
    seen = lambda: (page.locator("#lookup-result").inner_html(), page.locator("#lookup-result").bounding_box(),  # noqa: E731
                    page.evaluate("document.body.innerText"))  # what shows, typed values aside
    wrong = seen()
    web.shot("citizen-not-found", full_page=True)
    _lookup(page, "2000010199999", "12345678")
    page.wait_for_load_state("networkidle")
    expect(error).to_have_text("未找到该工单，请核对工单号和查询码")
    assert seen() == wrong
    assert "井盖" not in page.content()


def test_a_citizen_supplements_what_the_handler_asked_for(open_page, staff):
    operator = staff("operator1")
    receipt = operator.call("城东路灯杆被车撞歪了")
    number = receipt["number"]
    operator.act(number, "dispatch", {"category_code": "0107"})
    handler = staff("h_cgj")
    handler.act(number, "sign")
    handler.act(number, "wait", {"message": "请提供路灯杆编号或照片"})
    web = open_page(PHONE)
    page = web.goto("/citizen#lookup")
    _lookup(page, number, receipt["query_code"])
    expect(page.locator(".timeline")).to_contain_text("需要您补充情况：请提供路灯杆编号或照片")
    page.fill("#s-content", "路灯杆编号 QJ-0123，在城东路加油站对面")
    page.click("#supplement-form button")
    expect(page.locator(".result .ok-box")).to_have_text("已收到您的补充，办理单位将继续办理。")
    expect(page.locator(".result .badge")).to_have_text("办理中")
    assert staff("commander").get(f"/api/tickets/{number}").json()["status"] == "in_progress"
