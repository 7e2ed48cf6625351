"""The start page at `/`: what runs here, a link to every page with who uses it, and demo accounts only in the
demo (HOTLINE_DEMO=1)."""

from __future__ import annotations

import re

import httpx

from tests.pages.conftest import PHONES, WORKSTATIONS

PAGES = ["/console", "/workbench", "/commander", "/board", "/citizen", "/admin", "/leader", "/report", "/grid",
         "/schema", "/schema/swagger"]


def test_the_start_page_names_accounts_only_in_the_demo(client, environ):
    environ(HOTLINE_DEMO="0")
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    text = page.text
    assert '<html lang="zh-CN">' in text
    assert "清江县 12345 政务服务便民热线" in text and "综合指挥中心" in text
    for path in PAGES:
        assert f'href="{path}"' in text, path
    assert "话务员" in text and "承办" in text and "市民" in text
    assert "demo12345" not in text and "operator1" not in text and "演示账号" not in text

    environ(HOTLINE_DEMO="1")
    text = client.get("/").text
    assert "demo12345" in text
    for user in ("operator1", "h_zjj", "commander", "auditor", "admin", "leader", "grid1"):
        assert f"<code>{user}</code>" in text, user
    console = re.search(r'href="/console">.*?</li>', text, re.S).group(0)
    assert "<code>operator1</code>" in console


def test_the_start_page_in_chromium(open_page, environ, live_server):
    environ(HOTLINE_DEMO="1")
    for viewport in (*WORKSTATIONS, *PHONES):
        watched = open_page(viewport)
        page = watched.goto("/")
        assert page.locator("h1").inner_text().startswith("清江县 12345 政务服务便民热线")
        assert "operator1" in page.locator("li", has=page.locator("a[href='/console']")).inner_text()
        watched.fits(viewport["width"])
        watched.unclipped(".pages li")
        watched.shot(f"start-{viewport['width']}x{viewport['height']}", full_page=True)
    links = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
    assert set(PAGES) <= set(links)
    for link in links:
        assert httpx.get(live_server + link, timeout=30).status_code == 200, link
