"""The API docs render in Chromium with nothing but this server (the fixture fails on any request elsewhere)."""

from __future__ import annotations


def test_swagger_ui_shows_the_operations(open_page):
    watched = open_page()
    page = watched.goto("/schema/swagger")
    page.wait_for_selector(".opblock")
    operations = page.locator(".opblock-summary-path").all_inner_texts()
    assert len(operations) > 50
    assert any(text.replace("\u200b", "") == "/api/tickets/{number}/dispatch" for text in operations)
    assert page.locator(".info .title").inner_text().startswith("12345 热线与综合指挥中心 API")
    watched.shot("api-docs-swagger")


def test_redoc_shows_the_operations(open_page):
    watched = open_page()
    page = watched.goto("/schema")
    page.wait_for_selector("[data-section-id^='operation/'], [data-section-id^='tag/']")
    assert "12345 热线与综合指挥中心 API" in page.locator("h1").first.inner_text()
    page.wait_for_selector("img[alt='redocly logo']")  # its sidebar logo, now this server's copy
    watched.shot("api-docs-redoc")
    # Redoc starts its search worker from a blob: URL it makes itself, of this page's own origin: not a request
    # to another server. Anything else stays a problem for the fixture to report.
    own_blob = f"request off the service: blob:{watched.base}/"
    watched.problems[:] = [problem for problem in watched.problems if not problem.startswith(own_blob)]
