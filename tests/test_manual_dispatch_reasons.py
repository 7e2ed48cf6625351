"""The manual dispatch queue tells the commander why each ticket waits for a person, and for a likely duplicate
which ticket it repeats."""

from __future__ import annotations

from sqlalchemy import select

from dispatch.jobs import route
from hotline.database import session_scope
from hotline.models import Ticket
from tests.fixtures import CALL


def _routed(number: str) -> None:
    with session_scope() as session:
        ticket_id = session.scalar(select(Ticket.id).where(Ticket.number == number))
    route(ticket_id)


def test_a_likely_duplicate_names_the_ticket_it_repeats(operator, commander):
    lamp = {**CALL, "content": "望江花园小区门口的路灯坏了一个多星期，晚上很黑", "township": "城关街道"}
    first = operator.post("/api/tickets", json=lamp).json()["number"]
    operator.act(first, "dispatch", {"category_code": "0107"})
    again = operator.post("/api/tickets", json={**lamp, "content": "望江花园小区门口路灯坏了好多天，晚上黑漆漆的",
                                                "caller_phone": "13900139001"}).json()["number"]
    operator.act(again, "submit")
    _routed(again)
    [item] = [i for i in commander.get("/api/queues/manual-dispatch").json() if i["number"] == again]
    assert item["manual_review"] is True
    assert "疑似重复件" in item["reason"]
    assert item["duplicate_of"] == first


def test_an_unsure_ticket_says_its_confidence_is_low(operator, commander):
    vague = {**CALL, "content": "你好，我想问一下上次说的那个事情现在怎么样了，麻烦帮我看一下。"}
    number = operator.post("/api/tickets", json=vague).json()["number"]
    operator.act(number, "submit")
    _routed(number)
    [item] = [i for i in commander.get("/api/queues/manual-dispatch").json() if i["number"] == number]
    assert "置信度" in item["reason"] and "低于阈值" in item["reason"]
    assert item["duplicate_of"] is None
