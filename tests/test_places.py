"""Intake checks townships and villages against a cached list, and asks the database before it refuses."""

from __future__ import annotations

from sqlalchemy import delete

from hotline.database import session_scope
from hotline.models import Area
from tests.fixtures import CALL


def test_a_place_added_after_the_list_was_cached_is_accepted_at_once(operator):
    assert operator.post("/api/tickets", json=CALL).status_code == 201  # the list is cached now
    with session_scope() as session:
        township = Area(name="新设街道", kind="township")
        session.add(township)
        session.flush()
        session.add(Area(name="新村社区", kind="community", parent_id=township.id))
    try:
        answer = operator.post("/api/tickets", json={**CALL, "township": "新设街道", "village": "新村社区"})
        assert answer.status_code == 201, answer.text
        wrong = operator.post("/api/tickets", json={**CALL, "township": "新设街道", "village": "望江社区"})
        assert wrong.status_code == 400 and "没有「望江社区」" in wrong.json()["detail"]
    finally:
        with session_scope() as session:
            session.execute(delete(Area).where(Area.name.in_(["新村社区"])))
            session.execute(delete(Area).where(Area.name == "新设街道"))
