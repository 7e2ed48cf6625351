"""The demo county is a living center: tickets in every state, each with a consistent event history."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

from sqlalchemy import func, select

from dispatch.jobs import reconcile
from hotline.clock import now
from hotline.database import session_scope
from hotline.models import Area, Department, Staff, Ticket, TicketEvent
from hotline.vocabulary import Action, Role, Status
from tests.fixtures import reference_tables_restored
from web.demo.seed import seed_tickets


def test_reference_data_is_a_whole_county():
    with session_scope() as session:
        assert session.scalar(select(func.count(Department.id))) >= 30
        assert session.scalar(select(func.count(Area.id)).where(Area.kind == "township")) >= 10
        assert session.scalar(select(func.count(Area.id)).where(Area.kind != "township")) >= 30
        roles = set(session.scalars(select(Staff.role)))
        assert roles == {r.value for r in Role}
        departments_without_handler = session.scalar(
            select(func.count(Department.id)).where(~Department.id.in_(select(Staff.department_id).where(
                Staff.department_id.is_not(None)))))
        assert departments_without_handler == 0


def _demo_countys_review() -> None:
    """The demo county keeps the default policy, which reviews complaints (the suite's county does not)."""
    from dispatch.models import TimeLimitPolicy

    with session_scope() as session:
        policy = session.get(TimeLimitPolicy, 1)
        policy.rules = {**policy.rules, "reply_review_types": ["complaint"]}


def test_seeded_tickets_cover_every_state_with_matching_events():
    with reference_tables_restored():
        _demo_countys_review()
        with session_scope() as session:
            count = seed_tickets(session, days=4, per_day=30)
        _check_every_state(count)
        _check_the_desk_on_a_normal_morning()


def _check_every_state(count: int) -> None:
    with session_scope() as session:
        statuses = set(session.scalars(select(Ticket.status)))
        assert statuses == {s.value for s in Status}
        assert session.scalar(select(func.count(Ticket.id))) == count
        for ticket in session.scalars(select(Ticket)):
            events = list(session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
                                          .order_by(TicketEvent.id)))
            assert events[0].action == "receive" and events[-1].to_status == ticket.status
            for earlier, later in pairwise(events):
                assert later.from_status == earlier.to_status
                assert later.created_at >= earlier.created_at


def _waiting() -> dict[str, str]:
    with session_scope() as session:
        return dict(session.execute(select(Ticket.number, Ticket.status).where(
            Ticket.status.in_([Status.RECEIVED, Status.PENDING_DISPATCH]))).all())


def _check_the_desk_on_a_normal_morning() -> None:
    """What the commander meets first: a handful of tickets from the last hours, each with the model's suggestion
    and the reason a person decides, and none that the next sweep would dispatch by itself in the night."""
    with session_scope() as session:
        waiting = list(session.scalars(select(Ticket).where(Ticket.status == Status.PENDING_DISPATCH)))
        assert 3 <= len(waiting) <= 12
        for ticket in waiting:
            assert ticket.suggested_category and ticket.confidence is not None, ticket.number
            assert ticket.manual_review, ticket.number
            assert now() - timedelta(hours=4) <= ticket.created_at <= now(), ticket.number
            why = session.scalars(select(TicketEvent.data).where(TicketEvent.ticket_id == ticket.id,
                                                                 TicketEvent.action == Action.MANUAL_REVIEW)).all()
            assert why and why[-1]["reasons"], ticket.number
        reasons = {r for ticket in waiting for r in session.scalars(select(TicketEvent.data).where(
            TicketEvent.ticket_id == ticket.id, TicketEvent.action == Action.MANUAL_REVIEW)).one()["reasons"]}
        assert any("置信度" in r for r in reasons) and "疑似重复件" in reasons
        recording = session.scalars(select(Ticket).where(Ticket.status == Status.RECEIVED)).all()
        assert all(now() - timedelta(hours=1) <= t.created_at for t in recording)
    before = _waiting()
    outcome = reconcile(older_than=timedelta(0))  # the scheduler's next 5-minute sweep, run at once
    assert outcome.get("dispatched", 0) == 0
    assert _waiting() == before


def test_openapi_schema_lists_the_api(client):
    schema = client.get("/schema/openapi.json").json()
    paths = schema["paths"]
    for path in ("/api/tickets", "/api/public/lookup", "/api/tickets/{number}/sign", "/api/audit/events"):
        assert path in paths
