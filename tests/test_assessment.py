"""月度考核 on a hand-counted November 2026: three units, nine tickets, the report run on 3 December.

Expected figures are counted by hand from the steps below and the definitions in docs/assessment.md; the
clock is frozen at each step. Consultations: resolve within 2 working days, sign within 2 working hours
(09:00-12:00, 13:30-17:30). November 2026 has no holidays; the 16th is a Monday, the 30th a Monday.
"""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from openpyxl import load_workbook

from command.assessment import rank
from hotline import clock
from hotline.settings import TIME_ZONE
from tests.fixtures import CALL, department_id, reference_tables_restored

CGJ, GDGS, ZJJ = "县城市管理和综合执法局", "国网清江县供电公司", "县住房和城乡建设局"
REPORT_DAY = datetime(2026, 12, 3, 10, 0, tzinfo=TIME_ZONE)


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TIME_ZONE)


@pytest.fixture
def november(operator, commander, login, client) -> dict[str, str]:
    cgj, gdgs, zjj = login("h_cgj"), login("h_gdgs"), login("h_zjj")
    consultation, complaint = {**CALL, "type": "consultation"}, {**CALL, "type": "complaint"}
    numbers: dict[str, str] = {}

    def step(moment: datetime, action):
        with clock.frozen(moment):
            response = action()
        assert response.status_code in (200, 201), response.text
        return response

    def receive(name: str, moment: datetime, call: dict = consultation) -> None:
        numbers[name] = step(moment, lambda: operator.post("/api/tickets", json=call)).json()["number"]

    for name in ("answered", "good", "late", "bounced", "duplicate", "zjj"):
        receive(name, at(11, 16, 9, 30))
    step(at(11, 16, 9, 30), lambda: client.post("/api/public/letters", json={
        "title": "咨询", "content": "请问公积金怎么提取", "phone": "13700137000"}))  # never dispatched
    step(at(11, 16, 9, 40), lambda: operator.act(numbers["answered"], "answer", {"reply": "请到政务中心办理"}))
    for name in ("good", "late", "bounced"):
        step(at(11, 16, 10), lambda n=name: operator.act(numbers[n], "dispatch", {"category_code": "0107"}))
    step(at(11, 16, 10), lambda: operator.act(numbers["zjj"], "dispatch", {"department_id": department_id("zjj")}))
    step(at(11, 16, 10, 5), lambda: operator.act(numbers["duplicate"], "merge", {"parent_number": numbers["good"]}))
    # 城管: one on time, one signed late (deadline 12:00) and replied late (due Wed 18th 10:00), one returned
    step(at(11, 16, 10, 30), lambda: cgj.act(numbers["good"], "sign"))
    step(at(11, 16, 15), lambda: cgj.act(numbers["late"], "sign"))
    step(at(11, 16, 10, 40), lambda: cgj.act(numbers["bounced"], "return", {"reason": "不属于本单位"}))
    step(at(11, 16, 11), lambda: commander.act(numbers["bounced"], "redispatch",
                                               {"department_id": department_id("gdgs")}))
    step(at(11, 16, 11, 30), lambda: gdgs.act(numbers["bounced"], "sign"))  # new sign deadline 14:30
    step(at(11, 17, 10), lambda: cgj.act(numbers["good"], "reply", {"reply": "已修复"}))
    step(at(11, 19, 10), lambda: cgj.act(numbers["late"], "reply", {"reply": "已修复"}))
    step(at(11, 17, 14), lambda: gdgs.act(numbers["bounced"], "reply", {"reply": "已修复"}))
    # 住建: signed in time, one extension of 3 wd (due Wed 18th → Mon 23rd 10:00), a commander's 督办, replied in time
    step(at(11, 16, 11), lambda: zjj.act(numbers["zjj"], "sign"))
    step(at(11, 17, 10), lambda: zjj.act(numbers["zjj"], "extension", {"days": 3, "reason": "需现场勘查"}))
    step(at(11, 17, 11), lambda: commander.act(numbers["zjj"], "extension/decision", {"approve": True}))
    step(at(11, 20, 10), lambda: commander.act(numbers["zjj"], "supervise", {"message": "请加快办理"}))
    step(at(11, 20, 15), lambda: zjj.act(numbers["zjj"], "reply", {"reply": "已维修"}))
    for name, satisfaction, solved in (("good", "satisfied", "solved"), ("late", "unsatisfied", "unsolved"),
                                       ("bounced", "basically_satisfied", "partly_solved"),
                                       ("zjj", "satisfied", "solved")):
        step(at(11, 24, 9), lambda n=name, s=satisfaction, v=solved: operator.post(
            f"/api/tickets/{numbers[n]}/callback", json={"satisfaction": s, "solved": v}))
    # 城管, received Thu 26th, due Mon 30th 10:00: overdue at the month's end, replied only on 2 December
    receive("overdue", at(11, 26, 9, 30))
    step(at(11, 26, 10), lambda: operator.act(numbers["overdue"], "dispatch", {"category_code": "0107"}))
    step(at(11, 26, 10, 30), lambda: cgj.act(numbers["overdue"], "sign"))
    step(at(12, 2, 10), lambda: cgj.act(numbers["overdue"], "reply", {"reply": "已修复"}))
    # 供电, a complaint (15 wd) received Wed 25th: open at the month's end, not overdue
    receive("open", at(11, 25, 9, 30), complaint)
    step(at(11, 25, 10), lambda: operator.act(numbers["open"], "dispatch", {"department_id": department_id("gdgs")}))
    step(at(11, 25, 10, 30), lambda: gdgs.act(numbers["open"], "sign"))
    return numbers


