"""The admin page in Chromium: an admin signs in, creates a unit, makes an account in it (its first password
shown once), signs it in over HTTP, deactivates it, and sees its sign-in refused."""

from __future__ import annotations

import uuid

import httpx
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.usefixtures("reference_restored")  # its units and accounts are put back


def test_an_admin_creates_a_unit_and_an_account_and_deactivates_it(open_page, live_server):
    code, username = f"p{uuid.uuid4().hex[:6]}", f"p{uuid.uuid4().hex[:8]}"
    web = open_page()
    page = web.goto("/admin#units")
    web.login("admin")
    expect(page.locator("#units tr").first).to_be_visible()

    page.fill("#unit-code", code)
    page.click("button[name=save-unit]")  # no name: refused in Chinese, nothing written
    expect(page.locator("#unit-error")).to_contain_text("单位名称不能为空")
    page.fill("#unit-name", f"县页面测试局{code}")
    page.select_option("#unit-kind", "bureau")
    page.fill("#unit-phone", "0730-8123456")
    page.click("button[name=save-unit]")
    row = page.locator(f"#units tr[data-code='{code}']")
    expect(row).to_contain_text(f"县页面测试局{code}")
    expect(row).to_contain_text("07308123456")
    web.shot("admin-units")

    page.click("#nav-staff")
    page.fill("#staff-username", username)
    page.fill("#staff-name", "页面测试员")
    page.select_option("#staff-role", "handler")
    page.select_option("#staff-unit", code)
    page.fill("#staff-phone", "13900139000")
    page.click("button[name=save-staff]")
    shown = page.locator("#staff-password-shown .password")
    expect(shown).to_be_visible()
    password = shown.inner_text()
    row = page.locator(f"#staff tr[data-username='{username}']")
    expect(row).to_contain_text(f"县页面测试局{code}")
    expect(row).to_contain_text("13900139000")
    web.shot("admin-staff-created")

    signed_in = httpx.post(f"{live_server}/api/auth/login", json={"username": username, "password": password})
    assert signed_in.status_code == 200, signed_in.text
    headers = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
    assert httpx.get(f"{live_server}/api/inbox", headers=headers).status_code != 401

    row.locator("button[name=deactivate]").click()  # the confirmation is accepted
    expect(row.locator(".state")).to_have_text("已停用")
    web.shot("admin-staff-deactivated")
    refused = httpx.get(f"{live_server}/api/inbox", headers=headers)
    assert refused.status_code == 401 and "请重新登录" in refused.json()["detail"]
    assert httpx.post(f"{live_server}/api/auth/login", json={"username": username, "password": password}
                      ).status_code == 401


def test_the_admin_page_is_for_admins_only(open_page):
    web = open_page()
    page = web.goto("/admin")
    web.try_login("operator1")
    expect(page.locator(".login .error-box")).to_contain_text("此页面仅限管理员使用")
