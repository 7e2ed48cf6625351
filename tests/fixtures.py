"""Shared fixtures: migrated database with the demo county, clean tickets and Redis per test, API clients.

A test marked `pure` (module: `pytestmark = pytest.mark.pure`) needs none of it: it never waits for the
database to be migrated, seeded and the model trained, and nothing is cleaned around it. `pytest -m pure`
runs those alone in seconds.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
import redis
from litestar.testing import TestClient
from sqlalchemy import delete, insert, select, text, update

from hotline.database import get_engine, session_scope
from hotline.redis_conn import get_redis, stop_embedded

IN_CI = os.environ.get("CI", "").lower() == "true"
TICKET_TABLES = ("city_management_callback", "city_management_event", "hotspot_member", "hotspot_cluster", "ticket_grid", "ticket_attachment", "complaint_review", "callback_task", "reply_review", "personal_data_access", "open311_request",
                 "blocked_phone", "notification", "leader_instruction", "supervision_notice",
                 "routing_correction", "routing_judgment", "ticket_event", "ticket_co_department", "ticket", "daily_counter")
# Tables the API lets staff change besides the tickets, children first: put back after tests that let an admin
# loose on them (a fuzzer, the admin API's own tests), so that later tests meet the demo county as seeded.
REFERENCE_TABLES = ("login_event", "open311_api_key", "city_management_system", "board_device", "knowledge_article",
                    "calendar_override", "time_limit_policy",
                    "catalogue_entry", "grid_worker", "grid_cell", "staff", "department", "area")


def _require_services() -> None:
    """A missing service fails under CI and says so plainly elsewhere; it never silently skips."""
    try:
        with get_engine().connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:
        pytest.exit(f"database unreachable ({get_engine().url.render_as_string()}): {exc}", returncode=3)
    try:
        get_redis().ping()
    except redis.RedisError as exc:
        pytest.exit(f"Redis unreachable: {exc}", returncode=3)


def _pure(item: pytest.Item) -> bool:
    return item.get_closest_marker("pure") is not None


@pytest.fixture(scope="session", autouse=True)
def database(request: pytest.FixtureRequest) -> Iterator[None]:
    """Autouse, so that it comes before every server a session- or module-scoped fixture starts; skipped
    when the run selected pure tests only."""
    if all(_pure(item) for item in request.session.items):
        yield
        return
    from classifier.service import ensure_model
    from dispatch.routing import get_store
    from hotline.migrate import upgrade
    from web.demo.seed import seed_reference

    _require_services()
    _drop_everything()  # a PostgreSQL test database may hold an earlier run's tables, of any revision
    upgrade()
    with session_scope() as session:
        seed_reference(session)
        without_reply_review(session)
    ensure_model(get_store(), progress=None)  # the routing model, trained once from the shipped corpus
    yield
    get_engine().dispose()
    stop_embedded()


def without_reply_review(session) -> None:
    """The suite's county runs without 办结审核 (whose default reviews complaints, the type of most calls here), so
    that a reply closes as the tests written before it expect; tests/test_reply_review.py switches it on. Version 1
    is changed in place: tests count policy versions."""
    from dispatch.models import TimeLimitPolicy

    policy = session.get(TimeLimitPolicy, 1)
    policy.rules = {**policy.rules, "reply_review_types": []}


def _drop_everything() -> None:
    from sqlalchemy import MetaData

    existing = MetaData()
    existing.reflect(get_engine())
    existing.drop_all(get_engine())


def clear_tickets() -> None:
    from hotline.models import Base

    tables = Base.metadata.tables
    with session_scope() as session:
        for name in TICKET_TABLES:
            session.execute(delete(tables[name]))
        # the gate's live judgments go with the tickets judged; each family's starting evidence stays
        session.execute(update(tables["routing_gate"]).values(judged=0, confirmed=0))
        if session.get_bind().dialect.name == "postgresql":  # numbers start at 00001 again, as on a new day
            for name in session.scalars(text("SELECT sequencename FROM pg_sequences WHERE sequencename LIKE "
                                             "'ticket\\_number\\_%'")):
                session.execute(text(f"ALTER SEQUENCE {name} RESTART WITH 1"))
    from hotline.attachments import file_store

    store = file_store()  # the tickets' files go with them (the local store under the test's var dir)
    for key, _ in list(store.listing()):
        store.delete(key)


def _rows(table) -> list[dict]:
    with session_scope() as session:
        # in id order: a unit's parent and a village's township were made before them
        return [dict(row._mapping) for row in session.execute(select(table).order_by(*table.primary_key.columns))]


@contextmanager
def reference_tables_restored() -> Iterator[None]:
    """Put the policy, calendar, knowledge base, board devices, Open311 keys and the county's units, areas,
    catalogue and accounts back as they were."""
    from hotline.models import Base

    tables = [Base.metadata.tables[name] for name in REFERENCE_TABLES]
    saved = {table.name: _rows(table) for table in tables}
    yield
    clear_tickets()
    with session_scope() as session:
        for table in tables:
            session.execute(delete(table))
        for table in reversed(tables):
            if saved[table.name]:
                session.execute(insert(table), saved[table.name])


@pytest.fixture(scope="module")
def reference_restored(database) -> Iterator[None]:
    """For a module whose tests create units, areas, catalogue entries or accounts in the shared county."""
    with reference_tables_restored():
        yield


@pytest.fixture(autouse=True)
def clean_state(request: pytest.FixtureRequest) -> Iterator[None]:
    if not _pure(request.node):
        clear_tickets()
        get_redis().flushdb()
    yield


@pytest.fixture(scope="session")
def app(database):
    from web.app import create_app

    return create_app()


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


class Api:
    """A signed-in staff member's view of the API, for readable tests."""

    def __init__(self, client: TestClient, username: str) -> None:
        self.client = client
        body = _signed_in(client, username)
        self.staff = body["staff"]
        self.headers = {"Authorization": f"Bearer {body['access_token']}"}

    def get(self, path: str, **kwargs):
        return self.client.get(path, headers=self.headers, **kwargs)

    def post(self, path: str, json=None, **kwargs):
        return self.client.post(path, json=json, headers=self.headers, **kwargs)

    def act(self, number: str, action: str, json=None):
        return self.post(f"/api/tickets/{number}/{action}", json=json)


