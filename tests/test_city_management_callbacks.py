"""Status sent back to the 数字城管 platform: a signed POST to a real HTTP server started here, after each step,
in order, retried with backoff when the platform's server fails. Expectations are what the platform receives."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from rq import SimpleWorker
from sqlalchemy import select

from hotline import clock
from hotline.city_management.delivery import deliver_due
from hotline.city_management.models import CityCallback
from hotline.database import session_scope
from hotline.jobs import get_queue
from tests.test_city_management_intake import EVENT, EVENTS, SYSTEMS, _clean, issue, send  # noqa: F401 - _clean: autouse

CGJ = "县城市管理和综合执法局"


class Receiver:
    """The platform's callback endpoint: records what arrives, and can answer 500 a number of times first."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.fail_next = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                failing = receiver.fail_next > 0
                receiver.fail_next -= failing
                self.send_response(500 if failing else 204)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/cg/callback"

    def bodies(self) -> list[dict]:
        return [json.loads(body) for _, body in self.received]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    thread = threading.Thread(target=found.server.serve_forever, daemon=True)
    thread.start()
    yield found
    found.server.shutdown()
    found.server.server_close()


@pytest.fixture
def admin(login):
    return login("admin")


@pytest.fixture
def handler(login):
    return login("h_cgj")  # 城管局, the catalogue's lead for 0107


def work() -> None:
    queue = get_queue()
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


def sweep_at(moment: datetime) -> None:
    """The scheduler's minute job, run by the worker at a later time."""
    with clock.frozen(moment):
        get_queue().enqueue(deliver_due)
        work()


def filed(client, platform) -> str:
    response = send(client, platform["api_key"], EVENT)
    assert response.status_code == 201, response.text
    return response.json()["ticket_number"]


def rows() -> list[CityCallback]:
    with session_scope() as session:
        found = session.scalars(select(CityCallback).order_by(CityCallback.id)).all()
        session.expunge_all()
        return list(found)


def test_each_step_is_posted_signed_in_order_and_the_pull_agrees(client, admin, receiver, operator, handler):
    platform = issue(admin, callback_url=receiver.url)
    number = filed(client, platform)
    assert operator.act(number, "dispatch", {"category_code": "0107"}).status_code == 200
    work()
    assert len(receiver.received) == 1
    headers, raw = receiver.received[0]
    sent = json.loads(raw)
    assert {key: sent[key] for key in ("event_id", "ticket_number", "status", "status_label", "finished", "action",
                                       "department")} == {
        "event_id": "CG20261207000123", "ticket_number": number, "status": "pending_sign",
        "status_label": "待签收", "finished": False, "action": "dispatch", "department": CGJ}
    moment = datetime.fromisoformat(sent["occurred_at"])
    assert moment.utcoffset() == timedelta(hours=8) and abs(time.time() - moment.timestamp()) < 120
    assert headers["content-type"].startswith("application/json")
    # the platform checks the signature with the secret it was given once: HMAC-SHA256 over "<timestamp>.<body>"
    timestamp = headers["x-hotline-timestamp"]
    expected = hmac.new(platform["signing_secret"].encode(), f"{timestamp}.".encode() + raw, hashlib.sha256)
    assert headers["x-hotline-signature"] == "sha256=" + expected.hexdigest()
    assert abs(int(timestamp) - time.time()) < 120
    assert headers["x-hotline-delivery"].isdigit()

    assert handler.act(number, "sign").status_code == 200
    assert handler.act(number, "reply", {"reply": "已清运垃圾，现场已恢复整洁。"}).json()["status"] == "closed"
    work()
    assert [(body["status"], body["action"], body["finished"]) for body in receiver.bodies()] == [
        ("pending_sign", "dispatch", False), ("in_progress", "sign", False), ("closed", "reply", True)]
    assert len({headers["x-hotline-delivery"] for headers, _ in receiver.received}) == 3
    assert [row.state for row in rows()] == ["sent"] * 3

    pulled = client.get(f"{EVENTS}/{EVENT['event_id']}", headers={"X-Api-Key": platform["api_key"]}).json()
    assert (pulled["status"], pulled["finished"], pulled["department"]) == ("closed", True, CGJ)
    assert pulled["reply"] == "已清运垃圾，现场已恢复整洁。"
    assert [step["status"] for step in pulled["history"]] == ["pending_dispatch", "pending_sign", "in_progress",
                                                              "closed"]
    assert datetime.fromisoformat(pulled["closed_at"]).utcoffset() == timedelta(hours=8)


