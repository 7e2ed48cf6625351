"""差评 review: every 不满意, and every 满意/基本满意 with 未解决, is reviewed by the command center; the lead unit
rectifies or is reopened, and may appeal a reasonable verdict once.

Expectations from the county's rules (issue 20): review due within 3 working days, 整改 reported within 5
working days by the lead unit's handler, one appeal, a granted appeal takes the 差评 off the unit.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from hotline import clock
from hotline.settings import TIME_ZONE
from tests.fixtures import CALL, department_id

TUESDAY = datetime(2026, 11, 10, 10, 0, tzinfo=TIME_ZONE)  # mid-month: every window ends within November
UNSATISFIED = {"outcome": "reached", "note": "路灯还是不亮", "satisfaction": "unsatisfied", "solved": "unsolved",
               "contacted": False}
CONTRADICTORY = {**UNSATISFIED, "note": "态度挺好，但灯没修", "satisfaction": "satisfied"}


@pytest.fixture
def handler(login):
    return login("h_cgj")  # 城管局, the catalogue's lead for 路灯照明 (0107)


@pytest.fixture
def other_unit(login):
    return login("h_gdgs")  # 供电公司


def _rated(operator, handler, survey) -> str:
    response = operator.post("/api/tickets", json=CALL)
    number = response.json()["number"]
    assert operator.act(number, "dispatch", {"category_code": "0107"}).status_code == 200
    assert handler.act(number, "sign").status_code == 200
    assert handler.act(number, "reply", {"reply": "已安排维修。"}).status_code == 200
    response = operator.post(f"/api/tickets/{number}/callback-attempts", json=survey)
    assert response.status_code == 200, response.text
    return number


def _review(api, number: str) -> dict:
    found = [r for r in api.get("/api/complaint-reviews").json() if r["ticket_number"] == number]
    assert len(found) == 1, found
    return found[0]


def test_an_unsatisfied_rating_opens_a_review_due_in_three_working_days(operator, handler, commander):
    with clock.frozen(TUESDAY):
        number = _rated(operator, handler, UNSATISFIED)
    review = _review(commander, number)
    assert review["status"] == "pending" and review["contradictory"] is False
    assert review["department"] == "县城市管理和综合执法局"
    assert datetime.fromisoformat(review["due_at"]) == datetime(2026, 11, 13, 10, 0, tzinfo=TIME_ZONE)  # Friday
    events = commander.get(f"/api/tickets/{number}").json()["events"]
    assert events[-1]["action"] == "complaint_opened"


def test_satisfied_but_unsolved_does_not_close_silently(operator, handler, commander):
    number = _rated(operator, handler, CONTRADICTORY)
    review = _review(commander, number)
    assert review["contradictory"] is True and review["solved"] == "unsolved"
    refused = commander.act(number, "archive")
    assert refused.status_code == 409 and "差评尚未核查" in refused.json()["detail"]
    # found reasonable, it can be reopened although the citizen said 满意
    decided = commander.post(f"/api/complaint-reviews/{review['id']}/decision",
                             json={"verdict": "reasonable", "remedy": "reopen", "note": "灯未修好，重新办理"})
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "reopened"
    assert commander.get(f"/api/tickets/{number}").json()["status"] == "in_progress"


def test_a_satisfied_solved_rating_opens_nothing(operator, handler, commander):
    number = _rated(operator, handler, {**UNSATISFIED, "satisfaction": "basically_satisfied", "solved": "partly_solved"})
    assert [r for r in commander.get("/api/complaint-reviews").json() if r["ticket_number"] == number] == []
    assert commander.act(number, "archive").status_code == 200


def test_rectification_by_the_lead_unit_within_five_working_days(operator, handler, commander, other_unit):
    number = _rated(operator, handler, UNSATISFIED)
    review_id = _review(commander, number)["id"]
    with clock.frozen(TUESDAY):
        decided = commander.post(f"/api/complaint-reviews/{review_id}/decision",
                                 json={"verdict": "reasonable", "remedy": "rectify"}).json()
    assert decided["status"] == "rectifying"
    # five working days after Tuesday 10 November: the Tuesday after
    assert datetime.fromisoformat(decided["rectify_due_at"]) == datetime(2026, 11, 17, 10, 0, tzinfo=TIME_ZONE)
    assert _review(handler, number)["status"] == "rectifying"  # the unit's own queue
    assert other_unit.get("/api/complaint-reviews").json() == []
    path = f"/api/complaint-reviews/{review_id}/rectification"
    assert other_unit.post(path, json={"report": "不是我们的"}).status_code == 404
    assert operator.post(path, json={"report": "x"}).status_code == 403
    assert handler.post(path, json={"report": "  "}).status_code == 400
    with clock.frozen(TUESDAY):  # the same day: well within the five working days
        done = handler.post(path, json={"report": "已更换灯杆线路，并建立巡查台账"})
    assert done.status_code == 200 and done.json()["status"] == "rectified"
    assert handler.post(path, json={"report": "再报一次"}).status_code == 409
    event = handler.get(f"/api/tickets/{number}").json()["events"][-1]
    assert event["action"] == "rectification" and event["data"]["on_time"] is True


def test_a_late_rectification_is_taken_and_recorded_as_late(operator, handler, commander):
    number = _rated(operator, handler, UNSATISFIED)
    review_id = _review(commander, number)["id"]
    with clock.frozen(TUESDAY):
        commander.post(f"/api/complaint-reviews/{review_id}/decision", json={"verdict": "reasonable", "remedy": "rectify"})
    # due 17 November; reported today (the suite runs after it)
    done = handler.post(f"/api/complaint-reviews/{review_id}/rectification", json={"report": "已整改"})
    assert done.status_code == 200
    assert handler.get(f"/api/tickets/{number}").json()["events"][-1]["data"]["on_time"] is False


def test_unreasonable_needs_a_reason_and_then_cannot_be_appealed(operator, handler, commander):
    number = _rated(operator, handler, UNSATISFIED)
    review_id = _review(commander, number)["id"]
    path = f"/api/complaint-reviews/{review_id}/decision"
    assert commander.post(path, json={"verdict": "unreasonable"}).status_code == 400
    assert commander.post(path, json={"verdict": "reasonable"}).status_code == 400  # no remedy
    assert handler.post(path, json={"verdict": "unreasonable", "note": "x"}).status_code == 403
    dismissed = commander.post(path, json={"verdict": "unreasonable", "note": "诉求超出政策范围，已解释"})
    assert dismissed.status_code == 200 and dismissed.json()["status"] == "dismissed"
    assert dismissed.json()["counts"] is False
    assert commander.post(path, json={"verdict": "unreasonable", "note": "again"}).status_code == 409
    refused = handler.post(f"/api/complaint-reviews/{review_id}/appeal", json={"reason": "群众诉求不合理"})
    assert refused.status_code == 409
    assert commander.act(number, "archive").status_code == 200


def test_one_appeal_and_the_commander_grants_it(operator, handler, commander, other_unit):
    number = _rated(operator, handler, UNSATISFIED)
    review_id = _review(commander, number)["id"]
    commander.post(f"/api/complaint-reviews/{review_id}/decision", json={"verdict": "reasonable", "remedy": "rectify"})
    path = f"/api/complaint-reviews/{review_id}/appeal"
    assert other_unit.post(path, json={"reason": "x"}).status_code == 404
    assert commander.post(f"/api/complaint-reviews/{review_id}/appeal/decision",
                          json={"grant": True}).status_code == 409  # nothing to decide yet
    appealed = handler.post(path, json={"reason": "该路段属供电公司产权，非我局职责"})
    assert appealed.status_code == 200 and appealed.json()["appeal_status"] == "pending"
    second = handler.post(path, json={"reason": "再申诉一次"})
    assert second.status_code == 409 and "只能申诉一次" in second.json()["detail"]
    assert handler.post(f"/api/complaint-reviews/{review_id}/appeal/decision", json={"grant": True}).status_code == 403
    granted = commander.post(f"/api/complaint-reviews/{review_id}/appeal/decision",
                             json={"grant": True, "note": "经核实产权属实"})
    assert granted.status_code == 200 and granted.json()["appeal_status"] == "granted"
    assert granted.json()["counts"] is False
    assert commander.post(f"/api/complaint-reviews/{review_id}/appeal/decision",
                          json={"grant": False}).status_code == 409
    actions = [e["action"] for e in commander.get(f"/api/tickets/{number}").json()["events"]]
    assert actions[-3:] == ["complaint_review", "appeal", "appeal_decision"]


def test_an_appeal_after_its_window_is_refused(operator, handler, commander):
    number = _rated(operator, handler, UNSATISFIED)
    review_id = _review(commander, number)["id"]
    decided = commander.post(f"/api/complaint-reviews/{review_id}/decision",
                             json={"verdict": "reasonable", "remedy": "reopen"}).json()
    assert commander.get(f"/api/tickets/{number}").json()["status"] == "in_progress"
    late = datetime.fromisoformat(decided["appeal_due_at"]).replace(microsecond=0)
    with clock.frozen(late.replace(year=late.year + 1)):
        refused = handler.post(f"/api/complaint-reviews/{review_id}/appeal", json={"reason": "晚了"})
    assert refused.status_code == 409 and "申诉期限" in refused.json()["detail"]


def test_the_queue_filters_by_status_and_unit(operator, handler, commander):
    first = _rated(operator, handler, UNSATISFIED)
    second = _rated(operator, handler, CONTRADICTORY)
    commander.post(f"/api/complaint-reviews/{_review(commander, first)['id']}/decision",
                   json={"verdict": "reasonable", "remedy": "rectify"})
    pending = commander.get("/api/complaint-reviews", params={"status": "pending"}).json()
    assert [r["ticket_number"] for r in pending] == [second]
    mine = commander.get("/api/complaint-reviews", params={"department_id": department_id("cgj")}).json()
    assert {r["ticket_number"] for r in mine} == {first, second}
    assert commander.get("/api/complaint-reviews", params={"department_id": department_id("gdgs")}).json() == []
    assert operator.get("/api/complaint-reviews").status_code == 403
    assert commander.post("/api/complaint-reviews/999999/decision",
                          json={"verdict": "reasonable", "remedy": "rectify"}).status_code == 404


def test_the_monthly_figures_per_unit(operator, handler, commander):
    with clock.frozen(TUESDAY):
        reached = _rated(operator, handler, UNSATISFIED)
        unreachable = _rated(operator, handler, {"outcome": "busy"})  # first failed call
        for _ in range(2):
            operator.post(f"/api/tickets/{unreachable}/callback-attempts", json={"outcome": "no_answer"})
        review_id = _review(commander, reached)["id"]
        commander.post(f"/api/complaint-reviews/{review_id}/decision",
                       json={"verdict": "reasonable", "remedy": "rectify"})
        handler.post(f"/api/complaint-reviews/{review_id}/appeal", json={"reason": "产权不属我局"})
        commander.post(f"/api/complaint-reviews/{review_id}/appeal/decision", json={"grant": True})
        handler.post(f"/api/complaint-reviews/{review_id}/rectification", json={"report": "已整改"})
    response = commander.get("/api/reports/callbacks", params={"month": "2026-11"})
    assert response.status_code == 200, response.text
    rows = {r["department"]: r for r in response.json()["units"]}
    assert rows["县城市管理和综合执法局"] == {
        "department_id": department_id("cgj"), "department": "县城市管理和综合执法局",
        "callbacks_due": 2, "callbacks_on_time": 1, "callbacks_reached": 1, "callbacks_failed": 1,
        "complaints": 1, "complaints_counted": 0, "rectifications_due": 1, "rectifications_on_time": 1,
        "appeals_made": 1, "appeals_granted": 1, "on_time_rate": 0.5, "reached_rate": 0.5,
        "rectification_on_time_rate": 1.0}
    assert commander.get("/api/reports/callbacks", params={"month": "2026-10"}).json()["units"] == []
    assert handler.get("/api/reports/callbacks", params={"month": "2026-11"}).status_code == 403
    assert commander.get("/api/reports/callbacks", params={"month": "2026-13"}).status_code == 400
