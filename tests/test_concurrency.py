"""Races over real HTTP: two handlers signing at once, operators numbering at once, double submits."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import select

from tests.fixtures import CALL
from web.demo.county import DEMO_PASSWORD


def _token(base: str, username: str) -> dict[str, str]:
    response = httpx.post(f"{base}/api/auth/login", json={"username": username, "password": DEMO_PASSWORD})
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _race(calls) -> list[httpx.Response]:
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def test_two_handlers_signing_at_once_cannot_both_win(live_server, operator):
    from hotline.accounts import create_staff
    from hotline.database import session_scope
    from hotline.models import Staff
    from hotline.vocabulary import Role
    from tests.fixtures import department_id

    with session_scope() as session:
        if session.scalar(select(Staff.id).where(Staff.username == "h_cgj_2")) is None:
            create_staff(session, "h_cgj_2", "城管局承办员二", DEMO_PASSWORD, Role.HANDLER, department_id("cgj"))
    first, second = _token(live_server, "h_cgj"), _token(live_server, "h_cgj_2")
    for _ in range(5):
        number = operator.post("/api/tickets", json=CALL).json()["number"]
        operator.act(number, "dispatch", {"category_code": "0107"})
        url = f"{live_server}/api/tickets/{number}/sign"
        results = _race([lambda u=url: httpx.post(u, headers=first), lambda u=url: httpx.post(u, headers=second)])
        assert sorted(r.status_code for r in results) == [200, 409]
        events = operator.get(f"/api/tickets/{number}").json()["events"]
        assert [e["action"] for e in events].count("sign") == 1


def test_reply_racing_extension_leaves_one_consistent_outcome(live_server, operator, login):
    handler = _token(live_server, "h_cgj")
    number = operator.post("/api/tickets", json=CALL).json()["number"]
    operator.act(number, "dispatch", {"category_code": "0107"})
    login("h_cgj").act(number, "sign")
    base = f"{live_server}/api/tickets/{number}"
    results = _race([
        lambda: httpx.post(f"{base}/reply", headers=handler, json={"reply": "已修复"}),
        lambda: httpx.post(f"{base}/extension", headers=handler, json={"days": 2, "reason": "等配件"}),
    ])
    assert sorted(r.status_code for r in results) == [200, 409]
    ticket = operator.get(f"/api/tickets/{number}").json()
    assert ticket["status"] in ("closed", "extension_pending")
    assert len(ticket["events"]) == 4


def test_ticket_numbers_stay_unique_under_concurrent_intake(live_server):
    headers = _token(live_server, "operator1")
    results = _race([lambda: httpx.post(f"{live_server}/api/tickets", json=CALL, headers=headers, timeout=30)
                     for _ in range(12)])
    assert all(r.status_code == 201 for r in results), [r.text for r in results]
    numbers = sorted(r.json()["number"] for r in results)
    assert len(set(numbers)) == 12
    assert [int(n[-5:]) for n in numbers] == list(range(1, 13))


def test_double_click_on_a_letter_writes_one_ticket(live_server):
    letter = {"title": "路灯", "content": "路灯坏了", "phone": "13700137000", "idempotency_key": "dbl-click-000001"}
    results = _race([lambda: httpx.post(f"{live_server}/api/public/letters", json=letter, timeout=30)
                     for _ in range(4)])
    codes = sorted(r.status_code for r in results)
    assert codes == [201, 409, 409, 409], [r.text for r in results]
    assert len({r.json()["number"] for r in results}) == 1


def test_an_action_on_a_ticket_the_routing_job_just_touched_is_tried_again(operator):
    """The routing job records its suggestion while the operator still has the call: submit must not be a 409."""
    from dispatch import routing
    from dispatch.controllers import _act
    from hotline.accounts import actor_of
    from hotline.database import session_scope
    from hotline.models import Staff, Ticket
    from hotline.workflow import apply

    number = operator.post("/api/tickets", json=CALL).json()["number"]
    seen_versions = []

    def submit(ticket: Ticket) -> None:
        if not seen_versions:  # the job commits between the operator's read and write
            with session_scope() as job:
                routing.classify_ticket(job, job.scalars(select(Ticket).where(Ticket.number == number)).one())
        seen_versions.append(ticket.version)
        apply(session, ticket, "submit", actor)

    with session_scope() as session:
        actor = actor_of(session.scalars(select(Staff).where(Staff.username == "operator1")).one())
        answer = _act(session, number, actor, submit)
    assert answer.status == "pending_dispatch"
    assert seen_versions[1] == seen_versions[0] + 1
    actions = [e["action"] for e in operator.get(f"/api/tickets/{number}").json()["events"]]
    assert actions.count("submit") == 1 and actions.count("classify") == 1
