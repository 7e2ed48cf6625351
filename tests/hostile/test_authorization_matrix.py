"""Two departments and two citizens against every route that reads or writes a ticket or its data.

The routes are read from the app itself: every (method, path) must be placed in exactly one class below, so a
new endpoint fails `test_every_route_is_in_the_matrix` until someone decides how it is guarded and adds it.

- another department's ticket answers exactly as an unknown number does (404, same words), for reads and
  for every action, and nothing about the ticket changes;
- a citizen's number with another citizen's query code answers exactly as an unknown number does, for
  look-up, rating and supplement, and nothing changes;
- lists show a handler only its own department's tickets and notices; the cross-department lists
  (audit log, command queues, reports, board, classifier hints) refuse handlers outright;
- the GeoReport (Open311) listing is public by design and must not carry a citizen's name or phone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from litestar.routes import HTTPRoute, WebSocketRoute

from hotline.redis_conn import get_redis
from tests.fixtures import clear_tickets, reference_tables_restored
from tests.hostile.conftest import DEPT_A, DEPT_B, HANDLER_A, HANDLER_B, World, build_world, login

UNKNOWN = "2026112499999"
UNKNOWN_CODE = "00000000"

# Actions on one ticket, with a body that passes validation so the request reaches the ticket check.
TICKET_ROUTES: dict[tuple[str, str], Any] = {
    ("GET", "/api/tickets/{number}"): None,
    ("POST", "/api/tickets/{number}/callback"): {"satisfaction": "satisfied", "solved": "solved"},
    ("POST", "/api/tickets/{number}/answer"): {"reply": "已答复"},
    ("POST", "/api/tickets/{number}/archive"): None,
    ("POST", "/api/tickets/{number}/category"): {"category_code": "0107"},
    ("POST", "/api/tickets/{number}/extension/decision"): {"approve": True},
    ("POST", "/api/tickets/{number}/dispatch"): {"department_id": 1},
    ("POST", "/api/tickets/{number}/force"): {"note": "强制"},
    ("POST", "/api/tickets/{number}/merge"): {"parent_number": UNKNOWN},
    ("POST", "/api/tickets/{number}/notes"): {"reason": "内部备注"},
    ("POST", "/api/tickets/{number}/co-report"): {"report": "协办意见"},
    ("POST", "/api/tickets/{number}/redispatch"): {"department_id": 1},
    ("POST", "/api/tickets/{number}/reopen"): {"reason": "重办"},
    ("POST", "/api/tickets/{number}/reply"): {"reply": "已办结"},
    ("POST", "/api/tickets/{number}/review/approve"): {"answers_request": True, "complete": True, "courteous": True,
                                                       "cites_basis": True},
    ("POST", "/api/tickets/{number}/review/return"): {"answers_request": True, "complete": False, "courteous": True,
                                                      "cites_basis": False, "reason": "请补充"},
    ("POST", "/api/tickets/{number}/extension"): {"days": 3, "reason": "等配件"},
    ("POST", "/api/tickets/{number}/resume"): {"note": "继续办理"},
    ("POST", "/api/tickets/{number}/return"): {"reason": "不属本单位职责"},
    ("POST", "/api/tickets/{number}/sign"): None,
    ("POST", "/api/tickets/{number}/submit"): None,
    ("POST", "/api/tickets/{number}/transfer"): {"line": "110"},
    ("POST", "/api/tickets/{number}/hand-back"): {"reason": "非警务"},
    ("POST", "/api/tickets/{number}/wait"): {"message": "请补充照片"},
    ("POST", "/api/tickets/{number}/supervise"): {"message": "请加快办理"},
    ("POST", "/api/tickets/{number}/callback-attempts"): {"outcome": "no_answer"},
    ("POST", "/api/tickets/{number}/instructions"): {"text": "请尽快办理并回复"},
    ("POST", "/api/tickets/{number}/attachments"): None,  # the ticket is checked before the (missing) file
    ("GET", "/api/tickets/{number}/attachments"): None,
    # pages: the same shell for any number, the API decides what shows
    ("GET", "/workbench/tickets/{number}"): None,
    ("GET", "/commander/tickets/{number}"): None,
    # 网格员: their cell's ticket (handlers are refused the role; grid workers below)
    ("GET", "/api/grid/tickets/{number}"): None,
    ("POST", "/api/grid/tickets/{number}/check"): {"passed": True},
}
# The citizen's routes: number + query code in the body.
CITIZEN_ROUTES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/public/lookup"): {},
    ("POST", "/api/public/rating"): {"satisfaction": "unsatisfied", "solved": "unsolved", "comment": "没修好"},
    ("POST", "/api/public/supplement"): {"content": "杆号 A-017"},
}
# Actions on one item of a department's (督办单, 差评 review, 领导批示), by id: (the world's items, a valid body).
ITEM_ROUTES: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {
    ("POST", "/api/supervision/{notice_id}/response"): ("notices", {"response": "已加快办理"}),
    ("POST", "/api/complaint-reviews/{review_id}/rectification"): ("reviews", {"report": "已重新维修并回访"}),
    ("POST", "/api/complaint-reviews/{review_id}/appeal"): ("reviews", {"reason": "已按规定答复"}),
    ("POST", "/api/instructions/{instruction_id}/reply"): ("instructions", {"reply": "已按批示落实"}),
}
# Lists a handler may read: each must show its own department's items only.
SCOPED_LISTS = {("GET", "/api/tickets"), ("GET", "/api/inbox"), ("GET", "/api/supervision"),
                ("GET", "/api/tickets/search"), ("GET", "/api/complaint-reviews"), ("GET", "/api/instructions")}
LIST_QUERIES = {"/api/tickets/search": "?number=20"}  # a search needs one filter: every number starts with 20
# Lists and figures across departments: a handler is refused outright.
REFUSED_TO_HANDLERS = {
    ("GET", "/api/audit/events"), ("GET", "/api/audit/logins"), ("GET", "/api/audit/access"),
    ("GET", "/api/queues/extensions"), ("GET", "/api/queues/manual-dispatch"),
    ("GET", "/api/queues/returns"), ("GET", "/api/reviews"), ("GET", "/api/reports/monthly"), ("POST", "/api/board/pass"),
    ("POST", "/api/classifier/suggest"), ("POST", "/api/tickets"), ("GET", "/api/routing-gate"),
    ("GET", "/api/callbacks"), ("GET", "/api/reports/callbacks"), ("GET", "/api/reports/assessment"),
    ("GET", "/api/leadership/overdue"), ("POST", "/api/supervision/{notice_id}/instructions"),
    ("POST", "/api/complaint-reviews/{review_id}/decision"),
    ("POST", "/api/complaint-reviews/{review_id}/appeal/decision"),
    ("GET", "/api/grid/me"), ("POST", "/api/grid/reports"), ("GET", "/api/grid/tickets"),  # 网格员 only
    ("GET", "/api/hotspots"), ("GET", "/api/hotspots/history"), ("GET", "/api/hotspots/{cluster_id}"),
    ("POST", "/api/hotspots/{cluster_id}/merge"), ("POST", "/api/hotspots/{cluster_id}/split"),
    ("POST", "/api/hotspots/{cluster_id}/supervise"), ("POST", "/api/hotspots/{cluster_id}/merge-tickets"),
}
# Department figures: a handler's view is limited to its department (checked in test_measures).
AGGREGATES = {("GET", "/api/measures"), ("GET", "/metrics")}
# Public by design (GeoReport v2): requests are listed for anyone, without personal data.
OPEN311_PUBLIC = {
    ("GET", "/open311/v2/requests.xml"), ("GET", "/open311/v2/requests.json"),
    ("GET", "/open311/v2/requests/{name}"), ("GET", "/open311/v2/tokens/{name}"),
    ("GET", "/open311/v2/servicerequestupdates.xml"), ("GET", "/open311/v2/servicerequestupdates.json"),
    ("POST", "/open311/v2/requests.xml"), ("POST", "/open311/v2/requests.json"),
}
# A citizen's photo: number + query code in a multipart form (test_another_citizens_code_cannot_add_a_file).
CITIZEN_UPLOADS = {("POST", "/api/public/attachments")}
# A file by a signed link, the only key (tests/test_attachments.py: forged, expired, retargeted links).
SIGNED_LINKS = {("GET", "/api/public/files/{token}")}
# A city-management platform's own events, by its key: another platform's event answers as an unknown one, a staff
# token is no key (tests/test_city_management_intake.py).
PLATFORM_KEYED = {("POST", "/api/intake/city-management/events"), ("GET", "/api/intake/city-management/events/{event_id}")}
# Creating a ticket from outside reads none: a new number and code come back to the sender only.
CREATES_ONLY = {("POST", "/api/public/letters")}
# Nothing of any ticket: sign-in, reference data, policy, knowledge base, devices, keys, pages, docs.
NO_TICKET_DATA_PREFIXES = ("/api/auth/", "/api/reference/", "/api/departments", "/api/admin/", "/api/knowledge/",
                           "/api/board/device", "/open311/discovery", "/open311/v2/services", "/schema",
                           "/static/", "/health", "/ready", "/board", "/console", "/citizen")
NO_TICKET_DATA_EXACT = {("GET", "/"), ("GET", "/workbench"), ("GET", "/commander"), ("GET", "/admin"), ("GET", "/open311/v2/{rest}"),
                        ("GET", "/leader"), ("GET", "/report"), ("GET", "/grid"),
                        ("WS", "/api/board/ws")}


@pytest.fixture
def clean_state() -> None:
    """Overrides the suite's per-test wipe: one world serves the whole matrix (each test checks that its
    refusals changed nothing, and the controls only touch their own citizen's ticket)."""


