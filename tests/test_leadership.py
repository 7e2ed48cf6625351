"""县领导 through the API: reads the county with callers' data masked, takes no workflow step, gives 领导批示 that the
lead unit answers; every 督办 is a 督办单 numbered per year with a reply date, and an overdue reply is reminded once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import httpx
from sqlalchemy import select

from dispatch import followup
from hotline import clock
from hotline.database import session_scope
from hotline.models import Notification
from hotline.settings import TIME_ZONE
from tests.fixtures import CALL, department_id
from web.demo.county import DEMO_PASSWORD

MONDAY_10 = datetime(2026, 11, 16, 10, 0, tzinfo=TIME_ZONE)  # a plain week: 11-16 to 11-20, no holidays


def _dispatched(operator, moment: datetime = MONDAY_10) -> dict:
    """A complaint (15 wd) sent to 城管局 (category 0107) at `moment`; its receipt (number, query code)."""
    with clock.frozen(moment):
        receipt = operator.post("/api/tickets", json=CALL).json()
        assert operator.act(receipt["number"], "dispatch", {"category_code": "0107"}).status_code == 200
    return receipt


def _templates(template: str) -> list[Notification]:
    with session_scope() as session:
        return list(session.scalars(select(Notification).where(Notification.template == template)))


# --- the role: reads, never acts ---------------------------------------------------------------------------------

def test_the_leader_reads_the_county_with_the_callers_data_masked(operator, login):
    number = _dispatched(operator)["number"]
    leader = login("leader")
    assert leader.staff["role"] == "leader" and leader.staff["role_label"] == "县领导"
    ticket = leader.get(f"/api/tickets/{number}")
    assert ticket.status_code == 200, ticket.text
    assert ticket.json()["caller_phone"] == "138****8000"
    assert ticket.json()["caller_name"] != "王建国"
    assert "13800138000" not in ticket.text
    listed = leader.get("/api/tickets")
    assert listed.status_code == 200 and number in [t["number"] for t in listed.json()]
    assert "13800138000" not in listed.text
    for path in ("/api/queues/manual-dispatch", "/api/queues/returns", "/api/queues/extensions", "/api/supervision",
                 "/api/instructions", "/api/departments"):
        assert leader.get(path).status_code == 200, path
    assert leader.post("/api/board/pass").status_code == 200


def test_every_workflow_action_refuses_the_leader(operator, login, commander):
    number = _dispatched(operator)["number"]
    leader = login("leader")
    steps = {
        "submit": None, "category": {"category_code": "0107"}, "answer": {"reply": "已答复"},
        "transfer": {"line": "110"}, "dispatch": {"category_code": "0107"},
        "redispatch": {"category_code": "0107"}, "force": {"note": "请办理"}, "sign": None,
        "return": {"reason": "不属于职责"}, "extension": {"days": 3, "reason": "需协调"},
        "extension/decision": {"approve": True}, "wait": {"message": "请补充门牌号"}, "resume": {"note": "继续"},
        "reply": {"reply": "已修复"}, "reopen": {"reason": "群众不满意"}, "archive": None,
        "merge": {"parent_number": number}, "notes": {"reason": "备注"},
        "callback": {"satisfaction": "satisfied", "solved": "solved"},
        "supervise": {"message": "请尽快办理"},
    }
    for step, body in steps.items():
        response = leader.act(number, step, body)
        assert response.status_code == 403, (step, response.text)
    assert leader.post("/api/tickets", json=CALL).status_code == 403
    notice = commander.act(number, "supervise", {"message": "请尽快办理"}).json()
    assert leader.post(f"/api/supervision/{notice['id']}/response", json={"response": "已办"}).status_code == 403
    assert leader.get(f"/api/tickets/{number}").json()["status"] == "pending_sign"


# --- 领导批示 -----------------------------------------------------------------------------------------------------

def test_an_instruction_is_recorded_told_to_the_unit_and_kept_from_the_citizen(operator, login, client):
    receipt = _dispatched(operator)
    number = receipt["number"]
    leader = login("leader")
    words = "请城管局本周内修复路灯😀，并向群众说明情况！ＡＢＣ"
    with clock.frozen(MONDAY_10):
        response = leader.post(f"/api/tickets/{number}/instructions", json={"text": words})
    assert response.status_code == 201, response.text
    given = response.json()
    assert given["text"] == words  # emoji and full-width forms kept as written
    assert given["status"] == "pending" and given["status_label"] == "待落实"
    assert given["department"] == "县城市管理和综合执法局"
    assert datetime.fromisoformat(given["reply_by"]) == datetime(2026, 11, 18, 10, 0, tzinfo=TIME_ZONE)  # 2 wd

    events = login("commander").get(f"/api/tickets/{number}").json()
    assert events["status"] == "pending_sign"  # no state change
    instructed = [e for e in events["events"] if e["action"] == "instruct"]
    assert len(instructed) == 1 and instructed[0]["note"] == words
    public = client.post("/api/public/lookup", json={"number": number, "query_code": receipt["query_code"]}).json()
    assert all(words not in entry["text"] and "批示" not in entry["text"] for entry in public["timeline"])

    texts = _templates("staff_instruction")
    assert len(texts) == 1 and texts[0].department_id == department_id("cgj")
    assert number in texts[0].text and "王县长" in texts[0].text
    listed = login("commander").get("/api/instructions").json()
    assert [i["id"] for i in listed] == [given["id"]]


def test_bad_instructions_are_refused_with_a_reason(operator, login):
    number = _dispatched(operator)["number"]
    leader = login("leader")
    assert leader.post("/api/tickets/20990101099999/instructions", json={"text": "请办理"}).status_code == 404
    empty = leader.post(f"/api/tickets/{number}/instructions", json={"text": " \u3000 "})
    assert empty.status_code == 400 and "批示内容不能为空" in empty.text
    long = leader.post(f"/api/tickets/{number}/instructions", json={"text": "办" * 501})
    assert long.status_code == 400
    assert leader.post(f"/api/tickets/{number}/instructions", json={}).status_code == 400
    assert login("commander").post(f"/api/tickets/{number}/instructions", json={"text": "请办理"}).status_code == 403
    assert login("h_cgj").post(f"/api/tickets/{number}/instructions", json={"text": "请办理"}).status_code == 403
    assert login("leader").get("/api/instructions").json() == []


def test_the_units_handler_replies_and_another_unit_cannot(operator, login):
    number = _dispatched(operator)["number"]
    leader = login("leader")
    given = leader.post(f"/api/tickets/{number}/instructions", json={"text": "请今天内处理"}).json()
    other = login("h_zjj")
    assert other.get("/api/instructions").json() == []
    refused = other.post(f"/api/instructions/{given['id']}/reply", json={"reply": "已处理"})
    assert refused.status_code == 404
    assert login("commander").post(f"/api/instructions/{given['id']}/reply",
                                   json={"reply": "已处理"}).status_code == 404  # the unit answers, not the center
    handler = login("h_cgj")
    assert [i["id"] for i in handler.get("/api/instructions?status=pending").json()] == [given["id"]]
    assert handler.post(f"/api/instructions/{given['id']}/reply", json={"reply": " "}).status_code == 400
    answered = handler.post(f"/api/instructions/{given['id']}/reply", json={"reply": "已安排班组今天更换灯具"})
    assert answered.status_code == 200, answered.text
    assert answered.json()["status_label"] == "已回复" and answered.json()["reply"] == "已安排班组今天更换灯具"
    again = handler.post(f"/api/instructions/{given['id']}/reply", json={"reply": "再次回复"})
    assert again.status_code == 409
    assert [i["status"] for i in leader.get("/api/instructions").json()] == ["replied"]
    assert leader.get("/api/instructions?status=pending").json() == []
    assert leader.get("/api/instructions?status=whatever").status_code == 400
    actions = [e["action"] for e in leader.get(f"/api/tickets/{number}").json()["events"]]
    assert actions.count("instruct") == 1 and actions.count("instruction_reply") == 1


def test_an_instruction_on_a_supervision_order(operator, login, commander):
    number = _dispatched(operator)["number"]
    notice = commander.act(number, "supervise", {"message": "请说明超期原因"}).json()
    leader = login("leader")
    given = leader.post(f"/api/supervision/{notice['id']}/instructions", json={"text": "请主要负责人亲自过问"})
    assert given.status_code == 201, given.text
    assert given.json()["document_number"] == notice["document_number"]
    assert given.json()["ticket_number"] == number
    assert leader.post("/api/supervision/999999/instructions", json={"text": "请办理"}).status_code == 404


# --- 督办单: numbers, reply dates, 催复 ------------------------------------------------------------------------------

def test_a_supervision_order_has_a_number_and_a_reply_date_in_working_days(operator, commander):
    first, second = _dispatched(operator)["number"], _dispatched(operator)["number"]
    with clock.frozen(datetime(2026, 11, 19, 10, 0, tzinfo=TIME_ZONE)):  # Thursday
        notice = commander.act(first, "supervise", {"message": "请书面说明"}).json()
        own_days = commander.act(second, "supervise", {"message": "请书面说明", "respond_within_days": 1}).json()
    assert notice["document_number"] == "督〔2026〕第0001号"
    assert own_days["document_number"] == "督〔2026〕第0002号"
    # 3 working days from Thursday 10:00: Friday, Monday, Tuesday (the weekend does not count)
    assert datetime.fromisoformat(notice["respond_by"]) == datetime(2026, 11, 24, 10, 0, tzinfo=TIME_ZONE)
    assert datetime.fromisoformat(own_days["respond_by"]) == datetime(2026, 11, 20, 10, 0, tzinfo=TIME_ZONE)
    events = commander.get(f"/api/tickets/{first}").json()["events"]
    assert [e["data"].get("document_number") for e in events if e["action"] == "supervise"] == ["督〔2026〕第0001号"]


def test_the_sweeps_own_supervision_is_numbered_too(operator, commander):
    number = _dispatched(operator, MONDAY_10)
    with clock.frozen(MONDAY_10):
        consultation = operator.post("/api/tickets", json={**CALL, "type": "consultation"}).json()["number"]
        operator.act(consultation, "dispatch", {"category_code": "0107"})
    manual = commander.act(number["number"], "supervise", {"message": "请说明"}).json()
    with clock.frozen(datetime(2026, 11, 20, 10, 0, tzinfo=TIME_ZONE)):  # due Wed 11-18, 2 wd overdue on Friday
        assert followup.sweep().get("supervise") == 1
    notices = {n["ticket_number"]: n for n in commander.get("/api/supervision").json() if n["kind"] == "supervise"}
    assert manual["document_number"].endswith("第0001号")
    assert notices[consultation]["document_number"] == "督〔2026〕第0002号"
    # reply within 3 working days of Friday 10:00: Monday, Tuesday, Wednesday
    assert datetime.fromisoformat(notices[consultation]["respond_by"]) == datetime(2026, 11, 25, 10, 0,
                                                                                   tzinfo=TIME_ZONE)


def test_numbering_restarts_in_a_new_year(operator, commander):
    late_december = datetime(2026, 12, 31, 10, 0, tzinfo=TIME_ZONE)
    first, second = _dispatched(operator, late_december)["number"], _dispatched(operator, late_december)["number"]
    with clock.frozen(datetime(2026, 12, 31, 23, 50, tzinfo=TIME_ZONE)):  # 15:50 UTC: still 2026 in the county
        old = commander.act(first, "supervise", {"message": "请说明"}).json()
    with clock.frozen(datetime(2027, 1, 1, 0, 10, tzinfo=TIME_ZONE)):  # 2026-12-31 16:10 UTC, 2027 in the county
        new = commander.act(second, "supervise", {"message": "请说明"}).json()
    assert old["document_number"] == "督〔2026〕第0001号"
    assert new["document_number"] == "督〔2027〕第0001号"


def test_two_supervisions_at_once_get_distinct_consecutive_numbers(live_server, operator):
    token = httpx.post(f"{live_server}/api/auth/login", json={"username": "commander", "password": DEMO_PASSWORD})
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    numbers = [operator.post("/api/tickets", json=CALL).json()["number"] for _ in range(4)]
    for number in numbers:
        operator.act(number, "dispatch", {"category_code": "0107"})
    barrier = threading.Barrier(len(numbers))

    def supervise(number: str) -> httpx.Response:
        barrier.wait()
        return httpx.post(f"{live_server}/api/tickets/{number}/supervise", headers=headers,
                          json={"message": "请书面说明"}, timeout=30)

    with ThreadPoolExecutor(len(numbers)) as pool:
        results = list(pool.map(supervise, numbers))
    assert [r.status_code for r in results] == [201] * 4, [r.text for r in results]
    year = clock.local(clock.now()).year
    given = sorted(r.json()["document_number"] for r in results)
    assert given == [f"督〔{year}〕第{i:04d}号" for i in range(1, 5)]


def test_an_overdue_reply_shows_and_is_reminded_once(operator, commander, login):
    late, answered = _dispatched(operator)["number"], _dispatched(operator)["number"]
    with clock.frozen(MONDAY_10):
        notice = commander.act(late, "supervise", {"message": "请书面说明"}).json()
        replied = commander.act(answered, "supervise", {"message": "请书面说明"}).json()
    assert datetime.fromisoformat(notice["respond_by"]) == datetime(2026, 11, 19, 10, 0, tzinfo=TIME_ZONE)
    handler = login("h_cgj")
    assert handler.post(f"/api/supervision/{replied['id']}/response", json={"response": "已修复"}).status_code == 200
    with clock.frozen(datetime(2026, 11, 19, 9, 59, tzinfo=TIME_ZONE)):
        assert "reply_reminder" not in followup.sweep()
        assert [n["overdue"] for n in commander.get("/api/supervision").json()] == [False]
    with clock.frozen(datetime(2026, 11, 19, 10, 1, tzinfo=TIME_ZONE)):
        assert followup.sweep().get("reply_reminder") == 1
        assert "reply_reminder" not in followup.sweep()
        shown = commander.get("/api/supervision").json()
    assert [(n["id"], n["overdue"]) for n in shown] == [(notice["id"], True)]
    assert shown[0]["reminded_at"] is not None
    reminders = _templates("staff_reply_reminder")
    assert len(reminders) == 1 and notice["document_number"] in reminders[0].text


def test_two_sweeps_at_once_remind_once(operator, commander):
    numbers = [_dispatched(operator)["number"] for _ in range(3)]
    with clock.frozen(MONDAY_10):
        for number in numbers:
            commander.act(number, "supervise", {"message": "请书面说明", "respond_within_days": 1})
    barrier = threading.Barrier(2)

    def sweep() -> dict[str, int]:
        barrier.wait()
        return followup.sweep()

    with clock.frozen(datetime(2026, 11, 18, 10, 0, tzinfo=TIME_ZONE)), ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _: sweep(), range(2)))
    assert sum(r.get("reply_reminder", 0) for r in results) == 3
    assert len(_templates("staff_reply_reminder")) == 3
