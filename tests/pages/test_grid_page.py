"""The grid worker's page in Chromium on a phone: sign in, report an event with a real photo and the phone's
position (faked through the browser's geolocation), find it in the cell's list with its photo, and check on the
spot once the unit has closed it: 核查未通过 with what is still wrong sends it back, then 核查通过.

Written from what the worker should see (docs/grid.md), not from the page's code.
"""

from __future__ import annotations

from playwright.sync_api import expect

from tests import upload_samples as samples
from tests.fixtures import department_id
from tests.pages.conftest import PHONE

SPOT = {"latitude": 28.55123, "longitude": 112.33456, "accuracy": 12}


def _on_a_phone_at_the_spot(open_page, live_server):
    web = open_page(PHONE)
    web.page.context.grant_permissions(["geolocation"], origin=live_server)
    web.page.context.set_geolocation(SPOT)
    return web


def test_a_worker_reports_with_a_photo_and_position_then_checks_the_closed_event(open_page, live_server, staff):
    web = _on_a_phone_at_the_spot(open_page, live_server)
    page = web.goto("/grid")
    web.login("grid1")
    expect(page.locator("#cell")).to_contain_text("望江社区第一网格")
    expect(page.locator("#r-position")).to_contain_text("北纬 28.55123，东经 112.33456")

    page.click("#r-send")  # nothing written yet: told what is missing, in Chinese
    expect(page.locator("#report-error")).to_contain_text("事件描述不能为空")

    page.select_option("#r-type", "help")
    page.fill("#r-content", "望江花园南门人行道井盖破损🕳️，边上有个大坑，晚上容易绊倒行人")
    page.fill("#r-address", "望江花园南门")
    page.set_input_files("#r-photos", files=[{"name": "井盖.jpg", "mimeType": "image/jpeg",
                                              "buffer": samples.phone_photo()}])
    page.click("#r-send")
    expect(page.locator("#receipt")).to_contain_text("已附 1 张照片")
    number = page.locator("#receipt .big").inner_text().strip()
    assert number.startswith("20")
    web.fits(PHONE["width"])
    web.shot("grid-report", full_page=True)

    commander = staff("commander")
    ticket = commander.get(f"/api/tickets/{number}").json()
    assert (ticket["channel"], ticket["township"], ticket["village"]) == ("grid", "城关街道", "望江社区")
    assert (round(ticket["latitude"], 5), round(ticket["longitude"], 5)) == (28.55123, 112.33456)
    assert [a["source"] for a in ticket["attachments"]] == ["grid_worker"]

    page.click("#tab-list")
    item = page.locator(f"#tickets .ticket[data-number='{number}']")
    expect(item).to_contain_text("井盖破损🕳️")
    item.locator("button").click()
    photo = page.locator("#detail .photos img")
    expect(photo).to_have_count(1)
    page.wait_for_function("() => document.querySelector('#detail .photos img').naturalWidth > 0")
    expect(page.locator("#detail")).not_to_contain_text("现场核查")  # not closed yet: nothing to check

    # the unit the center dispatches it to fixes part of it and closes it
    commander.act(number, "dispatch", {"department_id": department_id("cgj")})
    handler = staff("h_cgj")
    handler.act(number, "sign")
    handler.act(number, "reply", {"reply": "已更换井盖"})

    page.click("#detail-close")
    page.check("#only-check")
    page.click("#refresh")
    item = page.locator(f"#tickets .ticket[data-number='{number}']")
    expect(item).to_contain_text("待核查")
    item.locator("button").click()
    expect(page.locator("#detail")).to_contain_text("已更换井盖")
    page.click("#c-fail")
    expect(page.locator("#detail .check")).to_contain_text("请填写核查意见")
    page.fill("#c-comment", "井盖换了，但旁边的坑还没填")
    page.click("#c-fail")
    expect(page.locator("#detail .badge.status-in_progress")).to_have_text("办理中")
    expect(page.locator("#detail .timeline")).to_contain_text("核查未通过：井盖换了，但旁边的坑还没填")
    expect(page.locator("#detail .last-check")).to_contain_text("未通过")
    assert number in [t["number"] for t in handler.get("/api/inbox").json()]  # back on the unit's desk
    web.shot("grid-check-failed", full_page=True)

    handler.act(number, "reply", {"reply": "坑已填平"})
    page.click("#detail-close")
    page.click("#refresh")
    page.locator(f"#tickets .ticket[data-number='{number}'] button").click()
    page.fill("#c-comment", "现场看过，已修好")
    page.click("#c-pass")
    expect(page.locator("#detail .last-check")).to_contain_text("通过：现场看过，已修好")
    expect(page.locator("#detail .check")).to_have_count(0)  # checked once per closure
    assert commander.get(f"/api/tickets/{number}").json()["status"] == "closed"
    web.fits(PHONE["width"])
    web.shot("grid-check-passed", full_page=True)


def test_the_page_is_for_grid_workers_only(open_page):
    web = open_page(PHONE)
    page = web.goto("/grid")
    web.try_login("operator1")
    expect(page.locator(".login .error-box")).to_contain_text("此页面仅限网格员使用，当前账号是话务员")


def test_an_admin_keeps_the_grid_cells_on_the_admin_page(open_page):
    from tests.fixtures import reference_tables_restored

    with reference_tables_restored():
        web = open_page()
        page = web.goto("/admin#grid")
        web.login("admin")
        row = page.locator("#grid-cells tr[data-code='CG-WJ-01']")
        expect(row).to_contain_text("刘网格（grid1）")
        page.fill("#grid-code", "CG-WJ-03")
        page.fill("#grid-name", "望江社区第三网格")
        page.fill("#grid-township", "火星镇")
        page.click("button[name=save-grid]")
        expect(page.locator("#grid-error")).to_contain_text("乡镇（街道）「火星镇」不在行政区划中")
        page.fill("#grid-township", "城关街道")
        page.fill("#grid-village", "望江社区")
        page.fill("#grid-workers", "grid1")
        page.click("button[name=save-grid]")
        expect(page.locator("#grid-cells tr[data-code='CG-WJ-03']")).to_contain_text("刘网格（grid1）")
        expect(row).not_to_contain_text("grid1")  # a worker works one cell: moved, not copied
        page.locator("#grid-cells tr[data-code='CG-WJ-03'] button[name=deactivate]").click()
        expect(page.locator("#grid-cells tr[data-code='CG-WJ-03']")).to_contain_text("已停用")
        web.shot("admin-grid", full_page=True)
