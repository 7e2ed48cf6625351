"""What the log may hold (issue 18): no query code, password or token in any line; a citizen's typo or any other
ordinary 4xx is one INFO line without a traceback; a 5xx is still an ERROR with its traceback.

Written before the fix: on the old code every receipt SMS line carried the query code, and a wrong query code was
logged at ERROR with a full traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx
import pytest
from litestar import get
from rq import SimpleWorker

from hotline.jobs import get_queue
from hotline.notify import LogSender, set_sender
from tests.fixtures import CALL
from tests.hostile.conftest import login
from tests.hostile.logcapture import captured_logs
from web.demo.county import DEMO_PASSWORD

LETTER = {"title": "路灯不亮", "content": "望江花园南门路灯坏了一周", "phone": "13900007777", "township": "城关街道"}


@pytest.fixture
def log_sender() -> Iterator[LogSender]:
    sender = LogSender()
    set_sender(sender)
    yield sender
    set_sender(None)


def _work() -> None:
    queue = get_queue()
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


def test_the_receipt_sms_is_sent_with_its_query_code_but_logged_without_it(live_server, log_sender, daytime):
    with captured_logs() as lines:
        receipt = httpx.post(f"{live_server}/api/public/letters", json=LETTER).json()
        _work()
    code = receipt["query_code"]
    (sent,) = [text for phone, text in log_sender.sent if phone == LETTER["phone"] and "查询码" in text]
    assert code in sent  # the citizen still gets it
    sms_lines = lines.containing(receipt["number"])
    assert sms_lines, "the SMS is logged"
    assert not lines.containing(code), lines.containing(code)
    assert any("查询码 ********" in line.text for line in sms_lines), sms_lines


def test_no_password_token_or_key_reaches_a_log_line(live_server):
    """Whatever a line quotes (a URL with its query, a header, a body), the secrets in it are blanked."""
    headers = login(live_server, "operator1")
    token = headers["Authorization"].removeprefix("Bearer ")
    with captured_logs() as lines:
        httpx.post(f"{live_server}/api/auth/login", json={"username": "operator1", "password": "wrong-Passw0rd!"})
        httpx.post(f"{live_server}/api/auth/login", content=f'{{"username": "x", "password": "{DEMO_PASSWORD}"',
                   headers={"content-type": "application/json"})
        httpx.get(f"{live_server}/open311/v2/requests.json?api_key=k_secret_key_123456", headers=headers)
        httpx.get(f"{live_server}/api/tickets/NOPE", headers=headers)
        # what uvicorn's access log and a careless line would write, made through the process's own factory
        logging.getLogger("uvicorn.access").warning('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5", "GET",
                                                    "/api/board/ws?pass=p_secret_pass_987654&after=3", "1.1", 403)
        logging.getLogger("test.careless").warning("headers %s body %s", {"Authorization": f"Bearer {token}"},
                                                   '{"username": "a", "password": "hunter2hunter2"}')
    for secret in ("wrong-Passw0rd!", DEMO_PASSWORD, "k_secret_key_123456", "p_secret_pass_987654", token,
                   "hunter2hunter2"):
        assert not lines.containing(secret), (secret, lines.containing(secret))
    assert lines.containing("/api/board/ws?pass="), "the line itself is kept, only the secret goes"


@pytest.mark.parametrize("attempt", ["lookup 404", "transition 409", "bad body 400", "no token 401",
                                     "wrong role 403", "throttled 429", "no route 404"])
def test_an_ordinary_4xx_is_one_info_line_without_a_traceback(live_server, attempt):
    operator = login(live_server, "operator1")
    with httpx.Client(base_url=live_server, timeout=30) as http:
        number = http.post("/api/tickets", json=CALL, headers=operator).json()["number"]
        path, send = {
            "lookup 404": ("/api/public/lookup",
                           lambda: http.post("/api/public/lookup", json={"number": number, "query_code": "00000000"})),
            "transition 409": (f"/api/tickets/{number}/submit",
                               lambda: [http.post(f"/api/tickets/{number}/submit", headers=operator)
                                        for _ in range(2)][-1]),
            "bad body 400": ("/api/tickets", lambda: http.post("/api/tickets", json={"content": ""}, headers=operator)),
            "no token 401": ("/api/tickets", lambda: http.get("/api/tickets")),
            "wrong role 403": ("/api/audit/events", lambda: http.get("/api/audit/events", headers=operator)),
            "throttled 429": ("/api/public/lookup", lambda: [
                http.post("/api/public/lookup", json={"number": number, "query_code": "1"}) for _ in range(12)][-1]),
            "no route 404": ("/api/nowhere", lambda: http.get("/api/nowhere")),
        }[attempt]
        with captured_logs() as lines:
            status = send().status_code
    assert 400 <= status < 500, status
    lines = [line for line in lines if not line.logger.startswith(("httpx", "httpcore"))]  # the test's own client
    about = [line for line in lines if path in line.text]
    assert not [line for line in lines if line.level >= logging.WARNING and (line.traceback or path in line.text)], \
        [line for line in lines if line.level >= logging.WARNING]
    assert [line for line in about if line.level == logging.INFO and str(status) in line.text], lines


@get("/api/boom", opt={"public": True}, sync_to_thread=False)
def boom() -> None:
    raise RuntimeError("a bug of ours")


def test_a_5xx_is_still_an_error_with_its_traceback():
    from tests.harness import ThreadServer
    from web.app import create_app

    app = create_app()
    app.register(boom)
    with ThreadServer(app) as server, captured_logs() as lines:
        response = httpx.get(f"{server.url}/api/boom")
    assert response.status_code == 500
    errors = [line for line in lines if line.level >= logging.ERROR and line.traceback]
    assert errors and "a bug of ours" in errors[0].text and "/api/boom" in errors[0].text, lines
