"""Cards and escalation on a controllable clock: each step once, at its moment, even when run twice."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from sqlalchemy import func, select

from dispatch import followup
from dispatch.models import SupervisionNotice
from hotline import clock
from hotline.database import session_scope
from hotline.models import Notification, Ticket, TicketEvent
from hotline.settings import TIME_ZONE
from tests.fixtures import CALL

MONDAY_10 = datetime(2026, 11, 16, 10, 0, tzinfo=TIME_ZONE)  # a plain week, no holidays


def _dispatched_at(moment: datetime, operator, **overrides) -> str:
    with clock.frozen(moment):
        number = operator.post("/api/tickets", json={**CALL, "type": "consultation", **overrides}).json()["number"]
        assert operator.act(number, "dispatch", {"category_code": "0107"}).status_code == 200
    return number


def _ticket(number: str) -> Ticket:
    with session_scope() as session:
        return session.scalars(select(Ticket).where(Ticket.number == number)).one()


def _actions(number: str) -> list[str]:
    with session_scope() as session:
        return list(session.scalars(select(TicketEvent.action).join(Ticket).where(Ticket.number == number)
                                    .order_by(TicketEvent.id)))


def _sweep_at(moment: datetime) -> dict[str, int]:
    with clock.frozen(moment):
        return followup.sweep()


def test_consultation_walks_every_step_at_its_moment(operator):
    number = _dispatched_at(MONDAY_10, operator)
    ticket = _ticket(number)
    assert ticket.due_at == datetime(2026, 11, 18, 10, 0, tzinfo=TIME_ZONE)  # 2 working days
    # 80 % of 14 working hours = 672 min: Monday 6h, Tuesday morning 3h, then 2h12m after 13:30
    assert ticket.next_attention_at == datetime(2026, 11, 17, 15, 42, tzinfo=TIME_ZONE)
    assert _sweep_at(datetime(2026, 11, 17, 15, 41, tzinfo=TIME_ZONE)) == {}
    assert _sweep_at(datetime(2026, 11, 17, 15, 42, tzinfo=TIME_ZONE)) == {"yellow": 1}
    assert _sweep_at(datetime(2026, 11, 18, 10, 0, tzinfo=TIME_ZONE)) == {"red": 1}
    assert _ticket(number).card == "red" and _ticket(number).escalation == 1
    assert _sweep_at(datetime(2026, 11, 20, 9, 59, tzinfo=TIME_ZONE)) == {}
    assert _sweep_at(datetime(2026, 11, 20, 10, 0, tzinfo=TIME_ZONE)) == {"supervise": 1}  # +2 wd
    assert _sweep_at(datetime(2026, 11, 25, 10, 0, tzinfo=TIME_ZONE)) == {"escalate": 1}  # +5 wd
    assert _ticket(number).next_attention_at is None
    assert _actions(number)[2:] == ["yellow_card", "red_card", "urge", "supervise", "escalate"]


def test_running_twice_doubles_nothing(operator):
    number = _dispatched_at(MONDAY_10, operator)
    late = datetime(2026, 12, 1, 10, 0, tzinfo=TIME_ZONE)
    assert _sweep_at(late) == {"yellow": 1, "red": 1, "supervise": 1, "escalate": 1}  # a sweep that was away
    assert _sweep_at(late) == {}
    assert _actions(number).count("red_card") == 1
    with session_scope() as session:
        kinds = sorted(session.scalars(select(SupervisionNotice.kind)))
        templates = sorted(session.scalars(select(Notification.template).where(Notification.audience == "staff")))
    assert kinds == ["escalate", "supervise", "urge"]
    assert templates == ["staff_dispatch", "staff_escalate", "staff_escalate", "staff_red", "staff_supervise",
                         "staff_yellow"]


def test_two_sweeps_at_once_record_each_step_once(operator):
    numbers = [_dispatched_at(MONDAY_10, operator) for _ in range(4)]
    late = datetime(2026, 11, 18, 12, 0, tzinfo=TIME_ZONE)
    results: list[dict[str, int]] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        barrier.wait()
        results.append(followup.sweep())

    with clock.frozen(late):
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sum(r.get("red", 0) for r in results) == 4
    for number in numbers:
        assert _actions(number).count("yellow_card") == 1 and _actions(number).count("red_card") == 1
    with session_scope() as session:
        assert session.scalar(select(func.count(SupervisionNotice.id))) == 4


def test_paused_clock_has_no_cards_and_resume_moves_them(operator, login):
    number = _dispatched_at(MONDAY_10, operator)
    handler = login("h_cgj")
    with clock.frozen(MONDAY_10 + timedelta(hours=1)):
        handler.act(number, "sign")
        handler.act(number, "wait", {"message": "请提供照片"})
    assert _ticket(number).next_attention_at is None
    assert _sweep_at(datetime(2026, 11, 19, 10, 0, tzinfo=TIME_ZONE)) == {}  # past the old deadline: no card
    with clock.frozen(datetime(2026, 11, 19, 10, 0, tzinfo=TIME_ZONE)):  # waited 20 working hours
        handler.act(number, "resume", {})
    ticket = _ticket(number)
    assert ticket.due_at == datetime(2026, 11, 20, 17, 30, tzinfo=TIME_ZONE)  # Wed 10:00 + 20 working hours
    assert ticket.card is None and ticket.next_attention_at > datetime(2026, 11, 19, 10, 0, tzinfo=TIME_ZONE)


def test_reply_stops_the_clock_and_an_approved_extension_restarts_the_cards(operator, login, commander):
    first = _dispatched_at(MONDAY_10, operator)
    second = _dispatched_at(MONDAY_10, operator)
    handler = login("h_cgj")
    with clock.frozen(MONDAY_10 + timedelta(hours=1)):
        handler.act(first, "sign")
        handler.act(first, "reply", {"reply": "已修复"})
        handler.act(second, "sign")
    _sweep_at(datetime(2026, 11, 17, 16, 0, tzinfo=TIME_ZONE))
    assert _ticket(first).card is None and _ticket(second).card == "yellow"
    with clock.frozen(datetime(2026, 11, 17, 16, 30, tzinfo=TIME_ZONE)):
        handler.act(second, "extension", {"days": 3, "reason": "需采购配件"})
        commander.act(second, "extension/decision", {"approve": True})
    ticket = _ticket(second)
    assert ticket.card is None and ticket.due_at == datetime(2026, 11, 23, 10, 0, tzinfo=TIME_ZONE)
    assert _sweep_at(datetime(2026, 11, 18, 12, 0, tzinfo=TIME_ZONE)) == {}  # the old deadline no longer counts


def test_urgent_ticket_runs_on_the_clock_not_working_hours(operator):
    saturday_night = datetime(2026, 11, 21, 22, 0, tzinfo=TIME_ZONE)
    number = _dispatched_at(saturday_night, operator, urgency="urgent", content="小区停水了，老人小孩没水喝")
    ticket = _ticket(number)
    assert ticket.due_at == saturday_night + timedelta(hours=2)
    assert ticket.sign_deadline == saturday_night + timedelta(minutes=30)
    assert _sweep_at(saturday_night + timedelta(minutes=96)) == {"yellow": 1}
    assert _sweep_at(saturday_night + timedelta(hours=2)) == {"red": 1}


def test_deadline_in_a_year_no_calendar_package_knows_says_so(operator):
    # 30 December 2098, a Tuesday: 15 working days counted Monday to Friday, and the dispatch event says so
    number = _dispatched_at(datetime(2098, 12, 30, 10, 0, tzinfo=TIME_ZONE), operator, type="complaint")
    with session_scope() as session:
        event = session.scalars(select(TicketEvent).join(Ticket).where(Ticket.number == number,
                                                                       TicketEvent.action == "dispatch")).one()
    assert event.data["calendar"] == ["weekdays"]
    assert _ticket(number).due_at == datetime(2099, 1, 20, 10, 0, tzinfo=TIME_ZONE)


def test_an_urgent_pause_in_the_evening_keeps_the_evening_deadline(operator, login):
    """Reproduced on the code before the one clock: the resumed ticket was due at 09:00 the next morning."""
    evening = datetime(2026, 11, 24, 18, 0, tzinfo=TIME_ZONE)
    number = _dispatched_at(evening, operator, urgency="urgent", content="小区停水了，老人小孩没水喝")
    handler = login("h_cgj")
    with clock.frozen(evening + timedelta(minutes=10)):
        assert handler.act(number, "sign").status_code == 200
    with clock.frozen(evening + timedelta(minutes=30)):
        assert handler.act(number, "wait", {"message": "请告知具体楼栋"}).status_code == 200
    with clock.frozen(evening + timedelta(minutes=60)):
        assert handler.act(number, "resume", {}).status_code == 200
    assert _ticket(number).due_at == datetime(2026, 11, 24, 20, 30, tzinfo=TIME_ZONE)


def test_a_pause_outside_working_hours_moves_no_deadline(operator, login):
    """Reproduced on the code before the one clock: a deadline at the end of a working day went to the next
    morning after a pause that counted no working time."""
    # a consultation dispatched Monday 17:30 is due Wednesday 17:30, the end of that working day
    number = _dispatched_at(datetime(2026, 11, 16, 17, 30, tzinfo=TIME_ZONE), operator)
    handler = login("h_cgj")
    with clock.frozen(datetime(2026, 11, 16, 20, 0, tzinfo=TIME_ZONE)):
        handler.act(number, "sign")
        assert handler.act(number, "wait", {"message": "请提供照片"}).status_code == 200
        assert handler.act(number, "resume", {}).status_code == 200
    assert _ticket(number).due_at == datetime(2026, 11, 18, 17, 30, tzinfo=TIME_ZONE)


def test_a_handler_may_pause_a_ticket_once(operator, login):
    number = _dispatched_at(MONDAY_10, operator)
    handler = login("h_cgj")
    with clock.frozen(MONDAY_10 + timedelta(hours=1)):
        handler.act(number, "sign")
        assert handler.act(number, "wait", {"message": "请提供照片"}).status_code == 200
        assert handler.act(number, "resume", {}).status_code == 200
        second = handler.act(number, "wait", {"message": "请再提供一张照片"})
    assert second.status_code == 409
    assert "最多暂停计时 1 次" in second.json()["detail"] and second.json()["current_status"] == "in_progress"
    assert _actions(number).count("wait_citizen") == 1


def _event_data(number: str, action: str) -> dict:
    with session_scope() as session:
        return session.scalars(select(TicketEvent.data).join(Ticket).where(
            Ticket.number == number, TicketEvent.action == action).order_by(TicketEvent.id.desc())).first()


def test_every_event_that_moves_a_deadline_records_the_calendar_it_used(operator, login, commander):
    # all within November 2026, which the chinesecalendar package knows
    number = _dispatched_at(MONDAY_10, operator)
    handler = login("h_cgj")
    with clock.frozen(MONDAY_10 + timedelta(hours=1)):
        handler.act(number, "sign")
        handler.act(number, "wait", {"message": "请提供照片"})
    with clock.frozen(datetime(2026, 11, 17, 10, 0, tzinfo=TIME_ZONE)):
        assert handler.act(number, "resume", {}).status_code == 200
        handler.act(number, "extension", {"days": 3, "reason": "需采购配件"})
        assert commander.act(number, "extension/decision", {"approve": True}).status_code == 200
        assert commander.post(f"/api/tickets/{number}/supervise", json={
            "message": "请加快办理", "respond_within_days": 1}).status_code == 201
        handler.act(number, "reply", {"reply": "已修复"})
        operator.post(f"/api/tickets/{number}/callback", json={"satisfaction": "unsatisfied", "solved": "unsolved"})
        assert commander.act(number, "reopen", {"reason": "群众反映路灯仍未修复"}).status_code == 200
    for action in ("resume", "approve_extension", "supervise", "reopen"):
        assert _event_data(number, action)["calendar"] == ["chinesecalendar"], action


def test_an_extension_into_a_year_without_data_says_it_counted_weekdays(operator, login, commander,
                                                                       calendar_package_up_to_2026):
    # a consultation dispatched Monday 28 December 2026 10:00 is due Wednesday 30 December 10:00; 3 more working
    # days, Monday to Friday in 2027: 31 December, 1 January, 4 January
    number = _dispatched_at(datetime(2026, 12, 28, 10, 0, tzinfo=TIME_ZONE), operator)
    handler = login("h_cgj")
    with clock.frozen(datetime(2026, 12, 28, 11, 0, tzinfo=TIME_ZONE)):
        handler.act(number, "sign")
        handler.act(number, "extension", {"days": 3, "reason": "需采购配件"})
        assert commander.act(number, "extension/decision", {"approve": True}).status_code == 200
    assert _ticket(number).due_at == datetime(2027, 1, 4, 10, 0, tzinfo=TIME_ZONE)
    assert _event_data(number, "approve_extension")["calendar"] == ["chinesecalendar", "weekdays"]
