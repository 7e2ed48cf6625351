"""What operations watch: liveness, readiness (database and Redis), and Prometheus metrics.

The metrics are read from the database and Redis at scrape time, so several web processes answer alike
without a shared metrics directory: the database is the one source of truth.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import redis
from litestar import Request, Response, get
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from rq.registry import FailedJobRegistry
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from command import runtime as board
from dispatch import gate
from dispatch.policy import calendar_coverage
from hotline.clock import local, now
from hotline.database import get_engine, session_scope
from hotline.jobs import get_queue
from hotline.models import Notification, Ticket
from hotline.redis_conn import get_redis
from hotline.workflow import OPEN

log = logging.getLogger("web.ops")


@get("/ready", opt={"public": True}, sync_to_thread=True)
def ready() -> Response[dict[str, Any]]:
    """503 until both the database and Redis answer, so a load balancer sends no traffic before.

    A year ahead without holiday data does not make the process unready (deadlines still count Monday to
    Friday), but the answer says so in a `calendar` field until an admin imports that year."""
    checks = {}
    try:
        with get_engine().connect() as connection:
            connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # any failure means not ready; the reason is in the answer
        checks["database"] = f"不可用：{type(exc).__name__}"
    try:
        get_redis().ping()
        checks["redis"] = "ok"
    except redis.RedisError as exc:
        checks["redis"] = f"不可用：{type(exc).__name__}"
    healthy = all(value == "ok" for value in checks.values())
    body: dict[str, Any] = {"status": "ready" if healthy else "not ready", **checks}
    if checks["database"] == "ok" and (gap := _calendar_gap()) is not None:
        body["calendar"] = gap
    return Response(body, status_code=200 if healthy else 503)


def _calendar_gap() -> dict[str, Any] | None:
    """The years a deadline computed today can reach that neither the package nor an override knows."""
    try:
        with session_scope() as session:
            coverage = calendar_coverage(session, local(now()).date())
    except Exception:  # readiness is about the database and Redis; a failure here is logged, never a 503
        log.exception("calendar coverage check failed")
        return None
    if not coverage.uncovered:
        return None
    return {"uncovered_years": coverage.uncovered, "horizon": coverage.horizon.isoformat(), "message": coverage.message}


class FromTheRecords:
    """A Prometheus collector that reads the figures from the database and Redis at each scrape."""

    def __init__(self, board_clients: int) -> None:
        self.board_clients = board_clients

    def collect(self) -> Iterator[Metric]:
        with session_scope() as session:
            tickets = GaugeMetricFamily("hotline_tickets", "Tickets by status and channel", labels=["status", "channel"])
            for status, channel, count in session.execute(
                    select(Ticket.status, Ticket.channel, func.count()).group_by(Ticket.status, Ticket.channel)):
                tickets.add_metric([status, channel], count)
            yield tickets
            cards = GaugeMetricFamily("hotline_deadline_cards", "Open tickets by card", labels=["card"])
            for card, count in session.execute(select(Ticket.card, func.count()).where(
                    Ticket.status.in_(OPEN), Ticket.card.is_not(None)).group_by(Ticket.card)):
                cards.add_metric([card], count)
            yield cards
            outbox = GaugeMetricFamily("hotline_notifications", "Outbox rows by status", labels=["status"])
            for status, count in session.execute(select(Notification.status, func.count())
                                                 .group_by(Notification.status)):
                outbox.add_metric([status], count)
            yield outbox
            yield from _gate_metrics(session)
        yield GaugeMetricFamily("hotline_board_clients", "Big-screen websockets open on the web process that answered",
                                value=self.board_clients)
        try:
            queue = get_queue()
            yield GaugeMetricFamily("hotline_queue_depth", "Jobs waiting in the RQ queue", value=queue.count)
            yield GaugeMetricFamily("hotline_job_failures", "Jobs in the RQ failed registry",
                                    value=FailedJobRegistry(queue=queue).count)
        except redis.RedisError:
            yield GaugeMetricFamily("hotline_redis_up", "Whether Redis answered the scrape", value=0)
        else:
            yield GaugeMetricFamily("hotline_redis_up", "Whether Redis answered the scrape", value=1)


def _gate_metrics(session: Session) -> Iterator[Metric]:
    """The auto-dispatch gate per model family and category (dispatch.gate): judged tickets (starting evidence
    included), their precision, its lower bound, and whether the category is dispatched without a person."""
    labels = ["family", "category"]
    judged = GaugeMetricFamily("hotline_gate_judged", "Tickets judged by people for the auto-dispatch gate "
                               "(starting evidence included)", labels=labels)
    live = GaugeMetricFamily("hotline_gate_live_judged", "Of which judged live", labels=labels)
    precision = GaugeMetricFamily("hotline_gate_precision", "Share of judged confident suggestions people "
                                  "confirmed", labels=labels)
    bound = GaugeMetricFamily("hotline_gate_precision_lower_bound", "Lower Wilson bound of that share",
                              labels=labels)
    open_ = GaugeMetricFamily("hotline_gate_open", "1 when the category is dispatched without a person",
                              labels=labels)
    for found in gate.all_standings(session):
        key = [found.family, found.category_code]
        judged.add_metric(key, found.judged)
        live.add_metric(key, found.live_judged)
        if found.precision is not None:
            precision.add_metric(key, found.precision)
        bound.add_metric(key, found.lower_bound)
        open_.add_metric(key, int(found.open))
    yield from (judged, live, precision, bound, open_)


@get("/metrics", opt={"public": True}, sync_to_thread=True, media_type="text/plain; version=0.0.4")
def metrics(request: Request) -> bytes:
    runtime = board.of(request.app)  # the board of the process that answered
    registry = CollectorRegistry()
    registry.register(FromTheRecords(len(runtime.hub.clients) if runtime else 0))
    return generate_latest(registry)


ROUTES = [ready, metrics]
