"""The block list on /admin in Chromium: an admin lists a phone with a reason, its letter is refused, the admin
takes it off again and the letter goes through."""

from __future__ import annotations

import httpx
from playwright.sync_api import expect

LETTER = {"title": "反映噪音问题", "content": "夜间施工噪音太大，影响休息。", "township": "城关街道"}


def test_an_admin_blocks_and_unblocks_a_phone(open_page, live_server):
    web = open_page()
    page = web.goto("/admin#blocked")
    web.login("admin")
    page.fill("#blocked-phone", "139 0000 8888")
    page.click("button[name=save-blocked]")  # no reason: refused in Chinese, nothing written
    expect(page.locator("#blocked-error")).to_contain_text("请写明列入黑名单的理由")
    page.fill("#blocked-reason", "反复恶意留言")
    page.click("button[name=save-blocked]")
    row = page.locator("#blocked tr[data-phone='13900008888']")
    expect(row).to_contain_text("反复恶意留言")
    web.shot("admin-blocked")
    letter = httpx.post(f"{live_server}/api/public/letters", json={**LETTER, "phone": "13900008888"})
    assert letter.status_code == 403

    row.locator("button[name=unblock]").click()  # the confirmation is accepted
    expect(row).to_have_count(0)
    letter = httpx.post(f"{live_server}/api/public/letters", json={**LETTER, "phone": "13900008888"})
    assert letter.status_code == 201, letter.text
