"""办结审核 and 工单质检 through the API: which replies wait for review, approve, return and reply again, who may
decide, the citizen's view, the notices, the review's working-day limit and the unit's quality figures.

Expectations from the rules (issue 20, docs/reply_review.md): the county default reviews complaints only, within
1 working day of the reply; four 是/否 checks score 25 points each."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from hotline import clock
from hotline.database import session_scope
from hotline.settings import TIME_ZONE
from tests.fixtures import CALL, department_id

ALL_PASS = {"answers_request": True, "complete": True, "courteous": True, "cites_basis": True}
FRIDAY_17 = datetime(2026, 11, 20, 17, 0, tzinfo=TIME_ZONE)  # an ordinary Friday, the Monday after it too
MONDAY_17 = datetime(2026, 11, 23, 17, 0, tzinfo=TIME_ZONE)


def _review_types(types: list[str]) -> None:
    from dispatch.models import TimeLimitPolicy

    with session_scope() as session:
        policy = session.get(TimeLimitPolicy, 1)
        policy.rules = {**policy.rules, "reply_review_types": types}


@pytest.fixture
def review_on() -> Iterator[None]:
    """The county default: complaints are reviewed (the suite's county runs without review, tests/fixtures.py)."""
    _review_types(["complaint"])
    yield
    _review_types([])


@pytest.fixture
def handler(login):
    return login("h_cgj")  # 城管局, the catalogue's lead for 路灯照明 (0107)


def _in_progress(operator, handler, **fields) -> dict:
    receipt = operator.post("/api/tickets", json={**CALL, **fields})
    assert receipt.status_code == 201, receipt.text
    number = receipt.json()["number"]
    assert operator.act(number, "dispatch", {"category_code": "0107"}).status_code == 200
    assert handler.act(number, "sign").status_code == 200
    return receipt.json()


def _replied(operator, handler, text: str = "已更换路灯灯泡，依据《城市照明管理规定》第十条，现已恢复照明。", **fields) -> dict:
    receipt = _in_progress(operator, handler, **fields)
    response = handler.act(receipt["number"], "reply", {"reply": text})
    assert response.status_code == 200, response.text
    return receipt


def _public(client, receipt: dict) -> dict:
    response = client.post("/api/public/lookup", json={"number": receipt["number"],
                                                       "query_code": receipt["query_code"]})
    assert response.status_code == 200, response.text
    return response.json()


def _citizen_messages(number: str) -> list[str]:
    from hotline.models import Notification, Ticket

    with session_scope() as session:
        return list(session.scalars(select(Notification.template).join(Ticket, Ticket.id == Notification.ticket_id)
                                    .where(Ticket.number == number, Notification.audience == "citizen")
                                    .order_by(Notification.id)))


# ------------------------------------------------------------------ which replies wait


def test_a_complaint_reply_waits_for_review_and_a_consultation_closes(operator, handler, review_on):
    complaint = _replied(operator, handler)
    ticket = operator.get(f"/api/tickets/{complaint['number']}").json()
    assert ticket["status"] == "pending_review" and ticket["status_label"] == "办结待审核"
    assert ticket["allowed_actions"] == ["approve_reply", "return_reply", "note"]
    consultation = _replied(operator, handler, type="consultation")
    assert operator.get(f"/api/tickets/{consultation['number']}").json()["status"] == "closed"


def test_a_county_may_add_reports_or_switch_review_off(operator, handler):
    _review_types(["complaint", "report"])
    try:
        report = _replied(operator, handler, type="report")
        assert operator.get(f"/api/tickets/{report['number']}").json()["status"] == "pending_review"
        _review_types([])
        complaint = _replied(operator, handler)
        assert operator.get(f"/api/tickets/{complaint['number']}").json()["status"] == "closed"
    finally:
        _review_types([])


def test_the_policy_refuses_an_unknown_ticket_type_for_review(login):
    admin = login("admin")
    rules = {**admin.get("/api/admin/policy").json()["rules"], "reply_review_types": ["complaint", "gossip"]}
    response = admin.post("/api/admin/policy", json=rules)
    assert response.status_code == 400 and "办结审核中有未知的诉求类型：gossip" in response.json()["detail"]


# ------------------------------------------------------------------ approve, return


def test_approve_closes_tells_the_citizen_and_opens_the_rating(operator, handler, commander, client, review_on):
    receipt = _replied(operator, handler)
    number = receipt["number"]
    public = _public(client, receipt)
    assert public["status_label"] == "已答复，审核中"
    assert public["reply"] is None and public["can_rate"] is False
    assert "热线正在审核" in public["timeline"][-1]["text"]
    assert "reply_ready" not in _citizen_messages(number) and "rating_invite" not in _citizen_messages(number)
    rating = {"number": number, "query_code": receipt["query_code"], "satisfaction": "satisfied", "solved": "solved"}
    assert client.post("/api/public/rating", json=rating).status_code == 409  # not rateable yet

    approved = commander.act(number, "review/approve", {**ALL_PASS, "cites_basis": False})
    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert body["status"] == "closed" and body["events"][-1]["action"] == "approve_reply"
    assert body["events"][-1]["data"]["score"] == 75
    assert _citizen_messages(number)[-2:] == ["reply_ready", "rating_invite"]
    public = _public(client, receipt)
    assert public["status_label"] == "已办结" and public["can_rate"] is True
    assert public["reply"].startswith("已更换路灯灯泡")
    assert public["timeline"][-1]["text"].startswith("已办结。答复：已更换路灯灯泡")
    assert client.post("/api/public/rating", json=rating).status_code == 200


def test_approve_twice_is_409(operator, handler, review_on):
    number = _replied(operator, handler)["number"]
    assert operator.act(number, "review/approve", ALL_PASS).status_code == 200
    again = operator.act(number, "review/approve", ALL_PASS)
    assert again.status_code == 409 and again.json()["current_status"] == "closed"


def test_return_then_reply_again_then_approve(operator, handler, commander, client, review_on):
    receipt = _replied(operator, handler, "已处理。")
    number = receipt["number"]
    due_before = operator.get(f"/api/tickets/{number}").json()["due_at"]
    returned = commander.act(number, "review/return", {**ALL_PASS, "complete": False, "cites_basis": False,
                                                       "reason": "未说明何时修复、由谁负责，请补充处理结果和依据"})
    assert returned.status_code == 200, returned.text
    ticket = handler.get(f"/api/tickets/{number}").json()
    assert ticket["status"] == "in_progress" and ticket["reply"] is None and ticket["closed_at"] is None
    assert ticket["due_at"] == due_before  # the original deadline stands
    last = ticket["events"][-1]
    assert last["action"] == "return_reply" and last["note"].startswith("未说明何时修复")  # the handler reads why
    assert "reply" in ticket["allowed_actions"]
    assert "已退回承办单位" in _public(client, receipt)["timeline"][-1]["text"]
    assert "reply_ready" not in _citizen_messages(number)

    assert handler.act(number, "reply", {"reply": "已于11月20日更换灯泡，依据城市照明管理规定。"}).json()["status"] \
        == "pending_review"
    assert commander.act(number, "review/approve", ALL_PASS).json()["status"] == "closed"
    assert _citizen_messages(number).count("reply_ready") == 1

    from dispatch.models import ReplyReview

    with session_scope() as session:
        rows = session.scalars(select(ReplyReview).order_by(ReplyReview.id)).all()
        assert [(r.outcome, r.score, r.department_id) for r in rows] == [
            ("returned", 50, department_id("cgj")), ("approved", 100, department_id("cgj"))]
        assert all(r.reviewed_by == commander.staff["id"] for r in rows)


def test_return_without_a_reason_is_400(operator, handler, review_on):
    number = _replied(operator, handler)["number"]
    assert operator.act(number, "review/return", ALL_PASS).status_code == 400
    blank = operator.act(number, "review/return", {**ALL_PASS, "reason": "   "})
    assert blank.status_code == 400 and "退回理由" in blank.json()["detail"]
    missing_check = operator.act(number, "review/approve", {"answers_request": True})
    assert missing_check.status_code == 400
    assert operator.get(f"/api/tickets/{number}").json()["status"] == "pending_review"  # nothing half-written


def test_a_handler_cannot_approve_its_own_reply(operator, handler, review_on):
    number = _replied(operator, handler)["number"]
    assert handler.act(number, "review/approve", ALL_PASS).status_code == 403
    assert handler.act(number, "review/return", {**ALL_PASS, "reason": "自己退回"}).status_code == 403
    assert handler.get("/api/reviews").status_code == 403


def test_another_units_handler_cannot_reply(operator, handler, login, review_on):
    number = _in_progress(operator, handler)["number"]
    other = login("h_jyj")
    assert other.act(number, "reply", {"reply": "已处理"}).status_code == 404
    assert operator.get(f"/api/tickets/{number}").json()["status"] == "in_progress"


# ------------------------------------------------------------------ the queue and its time limit


def test_review_due_one_working_day_after_the_reply(operator, handler, review_on):
    """A reply on Friday at 17:00 is due for review on Monday at 17:00; overdue from then on."""
    with clock.frozen(FRIDAY_17 - timedelta(hours=6)):
        receipt = _in_progress(operator, handler)
    with clock.frozen(FRIDAY_17):
        assert handler.act(receipt["number"], "reply", {"reply": "已修复"}).status_code == 200
    with clock.frozen(MONDAY_17):
        [item] = operator.get("/api/reviews").json()
    assert datetime.fromisoformat(item["review"]["due_at"]) == MONDAY_17
    assert item["review"]["overdue"] is False
    with clock.frozen(MONDAY_17 + timedelta(minutes=1)):
        [item] = operator.get("/api/reviews").json()
    assert item["review"]["overdue"] is True


def test_the_queue_lists_oldest_first_with_the_caller_masked(operator, handler, commander, review_on):
    first = _replied(operator, handler, "第一条答复")
    second = _replied(operator, handler, "第二条答复")
    items = commander.get("/api/reviews").json()
    assert [i["number"] for i in items] == [first["number"], second["number"]]
    assert items[0]["review"]["reply"] == "第一条答复" and items[0]["content"] == CALL["content"]
    assert items[0]["caller_phone"] == "138****8000" and items[0]["caller_name"] == "王**"
    assert items[0]["review"]["department"] == "县城市管理和综合执法局"
    operator.act(first["number"], "review/approve", ALL_PASS)
    assert [i["number"] for i in commander.get("/api/reviews").json()] == [second["number"]]


# ------------------------------------------------------------------ the unit has answered


def test_a_reply_under_review_counts_as_answered_and_stops_the_cards(operator, handler, commander, review_on):
    from hotline.models import Ticket

    number = _replied(operator, handler)["number"]
    event = operator.get(f"/api/tickets/{number}").json()["events"][-1]
    assert event["action"] == "reply" and event["data"]["on_time"] is True  # the unit met its deadline here
    with session_scope() as session:
        ticket = session.scalars(select(Ticket).where(Ticket.number == number)).one()
        assert ticket.next_attention_at is None  # no yellow or red card while the hotline reviews
    measures = commander.get("/api/measures", params={"start": "2026-01-01", "end": "2099-01-01"}).json()
    assert measures["closed"] == 1 and measures["on_time_rate"] == 1.0
    commander.act(number, "review/return", {**ALL_PASS, "reason": "请补充依据"})
    with session_scope() as session:
        ticket = session.scalars(select(Ticket).where(Ticket.number == number)).one()
        assert ticket.next_attention_at is not None  # the unit's clock runs again under the same deadline


def test_a_returned_reply_is_no_on_time_close_and_the_second_reply_counts_once(operator, handler, commander,
                                                                                  review_on):
    """按期办结率 counts 办结: a reply 办结审核 sends back was not one, and the reply again is the one that counts."""
    number = _replied(operator, handler, "已处理。")["number"]
    commander.act(number, "review/return", {**ALL_PASS, "complete": False, "reason": "请说明处理结果"})
    period = {"start": "2026-01-01", "end": "2099-01-01"}
    measures = commander.get("/api/measures", params=period).json()
    assert measures["closed"] == 0 and measures["on_time_rate"] is None
    handler.act(number, "reply", {"reply": "已于当日更换灯泡，依据城市照明管理规定。"})
    measures = commander.get("/api/measures", params=period).json()
    assert measures["closed"] == 1 and measures["on_time_rate"] == 1.0


def test_a_reply_waiting_past_its_due_time_is_not_the_units_overdue(operator, handler, commander, review_on):
    from command.measures import open_counts
    from hotline.models import Ticket

    number = _replied(operator, handler)["number"]
    with session_scope() as session:
        due_at = session.scalars(select(Ticket.due_at).where(Ticket.number == number)).one()
        counts = open_counts(session, due_at + timedelta(days=3))
    assert counts["open"] >= 1 and counts["overdue"] == 0  # the unit answered in time; the review is the hotline's


def test_a_units_mean_score_and_returns_for_a_period(operator, handler, review_on):
    from dispatch.quality import quality_by_unit, unit_quality

    first = _replied(operator, handler)["number"]
    operator.act(first, "review/return", {**ALL_PASS, "courteous": False, "complete": False, "reason": "用语不规范"})
    handler.act(first, "reply", {"reply": "您好，已修复，依据规定处理。"})
    operator.act(first, "review/approve", ALL_PASS)
    second = _replied(operator, handler)["number"]
    operator.act(second, "review/approve", {**ALL_PASS, "cites_basis": False})
    start, end = clock.now() - timedelta(days=1), clock.now() + timedelta(days=1)
    with session_scope() as session:
        quality = unit_quality(session, department_id("cgj"), start, end)
        assert (quality.reviewed, quality.returned, quality.mean_score) == (3, 1, 75.0)  # (50 + 100 + 75) / 3
        assert quality_by_unit(session, start, end) == {department_id("cgj"): quality}
        empty = unit_quality(session, department_id("cgj"), end, end + timedelta(days=1))
        assert (empty.reviewed, empty.returned, empty.mean_score) == (0, 0, None)


def test_an_approved_reply_is_archived_15_days_after_its_approval_not_its_reply(operator, handler, review_on):
    from dispatch.jobs import archive_stale_closed

    start = clock.now()
    with clock.frozen(start):
        number = _replied(operator, handler)["number"]
    with clock.frozen(start + timedelta(days=10)):
        assert operator.act(number, "review/approve", ALL_PASS).status_code == 200
    with clock.frozen(start + timedelta(days=16)):
        assert archive_stale_closed() == 0  # the citizen was asked to rate only 6 days ago
    with clock.frozen(start + timedelta(days=26)):
        assert archive_stale_closed() == 1
    assert operator.get(f"/api/tickets/{number}").json()["status"] == "archived"