def test_a_failed_post_is_retried_after_the_backoff_and_later_steps_wait_their_turn(
        client, admin, receiver, operator, handler):
    platform = issue(admin, callback_url=receiver.url)
    number = filed(client, platform)
    receiver.fail_next = 1
    operator.act(number, "dispatch", {"category_code": "0107"})
    with clock.frozen(clock.now()) as attempted:  # the wall clock of this machine has been seen to step
        work()
    assert len(receiver.received) == 1  # answered 500
    (first,) = rows()
    assert (first.state, first.attempts) == ("pending", 1) and "500" in first.last_error
    assert first.next_attempt_at == attempted[0] + timedelta(minutes=1)

    handler.act(number, "sign")  # the next step must not overtake the one that failed
    work()
    assert len(receiver.received) == 1

    sweep_at(clock.now() + timedelta(minutes=2))
    bodies = receiver.bodies()
    assert [body["status"] for body in bodies] == ["pending_sign", "pending_sign", "in_progress"]
    assert bodies[0] == bodies[1]  # the same message again, under the same delivery id
    assert receiver.received[0][0]["x-hotline-delivery"] == receiver.received[1][0]["x-hotline-delivery"]
    assert [(row.state, row.attempts) for row in rows()] == [("sent", 2), ("sent", 1)]


def test_a_platform_that_keeps_failing_is_given_up_on_after_the_last_retry(client, admin, receiver, operator):
    platform = issue(admin, callback_url=receiver.url)
    number = filed(client, platform)
    receiver.fail_next = 100
    operator.act(number, "dispatch", {"category_code": "0107"})
    work()
    for hours in (1, 2, 3):
        sweep_at(clock.now() + timedelta(hours=hours))
    assert len(receiver.received) == 4  # the first try and three retries (1, 5, 30 minutes)
    (row,) = rows()
    assert (row.state, row.attempts) == ("failed", 4)
    assert admin.get(SYSTEMS).json()[0]["callbacks_failed"] == 1
    sweep_at(clock.now() + timedelta(hours=5))
    assert len(receiver.received) == 4


def test_no_callback_url_no_callbacks_and_the_url_can_be_set_later(client, admin, receiver, operator, handler):
    platform = issue(admin)
    number = filed(client, platform)
    operator.act(number, "dispatch", {"category_code": "0107"})
    work()
    assert rows() == []
    response = admin.client.patch(f"{SYSTEMS}/{platform['id']}", json={"callback_url": receiver.url},
                                  headers=admin.headers)
    assert response.status_code == 200 and response.json()["callback_url"] == receiver.url
    handler.act(number, "sign")
    work()
    assert [body["status"] for body in receiver.bodies()] == ["in_progress"]


def test_a_revoked_platform_is_told_nothing_more(client, admin, receiver, operator, handler):
    platform = issue(admin, callback_url=receiver.url)
    number = filed(client, platform)
    operator.act(number, "dispatch", {"category_code": "0107"})
    admin.client.delete(f"{SYSTEMS}/{platform['id']}", headers=admin.headers)
    work()
    handler.act(number, "sign")
    work()
    assert receiver.received == []
    assert [row.state for row in rows()] == ["failed"]


def test_a_platform_server_that_is_down_is_retried_too(client, admin, operator):
    from tests.harness import free_port

    platform = issue(admin, callback_url=f"http://127.0.0.1:{free_port()}/cg/callback")  # nothing listens there
    number = filed(client, platform)
    operator.act(number, "dispatch", {"category_code": "0107"})
    work()
    (row,) = rows()
    assert (row.state, row.attempts) == ("pending", 1) and "unreachable" in row.last_error