def _report(api, month: str = "2026-11", **params):
    with clock.frozen(REPORT_DAY):
        return api.get("/api/reports/assessment", params={"month": month, **params})


def test_units_and_county_match_the_hand_count(november, commander):
    response = _report(commander)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["complete"] is True and report["as_at"].startswith("2026-12-01T00:00:00+08:00")
    units = {row["department"]: row for row in report["units"]}
    keys = ("received", "dispatched", "signed", "closed", "closed_late", "extended", "month_end_open",
            "month_end_overdue", "urged", "supervised", "returned", "rated")
    assert {name: tuple(units[name][k] for k in keys) for name in (CGJ, GDGS, ZJJ)} == {
        CGJ: (3, 4, 3, 2, 1, 0, 1, 1, 0, 0, 1, 2),  # the return stays with 城管; the overdue one counts at 30th 24:00
        GDGS: (2, 2, 2, 1, 0, 0, 1, 0, 0, 0, 0, 1),
        ZJJ: (1, 1, 1, 1, 0, 1, 0, 0, 0, 1, 0, 1),
    }
    cgj = units[CGJ]
    assert (cgj["sign_on_time_rate"], cgj["on_time_rate"], cgj["response_rate"], cgj["resolution_rate"],
            cgj["satisfaction_rate"], cgj["return_rate"], cgj["duplicate_rate"]) == (
        0.6667, 0.5, 0.6667, 0.5, 0.5, 0.25, 0.0)
    gdgs = units[GDGS]
    assert (gdgs["sign_on_time_rate"], gdgs["on_time_rate"], gdgs["response_rate"], gdgs["resolution_rate"],
            gdgs["satisfaction_rate"], gdgs["return_rate"]) == (1.0, 1.0, 1.0, 0.0, 1.0, 0.0)
    assert all(units[name]["direct_answer_rate"] is None for name in (CGJ, GDGS, ZJJ))  # the hotline's figure
    # default weights 15/25/10/20/25/5 (签收, 办结, 响应, 解决, 满意, 1-退单)
    assert (units[ZJJ]["score"], units[GDGS]["score"], units[CGJ]["score"]) == (100.0, 80.0, 55.42)
    assert [(row["department"], row["rank"]) for row in report["units"][:3]] == [(ZJJ, 1), (GDGS, 2), (CGJ, 3)]
    idle = report["units"][3:]
    assert idle and all(row["rank"] is None and row["score"] is None and not row["active"] for row in idle)

    total = report["total"]
    assert total["department"] == "全县合计" and total["rank"] is None
    assert (total["received"], total["answered_on_the_spot"], total["dispatched"], total["signed"], total["closed"],
            total["closed_late"], total["rated"], total["returned"], total["merged"], total["extended"],
            total["supervised"], total["month_end_open"], total["month_end_overdue"]) == (
        9, 1, 7, 6, 5, 1, 4, 1, 1, 1, 1, 3, 1)  # open at month end: the overdue one, the complaint, the letter
    assert (total["sign_on_time_rate"], total["on_time_rate"], total["direct_answer_rate"], total["response_rate"],
            total["resolution_rate"], total["satisfaction_rate"], total["return_rate"], total["duplicate_rate"]) == (
        0.8333, 0.8, 0.1111, 0.6667, 0.5, 0.75, 0.1429, 0.1111)


