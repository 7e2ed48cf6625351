"""Personal data written into a ticket's own words, read over real HTTP by everyone who may read the ticket.

The caller states a name, a dashed phone and an ID number in the text (issue 18: the auditor, the board and
keyless Open311 showed them in full). The auditor and the admin get the redacted text everywhere they can read
it; the operator, the commander and the handler of the ticket's department get it in full, and each such read
leaves an access record that the auditor lists.
"""

from __future__ import annotations

import httpx
import pytest

from hotline.database import session_scope
from open311.keys import create_key
from tests.fixtures import CALL
from tests.hostile.conftest import DEPT_A, HANDLER_A

WORDS = "我叫欧阳建国，电话139-1234-5679，身份证430102198001011234，小区门口的路灯坏了一个多星期"
SECRETS = ("欧阳建国", "139-1234-5679", "13912345679", "430102198001011234")
REPLY = "已联系欧阳建国（139 1234 5679），路灯已修复"


def _no_secret(text: str) -> None:
    for secret in (*SECRETS, "139 1234 5679"):
        assert secret not in text, secret


@pytest.fixture
def ticket(live_server, tokens) -> str:
    http = httpx.Client(base_url=live_server, timeout=30)
    departments = {d["code"]: d["id"] for d in http.get("/api/departments", headers=tokens["operator1"]).json()}
    body = {**CALL, "content": WORDS, "caller_name": "周晓梅", "caller_phone": "13700009999"}
    number = http.post("/api/tickets", json=body, headers=tokens["operator1"]).json()["number"]
    assert http.post(f"/api/tickets/{number}/dispatch", json={"department_id": departments[DEPT_A]},
                     headers=tokens["operator1"]).status_code == 200
    assert http.post(f"/api/tickets/{number}/sign", headers=tokens[HANDLER_A]).status_code == 200
    assert http.post(f"/api/tickets/{number}/notes", json={"reason": "来电人说欧阳建国的身份证是430102198001011234"},
                     headers=tokens[HANDLER_A]).status_code == 200
    notice = http.post(f"/api/tickets/{number}/supervise", headers=tokens["commander"],
                       json={"message": "请尽快回电欧阳建国 139-1234-5679", "respond_within_days": 2})
    assert notice.status_code == 201, notice.text
    assert http.post(f"/api/tickets/{number}/reply", json={"reply": REPLY},
                     headers=tokens[HANDLER_A]).status_code == 200
    return number


@pytest.mark.parametrize("reader", ["auditor", "admin"])
def test_auditor_and_admin_never_read_the_stated_personal_data(live_server, tokens, ticket, reader):
    headers = tokens[reader]
    detail = httpx.get(f"{live_server}/api/tickets/{ticket}", headers=headers)
    listed = httpx.get(f"{live_server}/api/tickets", headers=headers)
    assert detail.status_code == listed.status_code == 200
    _no_secret(detail.text)
    _no_secret(listed.text)
    assert detail.json()["caller_phone"] == "137****9999" and detail.json()["caller_name"] == "周**"
    assert "路灯坏了一个多星期" in detail.json()["content"] and "路灯已修复" in detail.json()["reply"]
    if reader == "auditor":
        log = httpx.get(f"{live_server}/api/audit/events", params={"ticket": ticket}, headers=headers)
        assert log.status_code == 200 and [e["action"] for e in log.json()][:2] == ["receive", "dispatch"]
        _no_secret(log.text)
        notices = httpx.get(f"{live_server}/api/supervision", headers=headers)
        assert notices.status_code == 200 and ticket in notices.text
        _no_secret(notices.text)


@pytest.mark.parametrize("reader", ["operator1", "commander", HANDLER_A])
def test_the_staff_of_the_ticket_read_it_in_full(live_server, tokens, ticket, reader):
    detail = httpx.get(f"{live_server}/api/tickets/{ticket}", headers=tokens[reader]).json()
    assert detail["content"] == WORDS and detail["reply"] == REPLY
    assert detail["caller_phone"] == "13700009999" and detail["caller_name"] == "周晓梅"


def test_every_full_read_leaves_an_access_record_the_auditor_lists(live_server, tokens, ticket):
    before = httpx.get(f"{live_server}/api/audit/access", params={"ticket": ticket}, headers=tokens["auditor"])
    assert before.status_code == 200
    assert httpx.get(f"{live_server}/api/tickets/{ticket}", headers=tokens[HANDLER_A]).status_code == 200
    assert httpx.get(f"{live_server}/api/tickets/{ticket}", headers=tokens["auditor"]).status_code == 200
    after = httpx.get(f"{live_server}/api/audit/access", params={"ticket": ticket},
                      headers=tokens["auditor"]).json()
    assert len(after) == len(before.json()) + 1  # the handler's read; the auditor's redacted one is no access
    newest = after[0]
    assert (newest["ticket"], newest["staff"], newest["view"]) == (ticket, HANDLER_A, "detail")
    by_staff = httpx.get(f"{live_server}/api/audit/access", params={"staff": "operator1", "limit": 1},
                         headers=tokens["admin"]).json()
    assert len(by_staff) == 1 and by_staff[0]["staff"] == "operator1"
    assert httpx.get(f"{live_server}/api/audit/access", headers=tokens[HANDLER_A]).status_code == 403


def test_keyless_open311_reads_of_an_app_report_are_redacted(live_server):
    with session_scope() as session:
        _, key = create_key(session, "随手拍", None, None, None)
    filed = httpx.post(f"{live_server}/open311/v2/requests.json",
                       data={"api_key": key, "service_code": "0107", "lat": "28.2001", "long": "112.9302",
                             "description": WORDS})
    assert filed.status_code == 200, filed.text
    number = filed.json()[0]["service_request_id"]
    for path in ("/open311/v2/requests.json", f"/open311/v2/requests/{number}.json", "/open311/v2/requests.xml"):
        answer = httpx.get(live_server + path)
        assert answer.status_code == 200 and number in answer.text
        _no_secret(answer.text)
    one = httpx.get(f"{live_server}/open311/v2/requests/{number}.json").json()[0]
    assert "路灯坏了一个多星期" in one["description"]
