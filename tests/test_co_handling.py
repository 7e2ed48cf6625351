"""联办 through the API: co-units are told, each reports its part once per dispatch, the lead unit sees who has.

Expectations from the rules (issue 20, docs/co_handling.md): a co-unit reports within 3 working days of the
dispatch (county default), never after the lead unit's own due time; the working day is 09:00–12:00 and
13:30–17:30. The case: a pole's lamp hangs by its cable over a pavement; 城管 leads, 供电公司 and 住建 co-handle.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import httpx
import pytest
from sqlalchemy import select

from hotline import clock
from hotline.database import session_scope
from hotline.settings import TIME_ZONE
from tests.fixtures import CALL, department_id
from web.demo.county import DEMO_PASSWORD

MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=TIME_ZONE)  # an ordinary week: Thursday 10:00 is 3 wd on
THURSDAY_10 = datetime(2026, 11, 26, 10, 0, tzinfo=TIME_ZONE)
POLE = {**CALL, "content": "望江花园南门那根路灯杆被车撞歪了，灯头吊在电线上晃来晃去，下面就是人行道，小孩放学都从这走，太危险了！"}
POWER_PART = "我公司已于当日断开该路灯回路电源，电缆已临时固定，待城管更换灯杆后恢复送电。"


@pytest.fixture
def lead(login):
    return login("h_cgj")


@pytest.fixture
def power(login):
    return login("h_gdgs")


@pytest.fixture
def housing(login):
    return login("h_zjj")


def _dispatched(operator, co=("gdgs", "zjj"), **fields) -> str:
    number = operator.post("/api/tickets", json={**POLE, **fields}).json()["number"]
    response = operator.act(number, "dispatch", {"department_id": department_id("cgj"),
                                                 "co_department_ids": [department_id(c) for c in co]})
    assert response.status_code == 200, response.text
    return number


def _units(reader, number: str) -> dict[str, dict]:
    return {u["department"]["name"]: u for u in reader.get(f"/api/tickets/{number}").json()["co_units"]}


def _staff_messages(number: str, template: str) -> list[tuple[int, str]]:
    from hotline.models import Notification, Ticket

    with session_scope() as session:
        return [tuple(row) for row in session.execute(select(Notification.department_id, Notification.text)
                                                      .join(Ticket, Ticket.id == Notification.ticket_id)
                                                      .where(Ticket.number == number,
                                                             Notification.template == template)
                                                      .order_by(Notification.id))]


def test_each_co_unit_is_told_its_due_time_and_the_lead_sees_nobody_has_reported(operator, lead):
    with clock.frozen(MONDAY_10):
        number = _dispatched(operator)
        units = _units(lead, number)
    assert list(units) == ["国网清江县供电公司", "县住房和城乡建设局"]
    for unit in units.values():
        assert unit["reported"] is False and unit["report"] is None and unit["overdue"] is False
        assert datetime.fromisoformat(unit["due_at"]) == THURSDAY_10
    told = _staff_messages(number, "staff_co_dispatch")
    assert [d for d, _ in told] == [department_id("gdgs"), department_id("zjj")]
    assert all("由县城市管理和综合执法局主办" in text and "11月26日10:00" in text for _, text in told)


def test_the_co_units_due_time_is_never_after_the_leads(operator, lead):
    with clock.frozen(MONDAY_10):  # a consultation: 2 working days, Wednesday 10:00
        number = _dispatched(operator, type="consultation")
    due_at = lead.get(f"/api/tickets/{number}").json()["due_at"]
    assert {u["due_at"] for u in _units(lead, number).values()} == {due_at}
    assert datetime.fromisoformat(due_at) == MONDAY_10 + timedelta(days=2)


def test_a_co_unit_reports_once_and_the_lead_is_told(operator, lead, power, housing):
    number = _dispatched(operator)
    assert power.get(f"/api/tickets/{number}").json()["allowed_actions"] == ["co_report", "note"]
    response = power.post(f"/api/tickets/{number}/co-report", json={"report": POWER_PART})
    assert response.status_code == 200, response.text
    assert response.json()["allowed_actions"] == ["note"]  # its part is in; a later word is a note
    units = _units(lead, number)
    power_unit = units["国网清江县供电公司"]
    assert power_unit["reported"] is True and power_unit["report"] == POWER_PART and power_unit["on_time"] is True
    assert units["县住房和城乡建设局"]["reported"] is False
    assert _staff_messages(number, "staff_co_report") == [
        (department_id("cgj"), f"【协办反馈】工单 {number}：国网清江县供电公司已提交协办意见，请汇总后答复。")]
    again = power.post(f"/api/tickets/{number}/co-report", json={"report": "补充：已派人现场看护"})
    assert again.status_code == 409 and "已于" in again.json()["detail"] and "添加备注" in again.json()["detail"]
    assert housing.get(f"/api/tickets/{number}").json()["allowed_actions"] == ["co_report", "note"]
    event = lead.get(f"/api/tickets/{number}").json()["events"][-1]
    assert (event["action"], event["department"], event["note"]) == ("co_report", "国网清江县供电公司", POWER_PART)


def test_the_lead_unit_is_refused_and_another_unit_sees_nothing(operator, lead, login):
    number = _dispatched(operator)
    refused = lead.post(f"/api/tickets/{number}/co-report", json={"report": "已安排"})
    assert refused.status_code == 409 and "主办单位" in refused.json()["detail"]
    assert "co_report" not in lead.get(f"/api/tickets/{number}").json()["allowed_actions"]
    stranger = login("h_rsj").post(f"/api/tickets/{number}/co-report", json={"report": "已安排"})
    assert stranger.status_code == 404  # another unit's ticket looks unknown
    assert operator.post(f"/api/tickets/{number}/co-report", json={"report": "已安排"}).status_code == 403
    assert [e["action"] for e in operator.get(f"/api/tickets/{number}").json()["events"]] == ["receive", "dispatch"]


@pytest.mark.parametrize("body", [{"report": ""}, {"report": "   　"}, {"report": "断" * 4001}, {"report": 12},
                                  {}, {"report": "好", "extra": 1}])
def test_a_bad_report_is_400_and_nothing_is_written(operator, power, body):
    number = _dispatched(operator)
    response = power.post(f"/api/tickets/{number}/co-report", json=body)
    assert response.status_code == 400, response.text
    assert _units(power, number)["国网清江县供电公司"]["reported"] is False


def test_emoji_and_full_width_text_are_kept_as_written(operator, power):
    number = _dispatched(operator)
    text = "已断电⚡，电缆已固定（临时）。抢修电话：９５５９８ 👍"
    assert power.post(f"/api/tickets/{number}/co-report", json={"report": text}).status_code == 200
    assert _units(power, number)["国网清江县供电公司"]["report"] == text


def test_a_co_unit_past_its_due_time_is_overdue_and_a_late_report_says_so(operator, lead, housing):
    with clock.frozen(MONDAY_10):
        number = _dispatched(operator)
    with clock.frozen(THURSDAY_10 + timedelta(hours=1)):
        units = _units(lead, number)
        assert units["县住房和城乡建设局"]["overdue"] is True
        assert housing.post(f"/api/tickets/{number}/co-report", json={"report": "灯杆基础完好，可原位更换"}).status_code == 200
        late = _units(lead, number)["县住房和城乡建设局"]
        assert late["overdue"] is False and late["on_time"] is False


def test_after_the_lead_replies_a_co_report_is_refused(operator, lead, power):
    number = _dispatched(operator)
    assert lead.act(number, "sign").status_code == 200
    assert lead.act(number, "reply", {"reply": "已更换灯杆并恢复照明，供电公司已配合断电。"}).status_code == 200
    refused = power.post(f"/api/tickets/{number}/co-report", json={"report": POWER_PART})
    assert refused.status_code == 409 and "已办结" in refused.json()["detail"]
    assert _units(lead, number)["国网清江县供电公司"]["overdue"] is False  # nothing left to wait for


def test_a_new_dispatch_asks_the_co_units_again(operator, lead, power, commander, login):
    number = _dispatched(operator, co=("gdgs",))
    power.post(f"/api/tickets/{number}/co-report", json={"report": POWER_PART})
    assert lead.act(number, "return", {"reason": "灯杆产权属供电公司"}).status_code == 200
    redispatched = commander.act(number, "redispatch", {"department_id": department_id("cgj"),
                                                        "co_department_ids": [department_id("gdgs"),
                                                                              department_id("zjj")]})
    assert redispatched.status_code == 200, redispatched.text
    units = _units(commander, number)
    assert [u["reported"] for u in units.values()] == [False, False]
    assert power.post(f"/api/tickets/{number}/co-report", json={"report": POWER_PART}).status_code == 200
    left_out = commander.act(number, "redispatch", {"department_id": department_id("cgj")})
    assert left_out.status_code == 409  # pending_sign: no second redispatch; the list stays as it is
    assert login("h_zjj").get(f"/api/tickets/{number}").json()["allowed_actions"] == ["co_report", "note"]


def test_the_citizen_sees_one_answer_not_the_co_units_words(operator, power, client):
    receipt = operator.post("/api/tickets", json=POLE).json()
    operator.act(receipt["number"], "dispatch", {"department_id": department_id("cgj"),
                                                 "co_department_ids": [department_id("gdgs")]})
    power.post(f"/api/tickets/{receipt['number']}/co-report", json={"report": POWER_PART})
    public = client.post("/api/public/lookup", json={"number": receipt["number"], "query_code": receipt["query_code"]})
    assert public.status_code == 200
    assert "断开" not in public.text and "协办" not in public.text


def test_two_handlers_of_one_co_unit_reporting_at_once_make_one_report(live_server, operator):
    from hotline.accounts import create_staff
    from hotline.models import Staff
    from hotline.vocabulary import Role

    with session_scope() as session:
        if session.scalar(select(Staff.id).where(Staff.username == "h_gdgs_2")) is None:
            create_staff(session, "h_gdgs_2", "供电公司承办员二", DEMO_PASSWORD, Role.HANDLER, department_id("gdgs"))
    headers = [{"Authorization": "Bearer " + httpx.post(f"{live_server}/api/auth/login", json={
        "username": name, "password": DEMO_PASSWORD}).json()["access_token"]} for name in ("h_gdgs", "h_gdgs_2")]
    number = _dispatched(operator, co=("gdgs",))
    barrier = threading.Barrier(2)

    def send(h):
        barrier.wait()
        return httpx.post(f"{live_server}/api/tickets/{number}/co-report", headers=h, json={"report": POWER_PART})

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(send, headers))
    assert sorted(r.status_code for r in results) == [200, 409]
    actions = [e["action"] for e in operator.get(f"/api/tickets/{number}").json()["events"]]
    assert actions.count("co_report") == 1


def test_the_months_co_report_rate_per_unit_and_for_the_county(operator, login, commander):
    """协办按时反馈率 for November 2026, counted by hand: each co-unit has 3 working days from the dispatch.

    - 16th (Mon) 10:00, 供电 and 住建: due Thu 19th 10:00; 供电 reports on the 17th (in time), 住建 on the 20th (late);
    - 23rd (Mon) 10:00, 供电: due Thu 26th 10:00; it never reports;
    - 30th (Mon) 10:00, 住建: due Thu 3 December 10:00, so not November's.
    November: 供电 1 of 2, 住建 0 of 1, 城管 (the lead) nothing asked; the county 1 of 3."""
    power, housing = login("h_gdgs"), login("h_zjj")

    def at(day: int, hour: int, month: int = 11) -> datetime:
        return datetime(2026, month, day, hour, 0, tzinfo=TIME_ZONE)

    with clock.frozen(at(16, 10)):
        first = _dispatched(operator)
    with clock.frozen(at(17, 9)):
        assert power.post(f"/api/tickets/{first}/co-report", json={"report": POWER_PART}).status_code == 200
    with clock.frozen(at(20, 9)):
        assert housing.post(f"/api/tickets/{first}/co-report", json={"report": "灯杆基础完好"}).status_code == 200
    with clock.frozen(at(23, 10)):
        _dispatched(operator, co=("gdgs",))
    with clock.frozen(at(30, 10)):
        _dispatched(operator, co=("zjj",))
    with clock.frozen(at(3, 12, month=12)):
        report = commander.get("/api/reports/assessment", params={"month": "2026-11"})
    assert report.status_code == 200, report.text
    units = {u["department"]: u for u in report.json()["units"]}
    assert (units["国网清江县供电公司"]["co_asked"], units["国网清江县供电公司"]["co_report_on_time_rate"]) == (2, 0.5)
    assert (units["县住房和城乡建设局"]["co_asked"], units["县住房和城乡建设局"]["co_report_on_time_rate"]) == (1, 0.0)
    assert units["县城市管理和综合执法局"]["co_report_on_time_rate"] is None
    assert report.json()["total"]["co_report_on_time_rate"] == 0.3333
    workbook = commander.get("/api/reports/assessment", params={"month": "2026-11", "format": "csv"})
    assert "协办按时反馈率" in workbook.text.splitlines()[0]


def test_a_reply_waiting_in_review_owes_no_co_report(operator, lead, power):
    """Once the lead has replied, a co-unit may no longer report, so it is not 逾期未反馈 either."""
    from dispatch.models import TimeLimitPolicy
    from tests.fixtures import reference_tables_restored

    with reference_tables_restored():
        with session_scope() as session:
            policy = session.get(TimeLimitPolicy, 1)
            policy.rules = {**policy.rules, "reply_review_types": ["complaint"]}
        with clock.frozen(MONDAY_10):
            number = _dispatched(operator)
            lead.act(number, "sign")
            assert lead.act(number, "reply", {"reply": "已更换灯杆。"}).json()["status"] == "pending_review"
        with clock.frozen(THURSDAY_10 + timedelta(days=1)):
            assert _units(lead, number)["国网清江县供电公司"]["overdue"] is False
            assert power.post(f"/api/tickets/{number}/co-report", json={"report": POWER_PART}).status_code == 409