@pytest.fixture(scope="module")
def world(live_server, tokens) -> Iterator[World]:
    clear_tickets()
    get_redis().flushdb()
    built = build_world(live_server, tokens)
    yield built
    built.http.close()
    clear_tickets()


def _template(path: str) -> str:
    return re.sub(r"\{(\w+):[^}]+\}", r"{\1}", path)


def app_routes(app) -> set[tuple[str, str]]:
    found = set()
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            found |= {(method, _template(route.path)) for method in route.route_handler_map
                      if method not in ("OPTIONS", "HEAD")}
        elif isinstance(route, WebSocketRoute):
            found.add(("WS", _template(route.path)))
    return found


def classify(route: tuple[str, str]) -> list[str]:
    path = route[1]
    classes = [name for name, members in (
        ("ticket", TICKET_ROUTES), ("citizen", CITIZEN_ROUTES), ("item", ITEM_ROUTES),
        ("scoped list", SCOPED_LISTS), ("refused", REFUSED_TO_HANDLERS), ("aggregate", AGGREGATES),
        ("open311", OPEN311_PUBLIC), ("creates", CREATES_ONLY), ("citizen upload", CITIZEN_UPLOADS),
        ("signed link", SIGNED_LINKS), ("platform key", PLATFORM_KEYED), ("none", NO_TICKET_DATA_EXACT)) if route in members]
    if not classes and path.startswith(NO_TICKET_DATA_PREFIXES):
        classes.append("none")
    return classes


