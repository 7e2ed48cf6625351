"""Operations: readiness reflects the database and Redis; metrics come from the records."""

from __future__ import annotations

from datetime import datetime

import redis

from hotline import clock
from hotline.settings import TIME_ZONE
from tests.fixtures import CALL


def test_health_and_ready(client):
    assert client.get("/health").json() == {"status": "ok"}
    with clock.frozen(datetime(2026, 6, 1, 10, 0, tzinfo=TIME_ZONE)):  # every deadline lands in a year with data
        response = client.get("/ready")  # (a year without data adds a `calendar` field: test_calendar_coverage)
    assert response.status_code == 200 and response.json() == {"status": "ready", "database": "ok", "redis": "ok"}


def test_not_ready_when_redis_is_away(client, monkeypatch):
    from web import ops

    class Down:
        def ping(self):
            raise redis.ConnectionError("down")

    monkeypatch.setattr(ops, "get_redis", lambda: Down())
    response = client.get("/ready")
    assert response.status_code == 503 and response.json()["redis"].startswith("不可用")


def test_metrics_count_tickets_cards_outbox_and_queue(client, operator):
    operator.post("/api/tickets", json=CALL)
    body = client.get("/metrics").text
    assert 'hotline_tickets{channel="call_12345",status="received"} 1.0' in body
    assert 'hotline_notifications{status="pending"} 1.0' in body
    assert "hotline_queue_depth 2.0" in body  # the routing job and the receipt SMS
    assert "hotline_redis_up 1.0" in body


def test_metrics_count_open_board_websockets(client, login):
    commander = login("commander")
    board_pass = commander.post("/api/board/pass").json()["pass"]
    assert "hotline_board_clients 0.0" in client.get("/metrics").text
    with client.websocket_connect(f"/api/board/ws?pass={board_pass}") as socket:
        assert socket.receive_json()["type"] == "snapshot"
        assert "hotline_board_clients 1.0" in client.get("/metrics").text
