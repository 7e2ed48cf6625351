"""Browser fixtures for the people's pages: the system's headless Chromium driven by Playwright, against the app
behind a real uvicorn server (`live_server`, here with an app of its own), with screenshots under
test-artifacts/pages/.

Under CI=true a missing Chromium, Playwright or Chinese font fails the run; elsewhere those tests are skipped with
the reason. Set-up calls go over HTTP to the same server the browser uses.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests import harness

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "pages"
PASSWORD = "demo12345"
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
# the sizes issue 22 names: a clerk's screens, a citizen's phones, a command center's walls
WORKSTATIONS = ({"width": 1366, "height": 768}, {"width": 1920, "height": 1080})
PHONES = ({"width": 360, "height": 640}, {"width": 390, "height": 844})
WALLS = ({"width": 1366, "height": 768}, {"width": 1920, "height": 1080}, {"width": 2560, "height": 1440},
         {"width": 3840, "height": 2160})


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """One Chromium for the package; each test gets its own context (cookies, storage) from `open_page`."""
    with harness.chromium() as chromium:
        yield chromium


class Watched:
    """A page plus what went wrong on it: script errors, console errors other than expected HTTP refusals, and any
    request to another origin than the service's."""

    def __init__(self, page: Any, base: str) -> None:
        self.page = page
        self.base = base
        self.problems: list[str] = []
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("console", self._console)
        page.on("dialog", lambda dialog: dialog.accept())
        page.on("request", self._request)

    def _request(self, request: Any) -> None:
        # everything a page needs comes from the service itself: no CDN, no font or script from elsewhere
        if not request.url.startswith((self.base + "/", "data:")):
            self.problems.append(f"request off the service: {request.url}")

    def _console(self, message: Any) -> None:
        # a 4xx the page shows in Chinese is logged by Chromium as "Failed to load resource"; that is expected
        if message.type == "error" and "Failed to load resource" not in message.text:
            self.problems.append(f"console: {message.text}")

    def goto(self, path: str) -> Any:
        self.page.goto(self.base + path)
        return self.page

    def try_login(self, username: str, password: str = PASSWORD) -> None:
        page = self.page
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button[name=login]")

    def login(self, username: str) -> None:
        self.try_login(username)
        self.page.wait_for_selector(".login-overlay", state="detached")

    def shot(self, name: str, full_page: bool = False) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        if full_page:  # sticky headers would otherwise be drawn where the viewport happened to be
            self.page.evaluate("window.scrollTo(0, 0)")
        self.page.wait_for_timeout(150)  # let the last paint settle
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def fits(self, width: int) -> None:
        """Nothing sticks out sideways: the page scrolls only down, never across."""
        assert self.page.evaluate("document.documentElement.scrollWidth") <= width

    def unclipped(self, selector: str) -> None:
        """Each visible element matching `selector` shows all it holds: nothing hidden behind an overflow that
        does not scroll, and nothing past the window's right edge. Lists that scroll on purpose are not panels."""
        clipped = self.page.evaluate(UNCLIPPED_SCRIPT, selector)
        assert clipped == [], f"clipped: {clipped}"


UNCLIPPED_SCRIPT = """(selector) => {
  const clipped = [];
  for (const element of document.querySelectorAll(selector)) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    const style = getComputedStyle(element);
    const scrolls = (value) => value === "auto" || value === "scroll";
    const name = element.id || element.className || element.tagName;
    if (!scrolls(style.overflowY) && element.scrollHeight > element.clientHeight + 1)
      clipped.push(`${name}: ${element.scrollHeight - element.clientHeight}px cut at the bottom`);
    if (!scrolls(style.overflowX) && element.scrollWidth > element.clientWidth + 1)
      clipped.push(`${name}: ${element.scrollWidth - element.clientWidth}px cut at the side`);
    if (box.right > document.documentElement.clientWidth + 1)
      clipped.push(`${name}: reaches ${Math.round(box.right)}px, past the window`);
  }
  return clipped;
}"""


@pytest.fixture
def open_page(browser, live_server) -> Iterator[Any]:
    contexts = []
    watched: list[Watched] = []

    def factory(viewport: dict[str, int] = DESKTOP) -> Watched:
        context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai",
                                      device_scale_factor=1)
        context.set_default_timeout(15000)
        contexts.append(context)
        page = Watched(context.new_page(), live_server)
        watched.append(page)
        return page

    yield factory
    problems = [p for w in watched for p in w.problems]
    for context in contexts:
        context.close()
    assert problems == [], problems


class Staff:
    """A signed-in staff member over HTTP, for setting the scene the browser then acts on."""

    def __init__(self, base: str, username: str) -> None:
        self.base = base
        response = httpx.post(f"{base}/api/auth/login", json={"username": username, "password": PASSWORD})
        assert response.status_code == 200, response.text
        self.headers = {"Authorization": f"Bearer {response.json()['access_token']}"}

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return httpx.get(self.base + path, headers=self.headers, timeout=30, **kwargs)

    def post(self, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        return httpx.post(self.base + path, json=body or {}, headers=self.headers, timeout=30)

    def act(self, number: str, action: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.post(f"/api/tickets/{number}/{action}", body)
        assert response.status_code == 200, response.text
        return response.json()

    def call(self, content: str, **fields: Any) -> dict[str, Any]:
        body = {"content": content, "caller_name": "王建国", "caller_phone": "13800138000", "township": "城关街道",
                "type": "complaint", **fields}
        response = self.post("/api/tickets", body)
        assert response.status_code == 201, response.text
        return response.json()


@pytest.fixture
def staff(live_server):
    return lambda username: Staff(live_server, username)


def run_jobs() -> None:
    """Routing runs on RQ after intake; a burst worker in the test runs what the API queued."""
    from rq import SimpleWorker

    from hotline.jobs import get_queue

    queue = get_queue()
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
