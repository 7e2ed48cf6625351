"""Admins at the same time, against a real server: one of two identical creations wins and the other is told
(409), and every revocation counts."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import func, select

from classifier.taxonomy import LEAVES
from dispatch.models import CatalogueEntry
from hotline.database import session_scope
from hotline.models import BlockedPhone, Department, Staff
from web.demo.county import DEMO_PASSWORD

pytestmark = pytest.mark.usefixtures("reference_restored")  # its units and accounts are put back

AT_ONCE = 8


@pytest.fixture
def admin(live_server) -> httpx.Client:
    token = httpx.post(f"{live_server}/api/auth/login", json={"username": "admin", "password": DEMO_PASSWORD})
    return httpx.Client(base_url=live_server, headers={"Authorization": f"Bearer {token.json()['access_token']}"},
                        timeout=60)


def _all_at_once(call) -> list[int]:
    with ThreadPoolExecutor(AT_ONCE) as pool:
        return sorted(r.status_code for r in pool.map(lambda _: call(), range(AT_ONCE)))


def test_the_same_unit_created_at_once_is_created_once(admin):
    code = f"c{uuid.uuid4().hex[:8]}"
    body = {"code": code, "name": f"并发单位{code}", "kind": "bureau"}
    assert _all_at_once(lambda: admin.post("/api/admin/units", json=body)) == [201] + [409] * (AT_ONCE - 1)
    with session_scope() as session:
        assert session.scalar(select(func.count()).where(Department.code == code)) == 1


def test_the_same_county_default_entry_created_at_once_is_created_once(admin):
    """(category, township) is unique in the table, but a county default's township is NULL, which a unique
    constraint does not compare: only the admin API's write lock keeps it single."""
    category = LEAVES[-1].code  # every category has a county default in the demo: take this one out meanwhile
    where = (CatalogueEntry.category_code == category, CatalogueEntry.township.is_(None))
    with session_scope() as session:
        original = session.scalars(select(CatalogueEntry).where(*where)).one()
        kept = {name: getattr(original, name) for name in ("category_code", "category_name", "lead_department_id",
                                                           "co_department_ids", "time_limits")}
        session.delete(original)
    body = {"category_code": category, "lead_code": "zjj"}
    try:
        assert _all_at_once(lambda: admin.post("/api/admin/catalogue", json=body)) == [201] + [409] * (AT_ONCE - 1)
        with session_scope() as session:
            assert session.scalar(select(func.count()).where(*where)) == 1
    finally:
        with session_scope() as session:
            for entry in session.scalars(select(CatalogueEntry).where(*where)):
                session.delete(entry)
            session.flush()
            session.add(CatalogueEntry(township=None, **kept))


def test_password_resets_at_once_each_raise_the_token_version(admin):
    created = admin.post("/api/admin/staff", json={"username": f"c{uuid.uuid4().hex[:8]}", "display_name": "并发",
                                                   "role": "operator"})
    staff_id = created.json()["staff"]["id"]
    assert _all_at_once(lambda: admin.post(f"/api/admin/staff/{staff_id}/password", json={})) == [200] * AT_ONCE
    with session_scope() as session:
        assert session.get(Staff, staff_id).token_version == AT_ONCE


def test_the_same_phone_blocked_at_once_is_listed_once(admin):
    """The unique phone decides between two admins: the loser is told, never a 500."""
    body = {"phone": "139 0000 6666", "reason": "同一天恶意留言"}
    assert _all_at_once(lambda: admin.post("/api/admin/blocked-phones/", json=body)) == [201] + [409] * (AT_ONCE - 1)
    with session_scope() as session:
        assert session.scalar(select(func.count()).where(BlockedPhone.phone == "13900006666")) == 1
