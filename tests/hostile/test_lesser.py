"""The lesser findings of issue 18, one test each, written before the fix: a cross-site form could post letters
(text/plain accepted), personal data could be cached, bidi controls were kept, the Host header was reflected into
Open311 discovery, the board socket ignored Origin, and var/hotline.db was world-readable."""

from __future__ import annotations

import asyncio
import json
import os
import stat
import subprocess
import sys

import httpx
import pytest
from sqlalchemy import func, select
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from hotline.database import session_scope
from hotline.models import Ticket
from tests.fixtures import CALL
from tests.harness import ROOT
from tests.hostile.conftest import login

LETTER = {"title": "路灯不亮", "content": "望江花园南门路灯坏了一周", "phone": "13900006666", "township": "城关街道"}
CITIZEN = {"number": "2026120300001", "query_code": "12345678"}


def _tickets() -> int:
    with session_scope() as session:
        return session.scalar(select(func.count(Ticket.id)))


@pytest.mark.parametrize(("path", "body"), [
    ("/api/public/letters", LETTER), ("/api/public/lookup", CITIZEN),
    ("/api/public/rating", {**CITIZEN, "satisfaction": "satisfied", "solved": "solved"}),
    ("/api/public/supplement", {**CITIZEN, "content": "杆号 A-17"}),
])
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data",
                                          None])
def test_a_public_json_post_refuses_what_a_cross_site_form_can_send(live_server, path, body, content_type):
    """A browser form can send text/plain, urlencoded or multipart to another site without asking; only JSON is
    taken, so a page elsewhere cannot file letters (or guess codes) in a visitor's name."""
    headers = {"content-type": content_type} if content_type else {}
    before = _tickets()
    response = httpx.post(f"{live_server}{path}", content=json.dumps(body).encode(), headers=headers)
    assert response.status_code == 415, response.text
    assert "JSON" in response.json()["detail"]
    assert _tickets() == before


def test_json_with_a_charset_is_still_json(live_server):
    response = httpx.post(f"{live_server}/api/public/letters", content=json.dumps(LETTER).encode(),
                          headers={"content-type": "application/json; charset=utf-8"})
    assert response.status_code == 201, response.text


def test_answers_with_personal_data_are_not_stored_by_any_cache(live_server):
    staff = login(live_server, "operator1")
    receipt = httpx.post(f"{live_server}/api/public/letters", json=LETTER).json()
    citizen = {"number": receipt["number"], "query_code": receipt["query_code"]}
    answers = [
        httpx.post(f"{live_server}/api/public/letters", json={**LETTER, "phone": "13900006667"}),
        httpx.post(f"{live_server}/api/public/lookup", json=citizen),
        httpx.post(f"{live_server}/api/public/lookup", json={**citizen, "query_code": "0"}),  # a 404 too
        httpx.get(f"{live_server}/api/tickets/{receipt['number']}", headers=staff),
        httpx.get(f"{live_server}/api/tickets", headers=staff),
        httpx.get(f"{live_server}/api/reference/areas"),
        httpx.get(f"{live_server}/open311/v2/requests.json"),
        httpx.get(f"{live_server}/open311/discovery.xml"),
    ]
    for response in answers:
        assert response.headers.get("cache-control") == "no-store", (response.request.url, response.headers)
    static = httpx.get(f"{live_server}/static/vendor/plotly.min.js")
    assert "no-store" not in static.headers.get("cache-control", "")  # public files may still be cached


BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"


def test_bidi_controls_are_removed_from_names_and_text(live_server):
    """U+202E (right-to-left override) makes a name display as another, and hides what a text really says."""
    staff = login(live_server, "operator1")
    letter = {**LETTER, "name": "欧阳\u202e国建\u202c", "title": "\u2067路灯\u2069不亮",
              "content": "\u202d望江花园\u202c南门" + BIDI + "路灯坏了", "address": "城关街道\u200f望江花园"}
    number = httpx.post(f"{live_server}/api/public/letters", json=letter).json()["number"]
    call = httpx.post(f"{live_server}/api/tickets", headers=staff,
                      json={**CALL, "caller_name": "王\u2066建国\u2069", "content": CALL["content"] + "\u202e"}).json()
    for ticket_number in (number, call["number"]):
        ticket = httpx.get(f"{live_server}/api/tickets/{ticket_number}", headers=staff).json()
        text = json.dumps(ticket, ensure_ascii=False)
        assert not any(ch in text for ch in BIDI), [hex(ord(ch)) for ch in text if ch in BIDI]
    ticket = httpx.get(f"{live_server}/api/tickets/{number}", headers=staff).json()
    assert ticket["caller_name"] == "欧阳国建" and "望江花园南门路灯坏了" in ticket["content"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_discovery_never_reflects_the_host_header(live_server, fmt):
    response = httpx.get(f"{live_server}/open311/discovery.{fmt}", headers={"Host": "evil.example"})
    assert response.status_code == 200, response.text
    assert "evil.example" not in response.text
    assert "/open311/v2" in response.text


def _board_socket(live_server: str, origin: str | None) -> int:
    """101 when the socket opens, else the HTTP status of the refusal."""
    board_pass = httpx.post(f"{live_server}/api/board/pass", headers=login(live_server, "commander")).json()["pass"]
    url = f"{live_server.replace('http://', 'ws://')}/api/board/ws?pass={board_pass}"

    async def attempt() -> int:
        try:
            async with connect(url, origin=origin, open_timeout=10, close_timeout=2):
                return 101
        except InvalidStatus as refused:
            return refused.response.status_code

    return asyncio.run(attempt())


def test_the_board_socket_refuses_a_foreign_origin(live_server):
    assert _board_socket(live_server, "https://evil.example") == 403
    assert _board_socket(live_server, "null") == 403  # a sandboxed frame or a file:// page


def test_the_board_socket_takes_its_own_origin_and_configured_ones(live_server, environ):
    assert _board_socket(live_server, live_server) == 101
    assert _board_socket(live_server, None) == 101  # not a browser: the terminal client and wall devices
    environ(BOARD_ALLOWED_ORIGINS="https://wall.example.gov.cn, https://screen.example.gov.cn")
    assert _board_socket(live_server, "https://screen.example.gov.cn") == 101


def test_the_var_dir_and_database_file_are_owner_only(tmp_path):
    var = tmp_path / "fresh-var"
    env = {**os.environ, "HOTLINE_VAR_DIR": str(var)}
    env.pop("DATABASE_URL", None)
    script = "import os; os.umask(0o022); from hotline.migrate import upgrade; upgrade()"
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True, timeout=120,
                   capture_output=True)
    assert stat.S_IMODE(var.stat().st_mode) == 0o700, oct(var.stat().st_mode)
    database = var / "hotline.db"
    assert stat.S_IMODE(database.stat().st_mode) == 0o600, oct(database.stat().st_mode)
