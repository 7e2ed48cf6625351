"""Batch mode: the request is checked and kept, a token comes back, a worker files it through intake,
and GET tokens/{token} turns the token into the ticket number."""

from __future__ import annotations

import pytest
from rq import SimpleWorker
from sqlalchemy import select, update

from hotline.clock import now
from hotline.database import session_scope
from hotline.jobs import get_queue
from hotline.models import BlockedPhone, Ticket
from open311 import submit
from open311.models import Open311Request
from tests.open311 import spec
from tests.open311.conftest import form


@pytest.fixture
def batch(environ):
    environ(OPEN311_SERVICE_TYPE="batch")


def _work() -> None:
    queue = get_queue()
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


def test_a_batch_request_gets_a_token_then_an_id(client, api_key, batch, operator):
    assert {s["type"] for s in client.get("/open311/v2/services.json").json()} == {"batch"}
    response = client.post("/open311/v2/requests.xml", data=form(api_key))
    assert response.status_code == 200
    (created,) = spec.items(spec.parse_xml(response.content), "service_requests", "request")
    assert spec.children(created) == ("token", "service_notice", "account_id")  # no id with a token
    token = created.findtext("token")
    (pending,) = client.get(f"/open311/v2/tokens/{token}.json").json()
    assert tuple(pending) == spec.TOKEN and pending == {"service_request_id": None, "token": token}
    with session_scope() as session:
        assert session.scalars(select(Ticket)).all() == []

    _work()  # files the letter, then (its own after-commit job) classifies and dispatches it
    response = client.get(f"/open311/v2/tokens/{token}.xml")
    (resolved,) = spec.items(spec.parse_xml(response.content), "service_requests", "request")
    assert spec.children(resolved) == spec.TOKEN and resolved.findtext("token") == token
    number = resolved.findtext("service_request_id")
    ticket = operator.get(f"/api/tickets/{number}").json()
    assert ticket["channel"] == "app" and ticket["caller_phone"] == "13912345678"
    assert ticket["status"] == "pending_sign"  # routed like any letter
    with session_scope() as session:
        extra = session.scalars(select(Open311Request)).one()
        assert extra.payload is None and extra.filed_at is not None  # personal data not kept twice


def test_a_batch_request_is_checked_before_it_is_kept(client, api_key, batch):
    response = client.post("/open311/v2/requests.json", data=form(api_key, phone="12345"))
    assert response.status_code == 400
    with session_scope() as session:
        assert session.scalars(select(Open311Request)).all() == []


def test_filing_twice_files_once_and_the_sweep_catches_lost_jobs(client, api_key, batch):
    token = client.post("/open311/v2/requests.json", data=form(api_key)).json()[0]["token"]
    get_queue().empty()  # as if Redis had lost the job
    with session_scope() as session:
        request_id = session.scalars(select(Open311Request.id)).one()
    assert submit.file_pending_requests() == 0  # too fresh: its job may still be on its way
    with session_scope() as session:
        session.execute(update(Open311Request).values(created_at=now().replace(year=2020)))
    assert submit.file_pending_requests() == 1
    assert submit.file_pending(request_id) is None
    with session_scope() as session:
        assert len(session.scalars(select(Ticket)).all()) == 1
    assert client.get(f"/open311/v2/tokens/{token}.json").json()[0]["service_request_id"]


def test_an_unknown_token_is_404_in_both_formats(client):
    response = client.get("/open311/v2/tokens/12345.xml")
    assert response.status_code == 404 and "12345" in spec.assert_errors_xml(response.content, 404)
    response = client.get("/open311/v2/tokens/12345.json")
    assert response.status_code == 404 and spec.assert_errors_json(response.json(), 404)


def test_realtime_is_the_default_and_has_no_token(client, api_key):
    assert {s["type"] for s in client.get("/open311/v2/services.json").json()} == {"realtime"}
    (created,) = client.post("/open311/v2/requests.json", data=form(api_key)).json()
    assert "token" not in created


def test_a_request_accepted_before_its_phone_was_blocked_is_still_filed(client, api_key, batch):
    """The partner was promised a token; the block governs what arrives after it (the sweep used to fail on it
    every minute, and the token never turned into a number)."""
    token = client.post("/open311/v2/requests.json", data=form(api_key)).json()[0]["token"]
    get_queue().empty()
    with session_scope() as session:
        session.add(BlockedPhone(phone="13912345678", reason="恶意留言"))
        session.execute(update(Open311Request).values(created_at=now().replace(year=2020)))
    assert submit.file_pending_requests() == 1
    assert client.get(f"/open311/v2/tokens/{token}.json").json()[0]["service_request_id"]
    refused = client.post("/open311/v2/requests.json", data=form(api_key))
    assert refused.status_code == 403  # a new one from that phone is refused