def test_every_route_is_in_the_matrix(app):
    routes = app_routes(app)
    unplaced = sorted(route for route in routes if len(classify(route)) != 1)
    assert not unplaced, f"place each of these routes in exactly one class of the matrix: {unplaced}"
    listed = set(TICKET_ROUTES) | set(CITIZEN_ROUTES) | set(ITEM_ROUTES) | SCOPED_LISTS | REFUSED_TO_HANDLERS \
        | AGGREGATES | OPEN311_PUBLIC | CREATES_ONLY | CITIZEN_UPLOADS | SIGNED_LINKS | NO_TICKET_DATA_EXACT | PLATFORM_KEYED
    assert not listed - routes, f"the matrix names routes the app no longer has: {sorted(listed - routes)}"


def _state(world: World, number: str) -> tuple[str, int, str | None]:
    body = world.http.get(f"{world.base}/api/tickets/{number}", headers=world.tokens["commander"]).json()
    return body["status"], len(body["events"]), body.get("satisfaction")


def _send(world: World, user: str, method: str, path: str, body: Any) -> httpx.Response:
    return world.http.request(method, f"{world.base}{path}", json=body, headers=world.tokens[user], timeout=30)


def _same_as_unknown(world: World, user: str, method: str, template: str, body: Any, real: str) -> None:
    foreign = _send(world, user, method, template.replace("{number}", real), body)
    unknown = _send(world, user, method, template.replace("{number}", UNKNOWN), body)
    assert foreign.status_code == unknown.status_code, (method, template, foreign.text, unknown.text)
    assert foreign.status_code in (401, 403, 404) or template.startswith(("/workbench", "/commander")), \
        (method, template, foreign.status_code, foreign.text)
    assert foreign.content.replace(real.encode(), UNKNOWN.encode()) == unknown.content, (method, template)


