"""Background work on a real RQ worker: the SMS receipt leaves through the sender, masked in the log."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from rq import SimpleWorker
from sqlalchemy import select

from hotline import clock
from hotline.database import session_scope
from hotline.jobs import get_queue, send_due_notifications, send_notification, send_notifications
from hotline.models import Notification
from hotline.notify import HttpSmsSender, LogSender, SendFailed, set_sender
from tests.fixtures import CALL

pytestmark = pytest.mark.usefixtures("daytime")  # citizens' SMS are sent at once only outside the quiet hours


@pytest.fixture(autouse=True)
def default_sender():
    yield
    set_sender(None)


def _run_worker() -> None:
    queue = get_queue()
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


def _outbox() -> list[Notification]:
    with session_scope() as session:
        return list(session.scalars(select(Notification).order_by(Notification.id)))


def test_receipt_is_sent_by_a_worker_with_the_number_and_code(operator, caplog):
    sender = LogSender()
    set_sender(sender)
    receipt = operator.post("/api/tickets", json=CALL).json()
    [row] = _outbox()
    assert row.status == "pending" and row.template == "receipt"
    queued = sorted(job.func_name for job in get_queue().jobs)  # handed to workers right after the commit
    assert queued == ["dispatch.jobs.route", "hotline.jobs.send_notifications"]
    with caplog.at_level(logging.INFO, logger="hotline.notify"):
        _run_worker()
    assert sender.sent == [("13800138000", f"您的诉求已受理，工单号 {receipt['number']}，查询码 "
                                           f"{receipt['query_code']}。请凭工单号和查询码查询办理进度。")]
    assert "138****8000" in caplog.text and "13800138000" not in caplog.text
    assert _outbox()[0].status == "sent"


def test_finished_jobs_leave_nothing_in_redis(operator):
    """The database row is the outcome: a finished job's hash and result are not kept (two per ticket)."""
    from rq.registry import FinishedJobRegistry

    operator.post("/api/tickets", json=CALL)
    queue = get_queue()
    ids = list(queue.job_ids)
    assert len(ids) == 2
    _run_worker()
    assert queue.count == 0
    assert FinishedJobRegistry(queue=queue).get_job_ids() == []
    assert [job_id for job_id in ids if queue.connection.exists(f"rq:job:{job_id}")] == []


class FlakyGateway:
    def __init__(self, failures: int) -> None:
        self.failures, self.sent = failures, []

    def send(self, phone: str, text: str) -> None:
        if self.failures:
            self.failures -= 1
            raise SendFailed("gateway 503")
        self.sent.append((phone, text))


def test_a_failing_sender_is_retried_with_backoff_until_it_works(operator):
    gateway = FlakyGateway(failures=2)
    set_sender(gateway)
    operator.post("/api/tickets", json=CALL)
    _run_worker()
    [row] = _outbox()
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "gateway 503")
    assert send_due_notifications() == 0  # not due yet: the backoff holds
    with clock.frozen(clock.now() + timedelta(minutes=2)):
        assert send_due_notifications() == 0
    with clock.frozen(clock.now() + timedelta(minutes=10)):
        assert send_due_notifications() == 1
    [row] = _outbox()
    assert (row.status, row.attempts) == ("sent", 3) and len(gateway.sent) == 1


def test_a_sender_that_never_works_ends_failed_not_lost(operator):
    set_sender(FlakyGateway(failures=99))
    operator.post("/api/tickets", json=CALL)
    moment = clock.now()
    for minutes in (0, 2, 10, 60):
        with clock.frozen(moment + timedelta(minutes=minutes)):
            send_due_notifications()
    [row] = _outbox()
    assert row.status == "failed" and row.attempts == 4


def test_two_workers_never_send_the_same_message_twice(operator):
    gateway = FlakyGateway(failures=0)
    set_sender(gateway)
    operator.post("/api/tickets", json=CALL)
    [row] = _outbox()
    assert send_notification(row.id) == "sent"
    assert send_notification(row.id) == "skipped"
    assert len(gateway.sent) == 1


