"""API keys: only an admin makes and revokes them; the key is shown once and stored as a hash."""

from __future__ import annotations

import hashlib

from litestar.testing import TestClient
from sqlalchemy import select

from hotline.database import session_scope
from open311.models import Open311ApiKey
from tests.open311.conftest import file_request

KEYS = "/api/admin/open311/keys"


def test_an_admin_makes_a_key_that_is_shown_once_and_stored_hashed(admin):
    response = admin.post(KEYS, json={"name": "城市随手拍", "contact": "dev@example.org", "rate_limit_per_minute": 30})
    assert response.status_code == 201
    created = response.json()
    raw = created["api_key"]
    assert raw.startswith("o311_") and len(raw) > 40 and created["key_prefix"] == raw[:12]
    assert created["rate_limit_per_minute"] == 30 and created["revoked_at"] is None
    with session_scope() as session:
        stored = session.scalars(select(Open311ApiKey)).one()
        assert stored.key_hash == hashlib.sha256(raw.encode()).hexdigest() and raw not in str(vars(stored))
    listed = admin.get(KEYS).json()
    assert [k["name"] for k in listed] == ["城市随手拍"] and "api_key" not in listed[0]


def test_the_list_counts_requests_and_shows_revocation(admin, api_key, client):
    file_request(client, api_key)
    (key,) = admin.get(KEYS).json()
    assert key["requests_filed"] == 1 and key["last_used_at"] is not None
    assert admin.client.delete(f"{KEYS}/{key['id']}", headers=admin.headers).status_code == 204
    assert admin.get(KEYS).json()[0]["revoked_at"] is not None
    assert admin.client.delete(f"{KEYS}/999999", headers=admin.headers).status_code == 404


def test_a_read_with_a_key_notes_its_last_use(admin, api_key, client):
    """authenticate only notes the use; the read's own transaction carries it."""
    assert admin.get(KEYS).json()[0]["last_used_at"] is None
    assert client.get(f"/open311/v2/requests.json?api_key={api_key}").status_code == 200
    assert admin.get(KEYS).json()[0]["last_used_at"] is not None


def test_keys_are_checked(admin):
    assert admin.post(KEYS, json={"name": "  "}).status_code == 400
    assert admin.post(KEYS, json={"name": "x", "rate_limit_per_minute": 0}).status_code == 400
    assert admin.post(KEYS, json={"name": "x", "secret": "mine"}).status_code == 400


def test_only_admins_manage_keys(client, operator, commander):
    assert operator.get(KEYS).status_code == 403
    assert commander.post(KEYS, json={"name": "x"}).status_code == 403
    assert client.get(KEYS).status_code == 401


def test_the_real_wiring_keeps_key_admin_behind_sign_in():
    """web/auth.py must exempt only paths that start with /open311 (Litestar searches the pattern anywhere)."""
    from web.app import create_app

    fresh = TestClient(create_app())  # no lifespan: only the middleware stack is under test
    assert fresh.get(KEYS).status_code == 401
