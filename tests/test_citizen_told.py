"""Citizens are told: 待补充 (what, by when) and its timeout, extension, reopening, transfer, merge (with the
surviving ticket's number and query code, down a merge chain), and no SMS in the quiet hours unless urgent.

Everything goes through the API, the outbox rows and a real RQ worker (or the minute sweep), on the suite's
controllable clock. Dates below are worked out by hand on the plain week of 16 November 2026 (no holiday).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from rq import SimpleWorker
from sqlalchemy import select

from dispatch import quiet_hours, waiting
from hotline import clock
from hotline.database import session_scope
from hotline.jobs import get_queue, send_due_notifications
from hotline.models import Notification, Ticket
from hotline.notify import LogSender, set_sender
from hotline.settings import TIME_ZONE
from tests.fixtures import CALL, reference_tables_restored

MONDAY_10 = datetime(2026, 11, 16, 10, 0, tzinfo=TIME_ZONE)


@pytest.fixture(autouse=True)
def sender():
    quiet_hours.forget()
    sent = LogSender()
    set_sender(sent)
    yield sent
    set_sender(None)
    quiet_hours.forget()


def _run_worker() -> None:
    """The worker runs what the API handed over after its commits; routing jobs are not this file's subject."""
    queue = get_queue()
    for job in queue.jobs:
        if job.func_name == "dispatch.jobs.route":
            job.delete()
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


def _rows(template: str | None = None) -> list[Notification]:
    with session_scope() as session:
        query = select(Notification).order_by(Notification.id)
        if template:
            query = query.where(Notification.template == template)
        return list(session.scalars(query))


def _ticket(number: str) -> Ticket:
    with session_scope() as session:
        return session.scalars(select(Ticket).where(Ticket.number == number)).one()


def _call(operator, phone: str, **fields) -> dict:
    response = operator.post("/api/tickets", json={**CALL, "caller_phone": phone, **fields})
    assert response.status_code == 201, response.text
    return response.json()


def _in_progress(operator, login, phone: str, moment: datetime = MONDAY_10) -> tuple[dict, object]:
    """A consultation dispatched at `moment` (due 2 working days later) and signed half an hour after it."""
    with clock.frozen(moment):
        receipt = _call(operator, phone, type="consultation")
        assert operator.act(receipt["number"], "dispatch", {"category_code": "0107"}).status_code == 200
    handler = login("h_cgj")
    with clock.frozen(moment + timedelta(minutes=30)):
        assert handler.act(receipt["number"], "sign").status_code == 200
    return receipt, handler


# ------------------------------------------------------------------ quiet hours


def test_a_receipt_at_21_59_goes_at_once_and_one_at_22_00_waits_for_07_00(operator, sender):
    with clock.frozen(datetime(2026, 11, 19, 21, 59, tzinfo=TIME_ZONE)):
        early = _call(operator, "13900000001")
        _run_worker()
    assert [phone for phone, _ in sender.sent] == ["13900000001"]

    with clock.frozen(datetime(2026, 11, 19, 22, 0, tzinfo=TIME_ZONE)):
        late = _call(operator, "13900000002")
        _run_worker()
    assert len(sender.sent) == 1  # held, not sent
    [held] = [row for row in _rows("receipt") if row.phone == "13900000002"]
    assert held.status == "pending" and held.attempts == 0
    assert held.next_attempt_at == datetime(2026, 11, 20, 7, 0, tzinfo=TIME_ZONE)

    with clock.frozen(datetime(2026, 11, 20, 6, 59, tzinfo=TIME_ZONE)):
        assert send_due_notifications() == 0
    with clock.frozen(datetime(2026, 11, 20, 7, 0, tzinfo=TIME_ZONE)):
        assert send_due_notifications() == 1
        assert send_due_notifications() == 0  # once
    assert sender.sent[1] == ("13900000002", f"您的诉求已受理，工单号 {late['number']}，查询码 {late['query_code']}。"
                                             "请凭工单号和查询码查询办理进度。")
    assert early["number"] != late["number"]