_SIGN_INS: dict[str, dict] = {}


def _signed_in(client: TestClient, username: str) -> dict:
    """Each demo account signs in once per run: a token lasts a shift, and each sign-in costs an argon2 check
    (0.1-0.2 s here), which a test that is not about signing in should not pay. Staff rows outlive every test."""
    from web.demo.county import DEMO_PASSWORD

    if username in _SIGN_INS:
        return _SIGN_INS[username]
    response = client.post("/api/auth/login", json={"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 200, response.text
    body = response.json()
    if datetime.fromisoformat(body["expires_at"]) > datetime.now(UTC) + timedelta(hours=1):  # not a frozen past
        _SIGN_INS[username] = body
    return body


@pytest.fixture
def daytime() -> Iterator[None]:
    """Today at 10:00 in the county, for a test that texts citizens on the suite's clock and is not about the
    quiet hours (22:00-07:00, dispatch.quiet_hours): run at night, its messages would rightly wait for 07:00."""
    from datetime import time

    from hotline import clock
    from hotline.settings import TIME_ZONE

    with clock.frozen(datetime.combine(clock.local(clock.now()).date(), time(10), TIME_ZONE)):
        yield


@pytest.fixture
def no_overrides() -> Iterator[None]:
    """No admin calendar overrides before and after the test (the suite's per-test clean-up keeps them)."""
    from dispatch.models import CalendarOverride

    def clear() -> None:
        with session_scope() as session:
            session.execute(delete(CalendarOverride))

    clear()
    yield
    clear()


PACKAGE_LAST_YEAR = 2026  # chinesecalendar 1.11.0 has data for 2004-2026


@pytest.fixture
def calendar_package_up_to_2026(monkeypatch: pytest.MonkeyPatch) -> None:
    """The holiday package as 1.11.0 ships it, whatever version is installed: a later release that knows 2027
    must not change what a test about «a year the package does not know» expects."""
    import chinese_calendar

    real = chinese_calendar.is_workday

    def is_workday(day):
        if day.year > PACKAGE_LAST_YEAR:
            raise NotImplementedError(f"no data for {day.year}")
        return real(day)

    monkeypatch.setattr(chinese_calendar, "is_workday", is_workday)


@pytest.fixture
def environ(monkeypatch: pytest.MonkeyPatch):
    """Set environment variables for one test; the settings tree is read again with them, and again after."""
    from hotline.settings import get_settings

    def set_variables(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()

    yield set_variables
    get_settings.cache_clear()


@pytest.fixture
def login(client):
    return lambda username: Api(client, username)


@pytest.fixture
def operator(login) -> Api:
    return login("operator1")


@pytest.fixture
def commander(login) -> Api:
    return login("commander")


def department_id(code: str) -> int:
    from sqlalchemy import select

    from hotline.models import Department

    with session_scope() as session:
        return session.scalar(select(Department.id).where(Department.code == code))


CALL = {
    "content": "望江花园小区门口的路灯坏了一个多星期，晚上很黑，老人出门不安全",
    "caller_name": "王建国",
    "caller_phone": "13800138000",
    "township": "城关街道",
    "village": "望江社区",
    "address": "城关街道望江花园小区南门",
    "type": "complaint",
}


@pytest.fixture(scope="session")
def live_server(database) -> Iterator[str]:
    """A real uvicorn server on a free loopback port, with an app of its own.

    The shared `app` is driven by TestClient in other modules, each on its own event loop; once this server's
    loop had opened Redis connections on that app (citizen look-ups are throttled in Redis), a later TestClient
    shutdown would close them from the wrong loop. A separate app keeps the two apart.
    """
    from tests.harness import ThreadServer
    from web.app import create_app

    with ThreadServer(create_app()) as server:
        yield server.url
