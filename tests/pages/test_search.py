"""Ticket search in Chromium: the commander finds a ticket by words and a unit and opens it; the operator finds a
caller's ticket by a phone typed in full-width digits and peeks at it; a refusal is shown in Chinese."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.fixtures import department_id

WATER = "幸福里小区三号楼停水两天了，物业说是管道爆裂，我是李秀英，电话13912345678"
LAMP = "望江花园小区门口的路灯坏了一个多星期，晚上很黑"


def test_commander_searches_by_words_and_unit_and_opens_the_ticket(open_page, staff):
    operator = staff("operator1")
    water = operator.call(WATER, caller_name="李秀英", caller_phone="13912345678",
                          address="城关街道幸福里小区三号楼")["number"]
    operator.act(water, "dispatch", {"category_code": "0201"})
    lamp = operator.call(LAMP)["number"]
    operator.act(lamp, "dispatch", {"category_code": "0107"})

    web = open_page()
    page = web.goto("/commander#search")
    web.login("commander")
    page.fill("#search-q", "小区")
    page.click("#search-submit")
    rows = page.locator("#search-results tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_have_attribute("data-number", lamp)  # newest first

    page.select_option("#search-unit", str(department_id("zls")))
    page.click("#search-submit")
    expect(rows).to_have_count(1)
    row = rows.first
    cells = row.locator("td")
    expect(cells.nth(0)).to_have_text(water)
    expect(cells.nth(1)).to_have_text(re.compile(r"^\d{4}/\d{2}/\d{2} \d{2}:\d{2} \(\+08:00\)$"))
    expect(cells.nth(2)).to_have_text("供水")
    expect(cells.nth(3)).to_have_text("清江县自来水公司")
    expect(cells.nth(4)).to_have_text("待签收")
    summary = cells.nth(5)
    expect(summary).to_contain_text("幸福里小区三号楼停水两天了")
    expect(summary).not_to_contain_text("13912345678")  # the summary is masked, even for a commander
    expect(summary).not_to_contain_text("李秀英")
    web.shot("commander-search")
    row.click()
    expect(page).to_have_url(re.compile(f"/commander/tickets/{water}$"))
    expect(page.locator("#ticket")).to_contain_text("管道爆裂")


def test_operator_finds_a_callers_ticket_by_a_full_width_phone(open_page, staff):
    number = staff("operator1").call(WATER, caller_name="李秀英", caller_phone="13912345678")["number"]
    staff("operator1").call(LAMP)

    web = open_page()
    page = web.goto("/console")
    web.login("operator1")
    page.fill("#search-phone", "１３９１２３４５６７８")
    page.click("#search-submit")
    rows = page.locator("#search-results tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("td").nth(3)).to_have_text("未派单")
    expect(rows.first.locator("td").nth(4)).to_have_text("已受理")
    rows.first.click()
    expect(page.locator("#peek")).to_contain_text(number)
    expect(page.locator("#peek")).to_contain_text("管道爆裂")
    web.shot("console-search", full_page=True)

    page.fill("#search-phone", "")
    page.fill("#search-q", "的了")
    page.click("#search-submit")
    expect(page.locator("#search-error")).to_contain_text("没有可检索的字词")
    page.fill("#search-q", "")
    page.click("#search-submit")
    expect(page.locator("#search-error")).to_contain_text("请至少填写一个搜索条件")
    web.shot("console-search-refused")


def test_more_pages_on(open_page, staff):
    operator = staff("operator1")
    numbers = [operator.call(f"{LAMP}，第{i}次反映")["number"] for i in range(23)]
    web = open_page()
    page = web.goto("/commander#search")
    web.login("commander")
    page.fill("#search-q", "路灯")
    page.click("#search-submit")
    rows = page.locator("#search-results tbody tr")
    expect(rows).to_have_count(20)
    page.click("#search-more")
    expect(rows).to_have_count(23)
    expect(page.locator("#search-more")).to_be_hidden()
    assert rows.last.get_attribute("data-number") == numbers[0]
