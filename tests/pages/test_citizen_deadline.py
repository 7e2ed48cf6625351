"""The citizen page tells the promised date (承诺办结时间) in words, in the county's time, and while 待补充 the date
by which to answer instead. The browser runs in New York on purpose: the dates must not follow its zone."""

from __future__ import annotations

from datetime import datetime

from playwright.sync_api import expect

from hotline import clock
from hotline.settings import TIME_ZONE
from tests.pages.conftest import PHONE, Watched

MONDAY_10 = datetime(2026, 11, 16, 10, 0, tzinfo=TIME_ZONE)  # a plain week: a consultation is due Wed 10:00


def test_the_citizen_sees_the_promised_date_then_the_supplement_deadline(browser, live_server, staff):
    operator, handler = staff("operator1"), staff("h_cgj")
    with clock.frozen(MONDAY_10):
        receipt = operator.call("城东路口路灯不亮，想问什么时候能修", type="consultation")
        number = receipt["number"]

    # not `open_page`, whose browser sits in Shanghai
    context = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="America/New_York",
                                  device_scale_factor=1)
    context.set_default_timeout(15000)
    web = Watched(context.new_page(), live_server)
    page = web.page
    try:
        web.goto("/citizen#lookup")
        page.fill("#q-number", number)
        page.fill("#q-code", receipt["query_code"])
        page.click("#lookup")
        # not handed to a department yet: no date exists, and the citizen is told when there will be one
        expect(page.locator("#due-later")).to_have_text("转交办理单位后确定，届时短信告知您")
        expect(page.locator("#due-text")).to_have_count(0)

        with clock.frozen(MONDAY_10):
            operator.act(number, "dispatch", {"category_code": "0107"})
        page.click("#lookup")  # 待签收: the department has not taken it up yet, the promise already runs
        expect(page.locator(".result .badge")).to_have_text("待签收")
        expect(page.locator("#due-text")).to_have_text("2026年11月18日（周三）10:00")
        expect(page.locator("#due-later")).to_have_count(0)

        with clock.frozen(MONDAY_10):
            handler.act(number, "sign")
        page.click("#lookup")
        expect(page.locator(".result .badge")).to_have_text("办理中")
        expect(page.locator(".result dl")).to_contain_text("承诺办结时间")
        expect(page.locator("#due-text")).to_have_text("2026年11月18日（周三）10:00")
        web.shot("citizen-deadline", full_page=True)
        web.fits(PHONE["width"])

        with clock.frozen(datetime(2026, 11, 16, 11, 0, tzinfo=TIME_ZONE)):
            handler.act(number, "wait", {"message": "请提供路灯杆编号或照片"})
        page.click("#lookup")
        expect(page.locator("#supplement-due-text")).to_have_text("2026年11月23日（周一）11:00")
        expect(page.locator("#due-text")).to_have_count(0)  # the clock is stopped: no promise that will move
        expect(page.locator("#supplement-form")).to_contain_text("请于 2026年11月23日（周一）11:00 前补充")
        web.shot("citizen-supplement-deadline", full_page=True)
        web.fits(PHONE["width"])
        assert web.problems == []
    finally:
        context.close()