def test_the_month_end_is_not_today(november, commander):
    """On 3 December the overdue ticket is closed; November's report still shows it open and overdue."""
    with clock.frozen(REPORT_DAY):
        today = commander.get("/api/measures", params={"start": "2026-12-01", "end": "2026-12-03"}).json()
    assert (today["open"], today["overdue"]) == (2, 0)
    with clock.frozen(REPORT_DAY):
        monthly = commander.get("/api/reports/monthly", params={"month": "2026-11", "format": "csv"})
    lines = monthly.content.decode("utf-8-sig").splitlines()
    header = lines[0].split(",")
    cgj = next(line.split(",") for line in lines[1:] if line.startswith(CGJ))
    assert (cgj[header.index("月末在办")], cgj[header.index("月末超期在办")]) == ("1", "1")


def test_the_month_under_way_is_counted_so_far(november, commander):
    report = _report(commander, "2026-12").json()
    assert report["complete"] is False
    assert report["total"]["closed"] == 1 and report["total"]["month_end_open"] == 2


def test_weights_are_the_countys_policy(november, login, commander):
    admin = login("admin")
    original = admin.get("/api/admin/policy").json()["rules"]
    with reference_tables_restored():  # the policy goes back to version 1: later tests count versions
        changed = admin.post("/api/admin/policy", json={**original, "assessment_weights": {"satisfaction_rate": 1}})
        assert changed.status_code in (200, 201), changed.text
        units = {row["department"]: row for row in _report(commander).json()["units"]}
        assert (units[ZJJ]["score"], units[GDGS]["score"], units[CGJ]["score"]) == (100.0, 100.0, 50.0)
        assert (units[ZJJ]["rank"], units[GDGS]["rank"], units[CGJ]["rank"]) == (1, 1, 3)  # a tie shares a rank
        for weights, reason in (({"friendliness": 1}, "考核权重中有未知的指标"), ({"on_time_rate": 0}, "不能全部为 0")):
            refused = admin.post("/api/admin/policy", json={**original, "assessment_weights": weights})
            assert refused.status_code == 400 and reason in refused.text


def test_csv_and_xlsx(november, commander):
    csv_lines = _report(commander, format="csv").content.decode("utf-8-sig").splitlines()
    assert csv_lines[0].startswith("排名,承办单位,综合得分,按时签收率,按期办结率,直接答复率,响应率")
    assert csv_lines[1].startswith(f"1,{ZJJ},100.0,100.0%") and csv_lines[-1].startswith(",全县合计,—,83.3%")
    workbook = load_workbook(io.BytesIO(_report(commander, format="xlsx").content))
    sheet = workbook.active
    assert sheet["A1"].value.startswith("清江县12345热线 2026-11 月度考核")
    header = [cell.value for cell in sheet[2]]
    assert header[:4] == ["排名", "承办单位", "综合得分", "按时签收率"]
    last = sheet[sheet.max_row]
    assert last[1].value == "全县合计" and all(cell.font.bold for cell in last)
    assert last[3].value == 0.8333 and last[3].number_format == "0.0%"
    assert not sheet[3][1].font.bold and sheet[3][1].value == ZJJ


