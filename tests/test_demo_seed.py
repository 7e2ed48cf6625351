"""The demo county is a living center: tickets in every state, each with a consistent event history."""

from __future__ import annotations

from itertools import pairwise

from sqlalchemy import func, select

from hotline.database import session_scope
from hotline.models import Area, Department, Staff, Ticket, TicketEvent
from hotline.vocabulary import Role, Status
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


def test_openapi_schema_lists_the_api(client):
    schema = client.get("/schema/openapi.json").json()
    paths = schema["paths"]
    for path in ("/api/tickets", "/api/public/lookup", "/api/tickets/{number}/sign", "/api/audit/events"):
        assert path in paths
