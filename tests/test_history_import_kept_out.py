"""Imported history stays out of what runs the county today: deadlines and their sweep, the wall, the citizen's
lookup, and the measures unless `include_imported=true` asks for it (docs/history.md)."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, update

from command.board import build_board, consistent_read
from command.payloads import Names, frames_between
from dispatch import followup
from hotline import clock
from hotline.clock import now
from hotline.database import session_scope
from hotline.models import Ticket, TicketEvent
from hotline.settings import TIME_ZONE
from tests.fixtures import CALL
from web.history_file import run

HEADER = ["工单编号", "受理时间", "乡镇/街道", "诉求内容", "分类", "满意度", "解决情况"]
NOVEMBER = [  # four tickets received in November 2026, rated as the old system recorded
    ["H-N1", "2026-11-03 09:00", "城关街道", "路灯不亮", "0107", "满意", "已解决"],
    ["H-N2", "2026-11-04 09:00", "城关街道", "路灯闪烁", "0107", "基本满意", "部分解决"],
    ["H-N3", "2026-11-05 09:00", "白沙镇", "停水", "0201", "不满意", "未解决"],
    ["H-N4", "2026-11-06 09:00", "白沙镇", "停电", "0202", None, None],
]


def history(tmp_path: Path, rows: list[list]) -> None:
    path = tmp_path / "history.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([HEADER, *rows])
    assert run(str(path)) == 0


def _measures(api, **params):
    with clock.frozen(datetime(2026, 11, 24, 12, tzinfo=TIME_ZONE)):
        response = api.get("/api/measures", params={"start": "2026-11-01", "end": "2026-11-30", **params})
    assert response.status_code == 200, response.text
    return response.json()


def test_measures_leave_history_out_unless_asked(tmp_path, commander):
    history(tmp_path, NOVEMBER)
    live = _measures(commander)
    assert (live["received"], live["rated"], live["satisfaction_rate"], live["resolution_rate"]) == (0, 0, None, None)
    assert "imported" not in live
    both = _measures(commander, include_imported="true")
    assert (both["received"], both["imported"], both["rated"]) == (4, 4, 3)
    assert both["satisfaction_rate"] == round(2 / 3, 4)  # 满意 and 基本满意 of three ratings
    assert both["resolution_rate"] == round(1 / 3, 4)  # one 已解决
    # the history knows nothing of sign-for, deadlines or answers on the spot: those rates stay live-only
    assert (both["direct_answer_rate"], both["response_rate"], both["on_time_rate"]) == (None, None, None)
    assert (both["open"], both["overdue"]) == (0, 0)
    township = _measures(commander, include_imported="true", township="白沙镇")
    assert (township["imported"], township["rated"], township["satisfaction_rate"]) == (2, 1, 0.0)


def test_history_beside_live_tickets_changes_no_live_figure(tmp_path, commander, operator):
    with clock.frozen(datetime(2026, 11, 16, 9, 30, tzinfo=TIME_ZONE)):
        operator.post("/api/tickets", json=CALL)
    before = _measures(commander)
    history(tmp_path, NOVEMBER)
    assert _measures(commander) == before
    assert before["received"] == 1 and _measures(commander, include_imported="true")["received"] == 5


def test_the_sweep_passes_imported_tickets_by(tmp_path):
    history(tmp_path, NOVEMBER[:1])
    with session_scope() as session:  # even one that somehow has a moment to be looked at again
        session.execute(update(Ticket).values(next_attention_at=now() - timedelta(days=1)))
    assert followup.sweep() == {}
    with session_scope() as session:
        ticket = session.scalars(select(Ticket)).one()
        assert (ticket.card, ticket.escalation, ticket.status) == (None, 0, "archived")
        assert session.scalar(select(func.count()).select_from(TicketEvent)) == 1  # the import event only
        followup.schedule(session, ticket)
        assert ticket.next_attention_at is None


def test_the_wall_shows_live_tickets_only(tmp_path, operator):
    earlier_today = (now() - timedelta(minutes=30)).astimezone(TIME_ZONE).strftime("%Y-%m-%d %H:%M")
    history(tmp_path, [["H-TODAY", earlier_today, "城关街道", "今天早些时候旧系统里的件", "0107", None, None]])
    number = operator.post("/api/tickets", json=CALL).json()["number"]
    with consistent_read() as session:
        board = build_board(session, now(), Names())
        newest = session.scalar(select(func.max(TicketEvent.id)))
        frames = frames_between(session, Names(), 0, newest, 100)
    assert [t.ticket for t in board.latest] == [number]
    assert board.intake_today == 1
    assert board.open_total == 1 and board.cards == []
    assert sum(map(sum, board.heat.month)) == 1 and board.top_categories == []
    assert [(f.ticket, f.action) for f in frames] == [(number, "receive")]


def test_a_citizen_cannot_look_up_an_imported_ticket(tmp_path, client):
    history(tmp_path, NOVEMBER[:1])
    with session_scope() as session:
        code = session.scalar(select(Ticket.query_code).where(Ticket.number == "H-N1"))
    response = client.post("/api/public/lookup", json={"number": "H-N1", "query_code": code})
    assert response.status_code == 404
    assert response.json() == {"status_code": 404, "detail": "未找到该工单，请核对工单号和查询码"}


def test_open311_lists_and_finds_no_imported_ticket(tmp_path, client, operator):
    """Imported tickets received within the last 90 days would otherwise be listed as closed public requests."""
    with clock.frozen(datetime(2026, 11, 24, 12, tzinfo=TIME_ZONE)):
        history(tmp_path, NOVEMBER)
        live = operator.post("/api/tickets", json=CALL).json()["number"]
        listed = client.get("/open311/v2/requests.json", params={"start_date": "2026-11-01T00:00:00+08:00"})
        one = client.get("/open311/v2/requests/H-N1.json")
        asked = client.get("/open311/v2/requests.json", params={"service_request_id": "H-N1,H-N3"})
    assert [r["service_request_id"] for r in listed.json()] == [live]
    assert one.status_code == 404
    assert asked.status_code == 200 and asked.json() == []