@pytest.mark.parametrize(("intruder", "owner"), [(HANDLER_B, "a"), (HANDLER_A, "b")])
@pytest.mark.parametrize("route", sorted(TICKET_ROUTES), ids=lambda r: f"{r[0]} {r[1]}")
def test_another_departments_ticket_looks_unknown(world, route, intruder, owner):
    method, template = route
    before = {key: _state(world, c.number) for key, c in world.tickets.items() if key.startswith(owner)}
    for key in before:
        _same_as_unknown(world, intruder, method, template, TICKET_ROUTES[route], world.tickets[key].number)
    assert {key: _state(world, world.tickets[key].number) for key in before} == before


def test_own_department_still_reads_and_acts(world):
    """The control: the same handler reaches its own ticket, so the 404s above are about the department."""
    own = world.tickets["a_waiting"].number
    assert _send(world, HANDLER_A, "GET", f"/api/tickets/{own}", None).status_code == 200
    assert _send(world, HANDLER_A, "POST", f"/api/tickets/{own}/notes", {"reason": "本部门备注"}).status_code == 200


@pytest.mark.parametrize("route", sorted(CITIZEN_ROUTES), ids=lambda r: r[1])
def test_another_citizens_code_looks_unknown(world, route):
    path = route[1]
    pairs = [("a_waiting", "b_waiting"), ("a_resolved", "b_resolved"), ("b_waiting", "a_waiting"),
             ("b_resolved", "a_resolved")]
    before = {key: _state(world, c.number) for key, c in world.tickets.items()}
    for target, holder in pairs:
        ticket, other = world.tickets[target], world.tickets[holder]
        crossed = world.http.post(f"{world.base}{path}", json={
            **CITIZEN_ROUTES[route], "number": ticket.number, "query_code": other.query_code})
        unknown = world.http.post(f"{world.base}{path}", json={
            **CITIZEN_ROUTES[route], "number": UNKNOWN, "query_code": other.query_code})
        assert crossed.status_code == unknown.status_code == 404, (path, crossed.text)
        assert crossed.content == unknown.content
        for key in get_redis().scan_iter("hotline:ratelimit*"):  # the throttle is tested on its own
            get_redis().delete(key)
    assert {key: _state(world, c.number) for key, c in world.tickets.items()} == before
    # the control: each citizen's own code works where the state allows it
    own = {"/api/public/lookup": "a_waiting", "/api/public/rating": "a_resolved",
           "/api/public/supplement": "a_waiting"}[path]
    citizen = world.tickets[own]
    mine = world.http.post(f"{world.base}{path}", json={
        **CITIZEN_ROUTES[route], "number": citizen.number, "query_code": citizen.query_code})
    assert mine.status_code == 200, mine.text
    assert world.tickets["b_waiting"].phone not in mine.text and world.tickets["b_waiting"].name not in mine.text


def test_another_citizens_code_cannot_add_a_file(world):
    from tests.upload_samples import png

    def upload(number: str, code: str) -> httpx.Response:
        return world.http.post(f"{world.base}/api/public/attachments", data={"number": number, "query_code": code},
                               files={"file": ("照片.png", png(), "image/png")})

    before = {key: _state(world, c.number) for key, c in world.tickets.items()}
    ticket, other = world.tickets["a_waiting"], world.tickets["b_waiting"]
    crossed, unknown = upload(ticket.number, other.query_code), upload(UNKNOWN, other.query_code)
    assert crossed.status_code == unknown.status_code == 404 and crossed.content == unknown.content
    assert {key: _state(world, c.number) for key, c in world.tickets.items()} == before
    assert upload(ticket.number, ticket.query_code).status_code == 201  # the control: their own code works


