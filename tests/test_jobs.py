"""Background work on a real RQ worker: the SMS receipt leaves through the sender, masked in the log."""

from __future__ import annotations

import logging

from rq import SimpleWorker

from hotline.jobs import get_queue
from hotline.notify import LogSender, set_sender
from tests.fixtures import CALL


def test_receipt_is_sent_by_a_worker_with_the_number_and_code(operator, caplog):
    sender = LogSender()
    set_sender(sender)
    receipt = operator.post("/api/tickets", json=CALL).json()
    queue = get_queue()
    assert queue.count == 1
    with caplog.at_level(logging.INFO, logger="hotline.notify"):
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
    assert sender.sent == [("13800138000", f"您的诉求已受理，工单号 {receipt['number']}，查询码 "
                                           f"{receipt['query_code']}。请凭工单号和查询码查询办理进度。")]
    assert "138****8000" in caplog.text and "13800138000" not in caplog.text


def test_intake_survives_redis_being_away(operator, monkeypatch):
    """The ticket is committed first; a failed enqueue is logged, never a lost ticket."""
    import redis

    from hotline import jobs

    def refuse(*_args, **_kwargs):
        raise redis.ConnectionError("Redis is down")

    monkeypatch.setattr(jobs.get_queue(), "enqueue", refuse)
    response = operator.post("/api/tickets", json=CALL)
    assert response.status_code == 201
    assert operator.get(f"/api/tickets/{response.json()['number']}").status_code == 200


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