def test_an_urgent_call_at_03_00_is_told_at_once_a_plain_one_at_07_00(operator, sender):
    with clock.frozen(datetime(2026, 11, 20, 3, 0, tzinfo=TIME_ZONE)):
        _call(operator, "13900000003", urgency="urgent", content="小区配电房冒烟，整栋楼停电，电梯里可能有人")
        _call(operator, "13900000004")
        _run_worker()
    assert [phone for phone, _ in sender.sent] == ["13900000003"]
    [plain] = [row for row in _rows("receipt") if row.phone == "13900000004"]
    assert plain.next_attempt_at == datetime(2026, 11, 20, 7, 0, tzinfo=TIME_ZONE)


def test_a_message_due_before_22_00_but_picked_up_a_moment_late_still_goes(operator, sender):
    """A worker busy at 22:00 sends at 22:02 what fell due at 21:59; the sweep at 23:00 would not."""
    with clock.frozen(datetime(2026, 11, 19, 21, 59, tzinfo=TIME_ZONE)):
        _call(operator, "13900000005")
        _call(operator, "13900000006")
    rows = {row.phone: row.id for row in _rows("receipt")}
    from hotline.jobs import send_notification

    with clock.frozen(datetime(2026, 11, 19, 22, 2, tzinfo=TIME_ZONE)):
        assert send_notification(rows["13900000005"]) == "sent"
    with clock.frozen(datetime(2026, 11, 19, 23, 0, tzinfo=TIME_ZONE)):
        assert send_notification(rows["13900000006"]) == "skipped"
    [held] = [row for row in _rows("receipt") if row.phone == "13900000006"]
    assert held.status == "pending" and held.next_attempt_at == datetime(2026, 11, 20, 7, 0, tzinfo=TIME_ZONE)


def test_staff_duty_phones_are_not_held(operator, sender):
    with clock.frozen(datetime(2026, 11, 19, 23, 0, tzinfo=TIME_ZONE)):
        number = _call(operator, "13900000007")["number"]
        operator.act(number, "dispatch", {"category_code": "0107"})
        _run_worker()
    assert [row.template for row in _rows() if row.status == "sent"] == ["staff_dispatch"]


def test_a_county_without_quiet_hours_sends_at_any_hour(operator, sender):
    from dispatch.policy import PolicyRules, publish

    with reference_tables_restored():
        with session_scope() as session:
            publish(session, PolicyRules(quiet_hours=None), created_by=None)
        quiet_hours.forget()
        with clock.frozen(datetime(2026, 11, 20, 3, 0, tzinfo=TIME_ZONE)):
            _call(operator, "13900000008")
            _run_worker()
        assert [phone for phone, _ in sender.sent] == ["13900000008"]


# ------------------------------------------------------------------ 待补充 and its timeout


def test_waiting_tells_what_and_by_when_and_times_out_after_five_working_days(operator, login, client, sender):
    receipt, handler = _in_progress(operator, login, "13900000011")
    number = receipt["number"]
    with clock.frozen(datetime(2026, 11, 16, 11, 0, tzinfo=TIME_ZONE)):
        assert handler.act(number, "wait", {"message": "请提供路灯杆上的编号和现场照片"}).status_code == 200
        _run_worker()
    assert sender.sent[-1] == ("13900000011", f"工单 {number} 需要您补充：请提供路灯杆上的编号和现场照片。"
                                              "请于 11月23日11:00 前凭工单号和查询码在线补充，逾期将按现有情况继续办理。")
    lookup = client.post("/api/public/lookup", json={"number": number, "query_code": receipt["query_code"]}).json()
    assert lookup["supplement_due_text"] == "2026年11月23日（周一）11:00"
    assert lookup["due_text"] is None  # the clock is stopped: the promised date moves when it runs again
    assert lookup["timeline"][-1]["text"] == ("需要您补充情况：请提供路灯杆上的编号和现场照片"
                                             "（请于 2026年11月23日（周一）11:00 前补充）")

    with clock.frozen(datetime(2026, 11, 23, 10, 59, tzinfo=TIME_ZONE)):
        assert waiting.sweep() == 0
    with clock.frozen(datetime(2026, 11, 23, 11, 0, tzinfo=TIME_ZONE)):
        assert waiting.sweep() == 1
        assert waiting.sweep() == 0  # a second run changes nothing
        _run_worker()
    ticket = _ticket(number)
    assert ticket.status == "in_progress" and ticket.paused_at is None and ticket.supplement_due_at is None
    # due Wed 18 Nov 10:00; the pause counted 5 working days (35 h), so due 5 working days later
    assert ticket.due_at == datetime(2026, 11, 25, 10, 0, tzinfo=TIME_ZONE)
    commander = login("commander")
    last = commander.get(f"/api/tickets/{number}").json()["events"][-1]
    assert (last["action"], last["actor_role"], last["data"]["timed_out"]) == ("resume", "system", True)
    assert sender.sent[-1] == ("13900000011", f"工单 {number} 在 11月23日11:00 前未收到您的补充，已按现有情况继续办理，"
                                              "预计 11月25日10:00 前答复。")
    assert len(_rows("wait_timeout")) == 1
    lookup = client.post("/api/public/lookup", json={"number": number, "query_code": receipt["query_code"]}).json()
    assert lookup["timeline"][-1]["text"] == "补充期限已过，未收到补充情况，按现有情况继续办理"
    assert lookup["due_text"] == "2026年11月25日（周三）10:00"