def _numbers_in(text: str) -> set[str]:
    return set(re.findall(r"20\d{11}", text))


@pytest.mark.parametrize("route", sorted(SCOPED_LISTS), ids=lambda r: r[1])
def test_lists_show_a_handler_only_its_department(world, route):
    method, path = route
    by_side = {side: {c.number for key, c in world.tickets.items() if key.startswith(side)} for side in "ab"}
    for handler, own, other in ((HANDLER_A, "a", "b"), (HANDLER_B, "b", "a")):
        response = _send(world, handler, method, path + LIST_QUERIES.get(path, ""), None)
        assert response.status_code == 200, response.text
        seen = _numbers_in(response.text)
        assert not seen & (by_side[other] | {world.tickets["fresh"].number}), (handler, path, seen)
        assert seen & by_side[own], (handler, path, "the control: its own tickets are listed")


@pytest.mark.parametrize("route", sorted(REFUSED_TO_HANDLERS), ids=lambda r: f"{r[0]} {r[1]}")
def test_cross_department_lists_refuse_handlers(world, route):
    method, path = route
    query = "?month=2026-11" if path.endswith(("monthly", "assessment", "callbacks")) else ""
    body = {"text": "路灯坏了"} if path.endswith("suggest") else ({"content": "路灯坏了"} if method == "POST" else None)
    path = re.sub(r"\{\w+\}", "1", path)  # the role is refused before any item is looked up
    for handler in (HANDLER_A, HANDLER_B):
        response = _send(world, handler, method, path + query, body)
        assert response.status_code == 403, (handler, path, response.text)


def test_measures_of_a_handler_are_its_departments(world):
    """Figures carry no ticket numbers, and a handler asking for another department's gets its own."""
    span = "start=2026-01-01&end=2030-12-31"
    for handler, own, other in ((HANDLER_A, DEPT_A, DEPT_B), (HANDLER_B, DEPT_B, DEPT_A)):
        asked = _send(world, handler, "GET", f"/api/measures?{span}&department_id={world.departments[other]}", None)
        mine = _send(world, handler, "GET", f"/api/measures?{span}&department_id={world.departments[own]}", None)
        assert asked.status_code == mine.status_code == 200, asked.text
        assert asked.json() == mine.json() and not _numbers_in(asked.text)
    county = _send(world, "commander", "GET", f"/api/measures?{span}", None).json()
    assert county["received"] > _send(world, HANDLER_A, "GET", f"/api/measures?{span}", None).json()["received"]


@pytest.mark.parametrize("path", ["/open311/v2/requests.json", "/open311/v2/requests.xml",
                                  "/open311/v2/servicerequestupdates.json"])
def test_open311_lists_carry_no_personal_data(world, path):
    response = world.http.get(f"{world.base}{path}")
    assert response.status_code == 200, response.text
    for citizen in world.tickets.values():
        assert citizen.phone not in response.text and citizen.name not in response.text
        assert citizen.query_code not in response.text


def _id_blanked(text: str, number: int) -> str:
    """The id as a whole number only: notice 4 must not also turn the status 404 into N0N."""
    return re.sub(rf"(?<!\d){number}(?!\d)", "N", text)


@pytest.mark.parametrize("route", sorted(ITEM_ROUTES), ids=lambda r: r[1])
def test_another_departments_item_looks_unknown(world, route):
    """A 督办单, 差评 review or 领导批示 of the other unit answers as an unknown id does. The controls that the
    unit's own handler is taken are in test_supervision, test_complaint_reviews and test_leadership."""
    method, template = route
    kind, body = ITEM_ROUTES[route]
    items = getattr(world, kind)
    before = {key: _state(world, c.number) for key, c in world.tickets.items()}
    for intruder, foreign in ((HANDLER_B, items["a"]), (HANDLER_A, items["b"])):
        crossed = _send(world, intruder, method, re.sub(r"\{\w+\}", str(foreign), template), body)
        unknown = _send(world, intruder, method, re.sub(r"\{\w+\}", "2147480000", template), body)
        assert crossed.status_code == unknown.status_code == 404, (template, crossed.text)
        assert _id_blanked(crossed.text, foreign) == _id_blanked(unknown.text, 2147480000)
    assert {key: _state(world, c.number) for key, c in world.tickets.items()} == before