def test_http_gateway_sender_posts_json_and_reports_errors():
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    received = []

    class Gateway(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(self.rfile.read(int(self.headers["Content-Length"])).decode())
            self.send_response(200 if len(received) == 1 else 500)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sender = HttpSmsSender(f"http://127.0.0.1:{server.server_port}/sms", token="t")
    sender.send("13800138000", "测试短信")
    assert '"phone":"13800138000"' in received[0].replace(" ", "") and "测试短信" in json.loads(received[0])["text"]
    with pytest.raises(SendFailed):
        sender.send("13800138000", "第二条")
    server.shutdown()


def test_intake_survives_redis_being_away(operator, monkeypatch):
    """The ticket is committed first; a failed enqueue is logged, never a lost ticket."""
    import redis

    from hotline import jobs

    def refuse(*_args, **_kwargs):
        raise redis.ConnectionError("Redis is down")

    monkeypatch.setattr(jobs.get_queue(), "enqueue_many", refuse)
    response = operator.post("/api/tickets", json=CALL)
    assert response.status_code == 201
    assert operator.get(f"/api/tickets/{response.json()['number']}").status_code == 200
    monkeypatch.undo()
    set_sender(LogSender())
    assert send_due_notifications() == 1  # the outbox row waited for the sweep


def test_log_lines_never_carry_a_full_phone_number(caplog):
    from hotline.privacy import MaskPersonalData

    logger = logging.getLogger("hotline.test")
    with caplog.at_level(logging.INFO, logger="hotline.test"):
        caplog.handler.addFilter(MaskPersonalData())
        logger.info("caller %s called about %s", "13912345678", "0737-6221234")
    assert "139****5678" in caplog.text and "0737-****1234" in caplog.text
    assert "13912345678" not in caplog.text


def test_archive_job_files_away_old_unrated_replies(operator, login):
    from datetime import timedelta

    from dispatch.jobs import archive_stale_closed
    from hotline import clock

    number = operator.post("/api/tickets", json=CALL).json()["number"]
    operator.act(number, "answer", {"reply": "已答复"})
    assert archive_stale_closed() == 0
    with clock.frozen(clock.now() + timedelta(days=16)):
        assert archive_stale_closed() == 1
    ticket = login("commander").get(f"/api/tickets/{number}").json()
    assert ticket["status"] == "archived" and ticket["events"][-1]["actor_role"] == "system"


def test_citizen_and_staff_hear_of_dispatch_reply_and_rating(operator, login):
    receipt = operator.post("/api/tickets", json=CALL).json()
    number = receipt["number"]
    operator.act(number, "dispatch", {"category_code": "0107"})
    handler = login("h_cgj")
    handler.act(number, "sign")
    handler.act(number, "reply", {"reply": "已修复"})
    rows = {(row.template, row.audience): row for row in _outbox()}
    assert set(rows) == {("receipt", "citizen"), ("dispatched", "citizen"), ("staff_dispatch", "staff"),
                         ("reply_ready", "citizen"), ("rating_invite", "citizen")}
    assert "县城市管理和综合执法局" in rows[("dispatched", "citizen")].text
    assert rows[("staff_dispatch", "staff")].phone.startswith("0737")
    assert rows[("reply_ready", "citizen")].phone == "13800138000"


def test_a_repeated_dedupe_key_writes_one_row_without_an_error_and_the_transaction_carries_on(operator):
    from hotline import outbox
    from hotline.models import Ticket

    number = operator.post("/api/tickets", json=CALL).json()["number"]
    with session_scope() as session:
        ticket = session.scalars(select(Ticket).where(Ticket.number == number)).one()
        first = outbox.queue(session, "reply_ready", dedupe_key=f"test:{number}", ticket=ticket,
                             phone="13800138000", number=number)
        again = outbox.queue(session, "reply_ready", dedupe_key=f"test:{number}", ticket=ticket,
                             phone="13800138000", number=number)
        ticket.reply = "仍在同一事务中"  # the repeat left the transaction usable
        to_send = dict(session.info["after_commit_each"])
    assert isinstance(first, int)
    assert again is None
    assert to_send == {send_notifications: [first]}  # one send, for the one row
    rows = [row for row in _outbox() if row.dedupe_key == f"test:{number}"]
    assert [(row.id, row.ticket_id, row.status) for row in rows] == [(first, ticket.id, "pending")]
    with session_scope() as session:
        assert session.scalar(select(Ticket.reply).where(Ticket.number == number)) == "仍在同一事务中"