def test_a_supplement_in_time_stops_the_timeout(operator, login, client):
    receipt, handler = _in_progress(operator, login, "13900000012")
    number = receipt["number"]
    with clock.frozen(datetime(2026, 11, 16, 11, 0, tzinfo=TIME_ZONE)):
        handler.act(number, "wait", {"message": "请提供照片"})
    with clock.frozen(datetime(2026, 11, 17, 9, 0, tzinfo=TIME_ZONE)):
        response = client.post("/api/public/supplement", json={"number": number, "query_code": receipt["query_code"],
                                                               "content": "路灯杆编号 QJ-0231"})
        assert response.status_code == 200
    assert _ticket(number).supplement_due_at is None
    with clock.frozen(datetime(2026, 11, 30, 11, 0, tzinfo=TIME_ZONE)):
        assert waiting.sweep() == 0
    assert _rows("wait_timeout") == []


def test_the_supplement_window_is_the_countys_policy(operator, login):
    from dispatch.policy import PolicyRules, publish

    with reference_tables_restored():
        with session_scope() as session:
            publish(session, PolicyRules(supplement_working_days=2), created_by=None)
        receipt, handler = _in_progress(operator, login, "13900000013")
        with clock.frozen(datetime(2026, 11, 16, 11, 0, tzinfo=TIME_ZONE)):
            handler.act(receipt["number"], "wait", {"message": "请提供照片"})
        assert _ticket(receipt["number"]).supplement_due_at == datetime(2026, 11, 18, 11, 0, tzinfo=TIME_ZONE)


# ------------------------------------------------------------------ extension, reopening, transfer


def test_an_approved_extension_tells_the_new_date_a_refused_one_nothing(operator, login, commander, sender):
    receipt, handler = _in_progress(operator, login, "13900000021")
    number = receipt["number"]
    with clock.frozen(MONDAY_10 + timedelta(hours=2)):
        handler.act(number, "extension", {"days": 3, "reason": "需协调供电公司"})
        assert commander.act(number, "extension/decision", {"approve": True}).status_code == 200
        _run_worker()
    # due Wed 18 Nov 10:00 + 3 working days
    assert sender.sent[-1] == ("13900000021", f"工单 {number} 经批准延期办理，预计 11月23日10:00 前答复。")

    other, handler = _in_progress(operator, login, "13900000022")
    with clock.frozen(MONDAY_10 + timedelta(hours=2)):
        handler.act(other["number"], "extension", {"days": 3, "reason": "需协调"})
        commander.act(other["number"], "extension/decision", {"approve": False})
    assert [row.phone for row in _rows("extended")] == ["13900000021"]


def test_reopening_tells_the_unit_and_the_new_date(operator, login, commander, client, sender):
    receipt, handler = _in_progress(operator, login, "13900000031")
    number = receipt["number"]
    with clock.frozen(MONDAY_10 + timedelta(hours=1)):
        handler.act(number, "reply", {"reply": "已修复"})
        client.post("/api/public/rating", json={"number": number, "query_code": receipt["query_code"],
                                                "satisfaction": "unsatisfied", "solved": "unsolved"})
    with clock.frozen(datetime(2026, 11, 17, 10, 0, tzinfo=TIME_ZONE)):
        assert commander.act(number, "reopen", {"reason": "路灯仍不亮"}).status_code == 200
        _run_worker()
    assert sender.sent[-1] == ("13900000031", f"根据您的评价，工单 {number} 已重新交县城市管理和综合执法局办理，"
                                              "预计 11月19日10:00 前答复。")