def test_own_department_answers_its_notice(world):
    response = _send(world, HANDLER_A, "POST", f"/api/supervision/{world.notices['a']}/response",
                     {"response": "已加快办理"})
    assert response.status_code == 200, response.text


# -- 网格员: a grid worker reaches the tickets of their own cell and nothing else ------------------------------------

GRID_A, GRID_B = "grid1", "grid_b"  # the demo's worker of 望江社区第一网格, and one made here for the second cell
GRID_ROUTES = {("GET", "/api/grid/me"), ("POST", "/api/grid/reports"), ("GET", "/api/grid/tickets")}


@pytest.fixture(scope="module")
def grid_accounts(live_server) -> Iterator[None]:
    """Set up before the world and torn down after it: the second cell's worker goes with the reference tables."""
    from hotline.accounts import create_staff
    from hotline.database import session_scope
    from hotline.grid_cells import CellRow, upsert_cell
    from hotline.vocabulary import Role
    from web.demo.county import DEMO_PASSWORD

    with reference_tables_restored():
        with session_scope() as session:
            create_staff(session, GRID_B, "钱网格", DEMO_PASSWORD, Role.GRID, None)
            session.flush()
            upsert_cell(session, CellRow(code="CG-WJ-02", name="望江社区第二网格", township="城关街道",
                                         village="望江社区", workers=(GRID_B,)))
        yield


@pytest.fixture(scope="module")
def grid_world(grid_accounts, world) -> dict[str, str]:
    """Each worker's own report, by number."""
    numbers = {}
    for worker in (GRID_A, GRID_B):
        world.tokens[worker] = login(world.base, worker)
        response = _send(world, worker, "POST", "/api/grid/reports", {"content": f"{worker} 上报：井盖破损"})
        assert response.status_code == 201, response.text
        numbers[worker] = response.json()["number"]
    return numbers


@pytest.mark.parametrize("route", sorted(TICKET_ROUTES), ids=lambda r: f"{r[0]} {r[1]}")
def test_another_cells_ticket_and_any_departments_look_unknown_to_a_grid_worker(world, grid_world, route):
    method, template = route
    before = {key: _state(world, c.number) for key, c in world.tickets.items()}
    other_cell = _state(world, grid_world[GRID_B])
    for foreign in (grid_world[GRID_B], *(c.number for c in world.tickets.values())):
        _same_as_unknown(world, GRID_A, method, template, TICKET_ROUTES[route], foreign)
    _same_as_unknown(world, GRID_B, method, template, TICKET_ROUTES[route], grid_world[GRID_A])
    assert {key: _state(world, c.number) for key, c in world.tickets.items()} == before
    assert _state(world, grid_world[GRID_B]) == other_cell


def test_a_grid_workers_list_is_their_cells(world, grid_world):
    for worker in (GRID_A, GRID_B):
        response = _send(world, worker, "GET", "/api/grid/tickets", None)
        assert response.status_code == 200, response.text
        assert _numbers_in(response.text) == {grid_world[worker]}, (worker, response.text)
    own = _send(world, GRID_A, "GET", f"/api/grid/tickets/{grid_world[GRID_A]}", None)  # the control
    assert own.status_code == 200 and grid_world[GRID_B] not in own.text


@pytest.mark.parametrize("route", sorted((SCOPED_LISTS | REFUSED_TO_HANDLERS) - GRID_ROUTES),
                         ids=lambda r: f"{r[0]} {r[1]}")
def test_the_county_lists_refuse_a_grid_worker(world, grid_world, route):
    method, path = route
    body = {"text": "路灯坏了"} if path.endswith("suggest") else ({"content": "路灯坏了"} if method == "POST" else None)
    response = _send(world, GRID_A, method, re.sub(r"\{\w+\}", "1", path) + LIST_QUERIES.get(path, ""), body)
    assert response.status_code == 403, (path, response.text)