def test_bad_months_and_roles(commander, login):
    bad = _report(commander, "2026-13")
    assert bad.status_code == 400 and "月份格式应为 YYYY-MM" in bad.json()["detail"]
    future = _report(commander, "2027-01")
    assert future.status_code == 400 and "尚未开始" in future.json()["detail"]
    assert _report(commander, format="pdf").status_code == 400
    assert _report(login("admin"), "2026-11").status_code == 200
    for username in ("h_cgj", "operator1", "auditor"):
        assert _report(login(username)).status_code == 403


def test_month_end_replays_pauses_and_tickets_from_before_the_month(operator, login, commander):
    """城管 (2 wd each): one from October still in hand on 30 November, one paused before its deadline, one paused
    after it. What happens in December (a reply, a resume that moves the deadline) does not change November."""
    cgj = login("h_cgj")
    numbers: dict[str, str] = {}

    def step(moment: datetime, action):
        with clock.frozen(moment):
            response = action()
        assert response.status_code in (200, 201), response.text
        return response

    for name, received in (("carried", at(10, 27, 9, 30)), ("paused_late", at(11, 24, 9, 30)),
                           ("paused_early", at(11, 26, 9, 30))):
        numbers[name] = step(received, lambda: operator.post(
            "/api/tickets", json={**CALL, "type": "consultation"})).json()["number"]
        dispatched = received.replace(hour=10, minute=0)
        step(dispatched, lambda n=name: operator.act(numbers[n], "dispatch", {"category_code": "0107"}))
        step(dispatched.replace(minute=30), lambda n=name: cgj.act(numbers[n], "sign"))
    # due: carried 29 Oct 10:00, paused_late 26 Nov 10:00, paused_early 30 Nov 10:00
    step(at(11, 27, 10), lambda: cgj.act(numbers["paused_late"], "wait", {"message": "请补充具体门牌号"}))
    step(at(11, 27, 10), lambda: cgj.act(numbers["paused_early"], "wait", {"message": "请补充具体门牌号"}))
    step(at(12, 1, 10), lambda: cgj.act(numbers["carried"], "reply", {"reply": "已修复"}))
    step(at(12, 1, 11), lambda: cgj.act(numbers["paused_early"], "resume", {"note": "群众已补充"}))

    november = _report(commander).json()
    cgj_row = next(row for row in november["units"] if row["department"] == CGJ)
    assert (cgj_row["month_end_open"], cgj_row["month_end_overdue"]) == (3, 2)  # carried and paused_late
    assert (cgj_row["received"], cgj_row["signed"], cgj_row["closed"]) == (2, 2, 0)
    assert (november["total"]["month_end_open"], november["total"]["month_end_overdue"]) == (3, 2)
    october = _report(commander, "2026-10").json()
    assert (october["total"]["month_end_open"], october["total"]["month_end_overdue"]) == (1, 1)
    # as at 3 December 10:00: carried is closed; paused_early had 1 wd left when paused (Fri 27th 10:00 → Mon
    # 30th 10:00), resumed Tue 1st 11:00, so due Wed 2nd 11:00: overdue again, as paused_late still is
    december = _report(commander, "2026-12").json()
    assert (december["total"]["month_end_open"], december["total"]["month_end_overdue"]) == (2, 2)


def test_ties_share_a_rank_and_the_next_skips():
    rows = [{"score": 90.0}, {"score": 95.5}, {"score": 90.0}, {"score": None}, {"score": 80.0}]
    rank(rows)
    assert [row["rank"] for row in rows] == [2, 1, 2, None, 4]
