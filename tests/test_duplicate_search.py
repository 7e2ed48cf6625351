"""Routing's duplicate search: which tickets it compares a new one with, newest first, whatever the scope."""

from __future__ import annotations

from datetime import timedelta

import msgspec
import pytest
from sqlalchemy import select

from classifier.corpus.places import TOWNSHIPS
from dispatch import routing
from hotline import intake
from hotline.accounts import actor_of
from hotline.clock import now
from hotline.database import session_scope
from hotline.models import Staff, Ticket
from hotline.schemas import CallCreate
from hotline.vocabulary import Status
from tests.fixtures import CALL

STREETLIGHT = "望江花园小区门口的路灯坏了一个多星期，晚上很黑，老人出门不安全"
HOME, ELSEWHERE = "城关街道", next(name for name in TOWNSHIPS if name != "城关街道")


@pytest.fixture
def tickets():
    """Eight tickets with the same text: which of them are candidates depends only on their other fields."""
    with session_scope() as session:
        actor = actor_of(session.scalars(select(Staff).where(Staff.username == "operator1")).one())

        def call(township: str, **fields):
            ticket = intake.record_call(session, msgspec.convert(
                {**CALL, "content": STREETLIGHT, "township": township, "village": None}, CallCreate), actor)
            for name, value in fields.items():
                setattr(ticket, name, value)
            session.flush()
            return ticket

        made = {
            "same_township": call(HOME),
            "suggested_same_category": call(ELSEWHERE, suggested_category="0107"),
            "closed": call(HOME, status=Status.CLOSED),
            "last_month": call(HOME, created_at=now() - timedelta(days=8)),
            "other_scope": call(ELSEWHERE, suggested_category="0301"),
            "filed_same_category": call(ELSEWHERE, category_code="0107"),
            "the_new_one": call(HOME),
        }
        made["merged"] = call(HOME, parent_id=made["same_township"].id)
        return {name: (ticket.id, ticket.number) for name, ticket in made.items()}


def _search(tickets, **scope) -> list[str]:
    new_id, _ = tickets["the_new_one"]
    with session_scope() as session:
        found = routing.similar_open_tickets(session, STREETLIGHT, exclude_id=new_id, **scope)
    numbers = {number: name for name, (_, number) in tickets.items()}
    return [numbers[match["number"]] for match in found]


def test_open_tickets_of_the_week_in_the_township_or_the_category_newest_first(tickets):
    assert _search(tickets, township=HOME, category="0107") == [
        "filed_same_category", "suggested_same_category", "same_township"]
    assert _search(tickets, township=HOME, category=None) == ["same_township"]
    assert _search(tickets, township=None, category="0107") == ["filed_same_category", "suggested_same_category"]
    assert _search(tickets, township=None, category=None) == []


def test_the_candidates_are_the_newest_across_township_and_category(tickets, monkeypatch):
    monkeypatch.setattr(routing, "DUPLICATE_CANDIDATES", 2)
    assert _search(tickets, township=HOME, category="0107") == ["filed_same_category", "suggested_same_category"]
    monkeypatch.setattr(routing, "DUPLICATE_CANDIDATES", 1)
    assert _search(tickets, township=HOME, category=None) == ["same_township"]


def test_texts_are_read_and_vectorised_once_per_process(tickets, monkeypatch):
    vectorised = []
    real = routing.similarity.ngram_vector
    monkeypatch.setattr(routing.similarity, "ngram_vector", lambda text: vectorised.append(text) or real(text))
    routing._vectors.clear()
    first = _search(tickets, township=HOME, category="0107")
    assert len(vectorised) == 1 + 3  # the new text, then each candidate's
    assert _search(tickets, township=HOME, category="0107") == first and len(vectorised) == 1 + 3 + 1


def test_a_ticket_id_used_again_is_not_taken_for_the_old_ticket(tickets):
    """The test suite empties its tables between tests, so SQLite hands out the same ids again."""
    assert _search(tickets, township=HOME, category=None) == ["same_township"]
    same_id, _ = tickets["same_township"]
    with session_scope() as session:
        ticket = session.get(Ticket, same_id)
        ticket.content, ticket.created_at = "县一中今年高一新生报名要交资料费三百元", now() - timedelta(hours=1)
    assert _search(tickets, township=HOME, category=None) == []
