"""The command center's desk and an admin's policy: queues, supervision with responses, versioned limits."""

from __future__ import annotations

from datetime import datetime

from hotline import clock
from hotline.settings import TIME_ZONE
from tests.fixtures import CALL, reference_tables_restored


def _dispatched(operator) -> str:
    number = operator.post("/api/tickets", json=CALL).json()["number"]
    operator.act(number, "dispatch", {"category_code": "0107"})
    return number


def test_manual_dispatch_queue_puts_unsure_tickets_first(operator, commander):
    from sqlalchemy import select

    from hotline.database import session_scope
    from hotline.models import Ticket

    first = operator.post("/api/tickets", json=CALL).json()["number"]
    second = operator.post("/api/tickets", json=CALL).json()["number"]
    for number in (first, second):
        operator.act(number, "submit")
    with session_scope() as session:
        ticket = session.scalars(select(Ticket).where(Ticket.number == second)).one()
        ticket.manual_review, ticket.suggested_category, ticket.confidence = True, "0107", 0.41
    queue = commander.get("/api/queues/manual-dispatch").json()
    assert [item["number"] for item in queue] == [second, first]
    assert queue[0]["confidence"] == 0.41 and queue[0]["manual_review"] is True


def test_return_dispute_queue_shows_the_reason(operator, commander, login):
    number = _dispatched(operator)
    login("h_cgj").act(number, "return", {"reason": "路灯归供电公司管理"})
    [item] = commander.get("/api/queues/returns").json()
    assert item["number"] == number and item["reason"] == "路灯归供电公司管理"
    assert login("h_cgj").get("/api/queues/returns").status_code == 403


def test_extension_queue_shows_days_and_reason(operator, commander, login):
    number = _dispatched(operator)
    handler = login("h_cgj")
    handler.act(number, "sign")
    handler.act(number, "extension", {"days": 4, "reason": "灯杆需整体更换"})
    [item] = commander.get("/api/queues/extensions").json()
    assert (item["extension_days"], item["reason"]) == (4, "灯杆需整体更换")


def test_supervision_notice_needs_the_departments_written_response(operator, commander, login):
    number = _dispatched(operator)
    handler, other = login("h_cgj"), login("h_jyj")
    handler.act(number, "sign")
    notice = commander.post(f"/api/tickets/{number}/supervise", json={"message": "群众反映强烈，请加快办理",
                                                                       "respond_within_days": 1})
    assert notice.status_code == 201
    notice_id = notice.json()["id"]
    assert [n["id"] for n in handler.get("/api/supervision").json()] == [notice_id]
    assert other.get("/api/supervision").json() == []
    assert other.post(f"/api/supervision/{notice_id}/response", json={"response": "x"}).status_code == 404
    answered = handler.post(f"/api/supervision/{notice_id}/response", json={"response": "已安排明日更换灯具"})
    assert answered.status_code == 200 and answered.json()["response"] == "已安排明日更换灯具"
    again = handler.post(f"/api/supervision/{notice_id}/response", json={"response": "再答一次"})
    assert again.status_code == 409
    actions = [e["action"] for e in commander.get(f"/api/tickets/{number}").json()["events"]]
    assert actions[-2:] == ["supervise", "supervision_response"]
    assert handler.get("/api/supervision").json() == []


# The county's policy as an admin would post it: Guangdong's limits (DESIGN.md), complaints shortened to 5 days.
GUANGDONG = {
    "resolve_working_days": {"consultation": 2, "help": 10, "suggestion": 10, "complaint": 15, "report": 15,
                             "praise": 2},
    "resolve_hours_by_urgency": {"urgent": 2, "restoration": 24},
    "sign_working_minutes": 120,
    "sign_minutes_by_urgency": {"urgent": 30, "restoration": 30},
    "return_window_working_days": 1,
    "extension_max_working_days": 10,
    "working_hours": [["09:00", "12:00"], ["13:30", "17:30"]],
    "yellow_ratio": 0.8,
    "supervise_after_working_days": 2,
    "escalate_after_working_days": 5,
}


def test_a_new_policy_version_applies_to_new_dispatches_only(operator, login):
    admin = login("admin")
    before = _dispatched(operator)
    rules = {**GUANGDONG, "resolve_working_days": {**GUANGDONG["resolve_working_days"], "complaint": 5}}
    with reference_tables_restored():  # version 1 alone again afterwards, pass or fail
        published = admin.post("/api/admin/policy", json=rules)
        assert published.status_code == 201 and published.json()["version"] == 2
        after = _dispatched(operator)
        old, new = (operator.get(f"/api/tickets/{n}").json() for n in (before, after))
        assert old["events"][-1]["data"]["policy_version"] == 1 and new["events"][-1]["data"]["policy_version"] == 2
        assert new["due_at"] < old["due_at"]
        assert login("commander").post("/api/admin/policy", json=rules).status_code == 403


def test_bad_policy_is_refused_with_a_reason(login):
    admin = login("admin")
    broken = {**GUANGDONG, "resolve_working_days": {"complaint": 15}}
    response = admin.post("/api/admin/policy", json=broken)
    assert response.status_code == 400 and "缺少以下诉求类型的办理时限" in response.json()["detail"]
    overlapping = {**GUANGDONG, "working_hours": [["09:00", "12:00"], ["11:00", "17:30"]]}
    assert "互不重叠" in admin.post("/api/admin/policy", json=overlapping).json()["detail"]
    assert admin.get("/api/admin/policy").json()["version"] == 1


def test_admin_calendar_override_moves_deadlines_in_a_year_without_data(operator, login,
                                                                        calendar_package_up_to_2026):
    admin = login("admin")
    for day, workday in (("2027-01-01", False), ("2027-02-06", True)):
        assert admin.client.put(f"/api/admin/calendar/{day}", json={"is_workday": workday, "note": "元旦"},
                                headers=admin.headers).status_code == 200
    assert [d["day"] for d in admin.get("/api/admin/calendar", params={"year": 2027}).json()] == [
        "2027-01-01", "2027-02-06"]
    with clock.frozen(datetime(2026, 12, 31, 16, 0, tzinfo=TIME_ZONE)):
        number = operator.post("/api/tickets", json={**CALL, "type": "consultation"}).json()["number"]
        operator.act(number, "dispatch", {"category_code": "0107"})
    ticket = operator.get(f"/api/tickets/{number}").json()
    assert ticket["due_at"] == "2027-01-05T16:00:00+08:00"  # 1 Jan is off by override: Mon 4th + Tue 5th
    assert "override" in ticket["events"][-1]["data"]["calendar"]
    for day in ("2027-01-01", "2027-02-06"):
        assert admin.client.delete(f"/api/admin/calendar/{day}", headers=admin.headers).status_code == 204
    assert admin.get("/api/admin/calendar", params={"year": 2027}).json() == []