def test_a_transfer_to_110_is_told_in_words_at_once_even_at_night(operator, sender):
    with clock.frozen(datetime(2026, 11, 20, 2, 30, tzinfo=TIME_ZONE)):
        number = _call(operator, "13900000041", content="楼下有人持刀吵架")["number"]
        assert operator.act(number, "transfer", {"line": "110"}).status_code == 200
        _run_worker()
    assert ("13900000041", f"您反映的紧急情况（工单 {number}）已转110报警服务台处置。情况危急请直接拨打 110。") in sender.sent


# ------------------------------------------------------------------ merge


def test_a_merge_chain_tells_every_caller_the_survivor_and_its_answer(operator, login, sender):
    with clock.frozen(MONDAY_10):
        a = _call(operator, "13900000051")
        b = _call(operator, "13900000052")
        c = _call(operator, "13900000053")
        assert operator.act(a["number"], "merge", {"parent_number": b["number"]}).status_code == 200
        _run_worker()
    assert sender.sent[-1] == ("13900000051", f"您的工单 {a['number']} 已与相同诉求合并，由工单 {b['number']} 统一办理，"
                                              f"请凭工单号 {b['number']} 和查询码 {b['query_code']} 查询进度。")
    with clock.frozen(MONDAY_10 + timedelta(minutes=5)):
        assert operator.act(b["number"], "merge", {"parent_number": c["number"]}).status_code == 200
        _run_worker()
    told_c = {phone: text for phone, text in sender.sent[-2:]}
    for ticket, phone in ((a, "13900000051"), (b, "13900000052")):
        assert told_c[phone] == (f"您的工单 {ticket['number']} 已与相同诉求合并，由工单 {c['number']} 统一办理，"
                                 f"请凭工单号 {c['number']} 和查询码 {c['query_code']} 查询进度。")

    with clock.frozen(MONDAY_10 + timedelta(minutes=10)):
        operator.act(c["number"], "dispatch", {"category_code": "0107"})
        handler = login("h_cgj")
        handler.act(c["number"], "sign")
        handler.act(c["number"], "reply", {"reply": "路灯已修复"})
        _run_worker()
    answer = f"与您诉求相同的工单 {c['number']} 已办结，答复内容可凭工单号 {c['number']} 和查询码 {c['query_code']} 查看。"
    assert {(row.phone, row.text) for row in _rows("merged_reply")} == {("13900000051", answer),
                                                                        ("13900000052", answer)}
    assert sorted(row.phone for row in _rows("reply_ready")) == ["13900000053"]
    assert all(row.status == "sent" for row in _rows())
    assert len(sender.sent) == len(set(sender.sent))  # nobody was told the same thing twice


def test_the_same_step_recorded_again_writes_no_second_message(operator):
    from dispatch import tell

    with clock.frozen(MONDAY_10):
        a = _call(operator, "13900000061")
        b = _call(operator, "13900000062")
        operator.act(a["number"], "merge", {"parent_number": b["number"]})
    with session_scope() as session:
        child = session.scalars(select(Ticket).where(Ticket.number == a["number"])).one()
        parent = session.scalars(select(Ticket).where(Ticket.number == b["number"])).one()
        tell.merged(session, child, parent)  # as a retried job would
    assert len(_rows("merged")) == 1


def test_two_timeout_sweeps_at_once_resume_each_ticket_once_and_text_once(operator, login):
    import threading

    numbers = []
    for phone in ("13900000071", "13900000072", "13900000073"):
        receipt, handler = _in_progress(operator, login, phone)
        with clock.frozen(datetime(2026, 11, 16, 11, 0, tzinfo=TIME_ZONE)):
            handler.act(receipt["number"], "wait", {"message": "请提供照片"})
        numbers.append(receipt["number"])
    results: list[int] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        barrier.wait()
        results.append(waiting.sweep())

    with clock.frozen(datetime(2026, 11, 23, 11, 30, tzinfo=TIME_ZONE)):
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sum(results) == 3
    assert sorted(row.phone for row in _rows("wait_timeout")) == ["13900000071", "13900000072", "13900000073"]
    commander = login("commander")
    for number in numbers:
        events = commander.get(f"/api/tickets/{number}").json()["events"]
        assert [e["action"] for e in events].count("resume") == 1
