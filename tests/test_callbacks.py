"""回访: the queue of 办结 tickets, each call recorded, the survey as the rating, and 回访失败 after failed calls.

Expectations from the county's rules (issue 20): due within 1 working day of 办结 (a Friday close is due on
Monday), at most 3 failed calls, operators see the caller's phone to call it, only operators call.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from hotline import clock
from hotline.settings import TIME_ZONE
from tests.fixtures import CALL, reference_tables_restored

FRIDAY_AFTERNOON = datetime(2026, 11, 27, 15, 0, tzinfo=TIME_ZONE)  # no holiday near it
MONDAY_SAME_HOUR = datetime(2026, 11, 30, 15, 0, tzinfo=TIME_ZONE)
REACHED = {"outcome": "reached", "note": "群众表示路灯已修好", "satisfaction": "satisfied", "solved": "solved",
           "contacted": True}


@pytest.fixture
def handler(login):
    return login("h_cgj")  # 城管局, the catalogue's lead for 路灯照明 (0107)


def _in_progress(operator, handler) -> str:
    response = operator.post("/api/tickets", json=CALL)
    assert response.status_code == 201, response.text
    number = response.json()["number"]
    assert operator.act(number, "dispatch", {"category_code": "0107"}).status_code == 200
    assert handler.act(number, "sign").status_code == 200
    return number


def _closed(operator, handler) -> str:
    number = _in_progress(operator, handler)
    response = handler.act(number, "reply", {"reply": "路灯已更换，恢复照明。"})
    assert response.status_code == 200, response.text
    return number


def _queue(api) -> dict[str, dict]:
    response = api.get("/api/callbacks")
    assert response.status_code == 200, response.text
    return {item["number"]: item for item in response.json()}


def test_a_closed_ticket_is_due_for_callback_and_the_operator_sees_the_phone(operator, handler, commander):
    number = _closed(operator, handler)
    item = _queue(operator)[number]
    assert item["caller_phone"] == "13800138000" and item["caller_name"] == "王建国"
    assert item["attempts"] == 0 and item["overdue"] is False
    assert item["department"] == "县城市管理和综合执法局"
    assert number in _queue(commander)
    assert handler.get("/api/callbacks").status_code == 403


def test_a_friday_close_is_due_on_monday(operator, handler):
    number = _in_progress(operator, handler)
    with clock.frozen(FRIDAY_AFTERNOON):
        assert handler.act(number, "reply", {"reply": "路灯已更换。"}).status_code == 200
    item = _queue(operator)[number]
    assert datetime.fromisoformat(item["due_at"]) == MONDAY_SAME_HOUR
    assert item["overdue"] is True  # the suite runs after that Monday


def test_the_overdue_come_first(operator, handler):
    later = _closed(operator, handler)
    earlier = _in_progress(operator, handler)
    with clock.frozen(FRIDAY_AFTERNOON):
        handler.act(earlier, "reply", {"reply": "已处理。"})
    assert list(_queue(operator))[:2] == [earlier, later]


def test_reached_records_the_survey_as_the_rating_and_leaves_the_queue(operator, handler):
    number = _closed(operator, handler)
    response = operator.post(f"/api/tickets/{number}/callback-attempts", json=REACHED)
    assert response.status_code == 200, response.text
    ticket = response.json()
    assert ticket["status"] == "rated" and ticket["satisfaction"] == "satisfied" and ticket["solved"] == "solved"
    attempt, rating = ticket["events"][-2:]
    assert attempt["action"] == "callback_attempt" and attempt["data"]["outcome"] == "reached"
    assert rating["action"] == "rate" and rating["data"]["contacted"] is True
    assert number not in _queue(operator)
    # the same call sent twice: the second finds nothing to call
    again = operator.post(f"/api/tickets/{number}/callback-attempts", json=REACHED)
    assert again.status_code == 409 and "不在回访队列" in again.json()["detail"]


def test_three_failed_calls_end_as_unreachable_and_the_ticket_can_be_archived(operator, handler, commander):
    number = _closed(operator, handler)
    for outcome in ("no_answer", "busy"):
        response = operator.post(f"/api/tickets/{number}/callback-attempts", json={"outcome": outcome})
        assert response.status_code == 200, response.text
    item = _queue(operator)[number]
    assert item["attempts"] == 2 and item["failed_attempts"] == 2 and item["last_outcome"] == "busy"
    response = operator.post(f"/api/tickets/{number}/callback-attempts", json={"outcome": "refused", "note": "挂断"})
    ticket = response.json()
    assert ticket["status"] == "closed"
    assert [e["action"] for e in ticket["events"][-4:]] == ["callback_attempt"] * 3 + ["callback_failed"]
    assert ticket["events"][-2]["note"] == "挂断"
    assert number not in _queue(operator)
    assert operator.post(f"/api/tickets/{number}/callback-attempts", json={"outcome": "busy"}).status_code == 409
    assert commander.act(number, "archive").json()["status"] == "archived"


def test_a_ticket_not_at_close_is_not_in_the_queue(operator, handler):
    number = _in_progress(operator, handler)
    response = operator.post(f"/api/tickets/{number}/callback-attempts", json={"outcome": "busy"})
    assert response.status_code == 409
    assert operator.get(f"/api/tickets/{number}").json()["events"][-1]["action"] == "sign"  # nothing written


def test_only_the_operator_calls(operator, handler, commander):
    number = _closed(operator, handler)
    for api in (handler, commander):
        assert api.post(f"/api/tickets/{number}/callback-attempts", json={"outcome": "busy"}).status_code == 403
    assert operator.post("/api/tickets/20990101-00001/callback-attempts", json={"outcome": "busy"}).status_code == 404


@pytest.mark.parametrize("body", [
    {"outcome": "reached"},  # reached without the survey
    {"outcome": "reached", "satisfaction": "satisfied", "solved": "solved"},  # without 是否联系
    {"outcome": "busy", "satisfaction": "satisfied"},  # a survey from a call nobody answered
    {"outcome": "hung_up"},
])
def test_an_incomplete_or_wrong_call_is_refused_and_writes_nothing(operator, handler, body):
    number = _closed(operator, handler)
    response = operator.post(f"/api/tickets/{number}/callback-attempts", json=body)
    assert response.status_code == 400
    assert _queue(operator)[number]["attempts"] == 0


def test_a_citizen_rating_online_ends_the_callback(operator, handler, client):
    receipt = operator.post("/api/tickets", json=CALL).json()
    number = receipt["number"]
    operator.act(number, "dispatch", {"category_code": "0107"})
    handler.act(number, "sign")
    handler.act(number, "reply", {"reply": "已修复。"})
    assert number in _queue(operator)
    response = client.post("/api/public/rating", json={"number": number, "query_code": receipt["query_code"],
                                                      "satisfaction": "satisfied", "solved": "solved"})
    assert response.status_code == 200
    assert number not in _queue(operator)


def test_the_old_callback_path_also_ends_it(operator, handler):
    number = _closed(operator, handler)
    response = operator.post(f"/api/tickets/{number}/callback", json={"satisfaction": "satisfied",
                                                                      "solved": "solved", "contacted": False})
    assert response.status_code == 200
    assert response.json()["events"][-1]["data"]["contacted"] is False
    assert number not in _queue(operator)


def test_the_county_may_change_the_days_and_the_attempts(operator, handler, login):
    with reference_tables_restored():
        admin = login("admin")
        rules = admin.get("/api/admin/policy").json()["rules"]
        response = admin.post("/api/admin/policy", json={**rules, "callback_working_days": 2,
                                                         "callback_max_failed_attempts": 1})
        assert response.status_code == 201, response.text
        number = _in_progress(operator, handler)
        with clock.frozen(FRIDAY_AFTERNOON):
            handler.act(number, "reply", {"reply": "已处理。"})
        assert datetime.fromisoformat(_queue(operator)[number]["due_at"]) == datetime(2026, 12, 1, 15, 0,
                                                                                   tzinfo=TIME_ZONE)
        events = operator.post(f"/api/tickets/{number}/callback-attempts", json={"outcome": "busy"}).json()["events"]
        assert events[-1]["action"] == "callback_failed"
