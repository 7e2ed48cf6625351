"""Every measure on a hand-checked set of tickets, plus the monthly report in CSV and XLSX."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from openpyxl import load_workbook

from hotline import clock
from hotline.settings import TIME_ZONE
from tests.fixtures import CALL, department_id


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=TIME_ZONE)


@pytest.fixture
def november(operator, commander, login, client) -> dict[str, str]:
    """Six tickets in the week of 16 November 2026 (no holidays), with known outcomes."""
    cgj, gdgs = login("h_cgj"), login("h_gdgs")
    call = {**CALL, "type": "consultation"}  # 2 working days; sign-for within 2 working hours
    numbers: dict[str, str] = {}

    def step(moment: datetime, action):
        with clock.frozen(moment):
            return action()

    for name in ("answered", "good", "late", "bounced", "duplicate"):
        numbers[name] = step(at(16, 9, 30), lambda: operator.post("/api/tickets", json=call).json()["number"])
    step(at(16, 9, 30), lambda: client.post("/api/public/letters", json={
        "title": "咨询", "content": "请问公积金怎么提取", "phone": "13700137000"}))
    step(at(16, 9, 40), lambda: operator.act(numbers["answered"], "answer", {"reply": "请到政务中心办理"}))
    for name in ("good", "late", "bounced"):
        step(at(16, 10), lambda n=name: operator.act(numbers[n], "dispatch", {"category_code": "0107"}))
    step(at(16, 10, 5), lambda: operator.act(numbers["duplicate"], "merge", {"parent_number": numbers["good"]}))
    step(at(16, 10, 30), lambda: cgj.act(numbers["good"], "sign"))
    step(at(16, 15), lambda: cgj.act(numbers["late"], "sign"))  # deadline was 12:00
    step(at(16, 10, 40), lambda: cgj.act(numbers["bounced"], "return", {"reason": "不属于本单位"}))
    step(at(16, 11), lambda: commander.act(numbers["bounced"], "redispatch", {"department_id": department_id("gdgs")}))
    step(at(16, 11, 30), lambda: gdgs.act(numbers["bounced"], "sign"))
    step(at(17, 10), lambda: cgj.act(numbers["good"], "reply", {"reply": "已修复"}))
    step(at(19, 10), lambda: cgj.act(numbers["late"], "reply", {"reply": "已修复"}))  # due was Wed 18th 10:00
    step(at(17, 14), lambda: gdgs.act(numbers["bounced"], "reply", {"reply": "已修复"}))
    for name, satisfaction, solved in (("good", "satisfied", "solved"), ("late", "unsatisfied", "unsolved"),
                                       ("bounced", "basically_satisfied", "partly_solved")):
        step(at(20, 9), lambda n=name, s=satisfaction, v=solved: operator.post(
            f"/api/tickets/{numbers[n]}/callback", json={"satisfaction": s, "solved": v}))
    return numbers


def _measures(api, **params):
    with clock.frozen(at(24, 12)):
        response = api.get("/api/measures", params={"start": "2026-11-01", "end": "2026-11-30", **params})
    assert response.status_code == 200, response.text
    return response.json()


def test_county_measures_match_the_hand_count(november, commander):
    m = _measures(commander)
    assert (m["received"], m["answered_on_the_spot"], m["dispatched"], m["signed"], m["closed"], m["rated"],
            m["returned"], m["merged"]) == (6, 1, 4, 3, 4, 3, 1, 1)
    assert m["sign_on_time_rate"] == round(2 / 3, 4)
    assert m["on_time_rate"] == 0.75
    assert m["direct_answer_rate"] == round(1 / 6, 4)
    assert m["response_rate"] == 0.5  # answered on the spot, or signed in time: answered, good, bounced
    assert m["resolution_rate"] == round(1 / 3, 4)
    assert m["satisfaction_rate"] == round(2 / 3, 4)
    assert m["return_rate"] == 0.25
    assert m["duplicate_rate"] == round(1 / 6, 4)
    # working days from (last) dispatch to reply: good 1.0, late 3.0, bounced 8.5 h
    assert m["handled"] == 3
    assert m["avg_working_days"] == round((1.0 + 3.0 + 510 / 420) / 3, 2)  # bounced: Mon 11:00 → Tue 14:00
    assert m["p90_working_days"] == 3.0
    assert (m["open"], m["overdue"]) == (1, 0)  # the letter waits for dispatch and has no deadline yet


def test_measures_by_department_and_a_handler_sees_only_its_own(november, commander, login):
    cgj = _measures(commander, department_id=department_id("cgj"))
    assert (cgj["signed"], cgj["sign_on_time_rate"], cgj["closed"], cgj["on_time_rate"]) == (2, 0.5, 2, 0.5)
    own = _measures(login("h_cgj"), department_id=department_id("gdgs"))
    assert own == cgj


def test_measures_by_channel_and_township(november, commander):
    web = _measures(commander, channel="web")
    assert web["received"] == 1 and web["closed"] == 0
    assert _measures(commander, township="白沙镇")["received"] == 0


def test_bad_measure_queries_get_a_reason(commander):
    response = commander.get("/api/measures", params={"start": "2026-11-30", "end": "2026-11-01"})
    assert response.status_code == 400 and "结束日期不能早于开始日期" in response.json()["detail"]
    assert commander.get("/api/measures", params={"start": "昨天", "end": "2026-11-01"}).status_code == 400


def test_monthly_report_csv_and_xlsx(november, commander):
    with clock.frozen(at(24, 12)):
        csv_response = commander.get("/api/reports/monthly", params={"month": "2026-11", "format": "csv"})
        xlsx_response = commander.get("/api/reports/monthly", params={"month": "2026-11", "format": "xlsx"})
    assert csv_response.status_code == 200
    lines = csv_response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("承办单位,派单量,签收量,按时签收率")
    rows = {line.split(",")[0]: line.split(",") for line in lines[1:]}
    assert set(rows) == {"县城市管理和综合执法局", "国网清江县供电公司"}
    assert rows["县城市管理和综合执法局"][5] == "50.0%"
    sheet = load_workbook(io.BytesIO(xlsx_response.content)).active
    assert sheet["A1"].value == "清江县12345热线 2026-11 月度考核报表"
    assert sheet["B2"].value == "派单量" and sheet.max_row == 4
    assert commander.get("/api/reports/monthly", params={"month": "2026-13"}).status_code == 400
