"""月度考核 in Chromium: the month picked, the table sorted by a column, the ranking drawn, the workbook downloaded,
a future month refused in Chinese."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from playwright.sync_api import expect

from hotline import clock

CGJ, GDGS = "县城市管理和综合执法局", "国网清江县供电公司"


def test_the_month_is_shown_sorted_charted_and_downloaded(open_page, staff):
    operator, commander = staff("operator1"), staff("commander")
    month = clock.local(clock.now()).strftime("%Y-%m")  # the month under way: its figures so far
    replied = operator.call("望江花园小区门口的路灯坏了一个多星期，晚上很黑")["number"]
    operator.act(replied, "dispatch", {"category_code": "0107"})
    staff("h_cgj").act(replied, "sign")
    staff("h_cgj").act(replied, "reply", {"reply": "路灯已修复"})
    gdgs = next(d["id"] for d in commander.get("/api/departments").json() if d["name"] == GDGS)
    waiting = operator.call("我家这一片从早上开始停电了，到现在还没来")["number"]
    operator.act(waiting, "dispatch", {"department_id": gdgs})

    web = open_page()
    page = web.goto(f"/report?month={month}")
    web.login("commander")
    table = page.locator("#table")
    expect(table.locator("tfoot tr.total")).to_contain_text("全县合计")
    expect(page.locator("#chart svg .bar-row")).not_to_have_count(0)
    expect(page.locator("#chart svg")).to_contain_text(CGJ)
    expect(page.locator("#as-at")).to_have_text("本月尚未结束，数据截至当前")

    page.click("button[name=sort-closed]")  # 办结量, most first
    expect(table.locator("th[aria-sort=descending]")).to_have_text("办结量")
    expect(table.locator("tbody tr").first).to_have_attribute("data-department", CGJ)
    page.click("button[name=sort-department]")
    expect(table.locator("th[aria-sort=ascending]")).to_have_text("承办单位")
    page.click("button[name=sort-rank]")
    expect(table.locator("tbody tr").first.locator("td").first).to_have_text("1")
    web.shot("report-month")

    with page.expect_download() as download:
        page.click("button[name=download]")
    assert download.value.suggested_filename.endswith(".xlsx")
    with open(download.value.path(), "rb") as saved:  # the saved copy has no extension, which openpyxl needs
        sheet = load_workbook(io.BytesIO(saved.read())).active
    assert sheet["B2"].value == "承办单位" and sheet[sheet.max_row][1].value == "全县合计"

    year, number = (int(part) for part in month.split("-"))
    future = f"{year + (number == 12)}-{number % 12 + 1:02d}"
    page.fill("#month", future)
    page.click("button[name=show]")
    expect(page.locator("#page-error")).to_contain_text("尚未开始")
