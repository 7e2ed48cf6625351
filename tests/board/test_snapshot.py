"""What the board shows: the counts and lists of the snapshot, and that no personal detail ever gets there."""

from __future__ import annotations

from datetime import timedelta

import msgspec
from sqlalchemy import select

from command.board import take_snapshot
from command.payloads import Names, event_rows, frame, summarize
from hotline.clock import now
from hotline.database import session_scope
from hotline.models import Ticket, TicketEvent
from tests.fixtures import CALL

SECRET_TEXT = "我叫张三丰，电话13912345678，座机0737-6221234，身份证430902199001011234，邮箱zsf@example.com"


def _call(operator, **fields) -> str:
    response = operator.post("/api/tickets", json={**CALL, **fields})
    assert response.status_code == 201, response.text
    return response.json()["number"]


def _follow_through(number: str, card: str, due_in: timedelta, actions: list[str], escalation: int = 0) -> None:
    """What the sweeps of issue 4 do: set the card and escalation step and log the event."""
    with session_scope() as session:
        ticket = session.scalars(select(Ticket).where(Ticket.number == number)).one()
        ticket.card, ticket.escalation, ticket.due_at = card, escalation, now() + due_in
        for action in actions:
            session.add(TicketEvent(ticket_id=ticket.id, action=action, actor_role="system", note="内部：催了三次",
                                    department_id=ticket.lead_department_id, data={"days": 2}, created_at=now()))


def _newest_id() -> int:
    with session_scope() as session:
        return session.scalar(select(TicketEvent.id).order_by(TicketEvent.id.desc()).limit(1)) or 0


def test_the_snapshot_counts_and_lists(operator, login):
    first = _call(operator, channel="call_12345", type="complaint", township="城关街道")
    second = _call(operator, channel="mailbox", type="consultation", township="城关街道")
    third = _call(operator, channel="call_12315", type="help", township=None, village=None, address=None)
    assert operator.act(first, "dispatch", {"category_code": "0107"}).status_code == 200
    assert operator.act(second, "dispatch", {"category_code": "0107"}).status_code == 200
    _follow_through(first, "red", -timedelta(days=3), ["red_card", "urge", "supervise"], escalation=2)
    _follow_through(second, "yellow", timedelta(hours=5), ["yellow_card"])

    snapshot = take_snapshot(_newest_id(), now(), Names())
    board = snapshot.board
    assert snapshot.included == []
    assert board.intake_today == 3 and sum(board.intake_by_hour) == 3
    channels = {c.key: c.count for c in board.intake_by_channel}
    assert channels["call_12345"] == 1 and channels["mailbox"] == 1 and channels["call_12315"] == 1
    statuses = {c.key: c.count for c in board.open_by_status}
    assert statuses["pending_sign"] == 2 and statuses["received"] == 1 and board.open_total == 3
    assert board.open_by_department[0].count == 2 and board.open_by_department[0].label == "县城市管理和综合执法局"
    assert [(c.ticket, c.card) for c in board.cards] == [(first, "red"), (second, "yellow")]
    assert board.cards[0].escalation == 2 and board.cards[0].due_at < now() < board.cards[1].due_at
    assert [(s.ticket, s.action_label) for s in board.supervision] == [(first, "督办"), (first, "催办")]
    assert board.top_categories[0].key == "0107" and board.top_categories[0].count == 2
    heat = board.heat
    row = heat.townships.index("城关街道")
    assert heat.today[row] == 2
    assert heat.month[row][[t.key for t in heat.types].index("complaint")] == 1
    assert [t.ticket for t in board.latest] == [third, second, first]
    assert set(board.measures) == {"today", "month", "year"}
    assert set(board.measures["today"]) == {"on_time_rate", "response_rate", "resolution_rate", "satisfaction_rate"}


def test_no_personal_detail_reaches_the_board(operator):
    number = _call(operator, content=SECRET_TEXT, caller_name="李秀英", caller_phone="13800138000")
    _call(operator, content="王建国反映：13800138000 这个号码打不通热线")  # the caller's own name, in the text
    assert operator.act(number, "notes", {"reason": "内部备注：来电人情绪激动"}).status_code == 200
    snapshot = msgspec.json.encode(take_snapshot(0, now(), Names())).decode()
    with session_scope() as session:
        frames = msgspec.json.encode([frame(row, 0, Names().refresh(session)) for row in event_rows(session, 0)])
    with session_scope() as session:
        query_code = session.scalars(select(Ticket.query_code).where(Ticket.number == number)).one()
    for text in (snapshot, frames.decode()):
        for secret in ("张三丰", "13912345678", "6221234", "430902199001011234", "zsf@", "李秀英", "王建国", "13800138000",
                       "内部备注", "情绪激动", query_code):
            assert secret not in text, secret


def test_summaries_mask_before_they_shorten():
    masked = summarize(SECRET_TEXT, limit=200)
    assert masked == "我叫张**，电话139****5678，座机0737-****1234，身份证430****4，邮箱***@example.com"
    assert summarize("请回电13912345678", limit=10) == "请回电139***…"
    assert summarize("王建国家门口的路灯坏了", caller_name="王建国") == "王**家门口的路灯坏了"
    assert summarize("  多个   空格\n换行 ") == "多个 空格 换行"


def test_frames_carry_no_reply_reason_or_note(operator, login):
    number = _call(operator)
    operator.act(number, "dispatch", {"category_code": "0107"})
    handler = login("h_cgj")
    assert handler.act(number, "sign").status_code == 200
    assert handler.act(number, "reply", {"reply": "已派人修复，联系人刘师傅13700001111"}).status_code == 200
    with session_scope() as session:
        frames = [frame(row, 0, Names().refresh(session)) for row in event_rows(session, 0)]
    reply = next(f for f in frames if f.action == "reply")
    assert reply.detail == {"on_time": True} and reply.to_status == "closed" and reply.department == "县城市管理和综合执法局"
    assert "刘师傅" not in msgspec.json.encode(frames).decode()


def test_a_snapshot_lists_the_newer_events_it_already_counts(operator):
    _call(operator)
    position = _newest_id()
    _call(operator)
    newer = _newest_id()
    snapshot = take_snapshot(position, now(), Names())
    assert snapshot.last_event_id == position and snapshot.included == [newer]
    assert snapshot.board.intake_today == 2
