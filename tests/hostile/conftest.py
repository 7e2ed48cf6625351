"""Hostile-input fixtures: staff tokens over real HTTP, a small world of tickets in several departments and
states with two citizens, and the reference tables put back after tests that let an admin loose on them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.fixtures import CALL
from web.demo.county import DEMO_PASSWORD

# Two departments, each with its own handler; 0107 (路灯) is the city-management bureau's.
DEPT_A, DEPT_B = "cgj", "zjj"
HANDLER_A, HANDLER_B = f"h_{DEPT_A}", f"h_{DEPT_B}"
STAFF_USERS = ("operator1", "commander", "admin", "auditor", "leader", HANDLER_A, HANDLER_B)

# Filled by test_schemathesis at the end of its module, printed in pytest's closing summary.
FUZZ_SUMMARY: dict[str, Any] = {}


def pytest_terminal_summary(terminalreporter) -> None:
    if FUZZ_SUMMARY:
        terminalreporter.write_sep("-", "schemathesis")
        terminalreporter.write_line(
            f"{FUZZ_SUMMARY['requests']} generated requests {FUZZ_SUMMARY['by_phase']} in "
            f"{FUZZ_SUMMARY['seconds']} s (test-artifacts/schemathesis.json)")


def login(base: str, username: str) -> dict[str, str]:
    response = httpx.post(f"{base}/api/auth/login", json={"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture(scope="session")
def tokens(live_server) -> dict[str, dict[str, str]]:
    """Authorization headers per demo user, plus "anonymous" with none."""
    return {"anonymous": {}, **{user: login(live_server, user) for user in STAFF_USERS}}


@dataclass
class Citizen:
    number: str
    query_code: str
    phone: str
    name: str


@dataclass
class World:
    """Tickets in two departments, each with a citizen holding its number and query code.

    a_waiting: department A's, signed and waiting on its citizen (supplement is possible);
    a_resolved: department A's, replied to (the citizen may rate);
    a_rated: department A's, rated 不满意 by its citizen, so a 差评 review is open on it;
    b_waiting / b_resolved / b_rated: the same in department B;
    fresh: just recorded, nobody's yet.
    Per side: a 督办单 and a 领导批示 on *_waiting, and the 差评 review of *_rated.
    """

    base: str
    tokens: dict[str, dict[str, str]]
    departments: dict[str, int]
    tickets: dict[str, Citizen] = field(default_factory=dict)
    notices: dict[str, int] = field(default_factory=dict)
    reviews: dict[str, int] = field(default_factory=dict)
    instructions: dict[str, int] = field(default_factory=dict)
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=30))

    def post(self, user: str, path: str, json: Any = None) -> httpx.Response:
        return self.http.post(f"{self.base}{path}", json=json, headers=self.tokens[user])

    def act(self, user: str, number: str, action: str, json: Any = None) -> dict:
        response = self.post(user, f"/api/tickets/{number}/{action}", json)
        assert response.status_code == 200, (action, response.text)
        return response.json()

    def record(self, name: str, phone: str) -> Citizen:
        response = self.post("operator1", "/api/tickets", {**CALL, "caller_name": name, "caller_phone": phone})
        assert response.status_code == 201, response.text
        receipt = response.json()
        return Citizen(receipt["number"], receipt["query_code"], phone, name)

    def numbers(self) -> list[str]:
        return [citizen.number for citizen in self.tickets.values()]


def build_world(base: str, tokens: dict[str, dict[str, str]]) -> World:
    departments = {d["code"]: d["id"] for d in httpx.get(f"{base}/api/departments",
                                                         headers=tokens["operator1"]).json()}
    world = World(base, tokens, departments)
    people = {"a": ("张秀英", "13900001111"), "b": ("李卫东", "13700002222")}
    for side, dept, handler in (("a", DEPT_A, HANDLER_A), ("b", DEPT_B, HANDLER_B)):
        name, phone = people[side]
        for state in ("waiting", "resolved", "rated"):
            citizen = world.record(name, phone)
            world.act("operator1", citizen.number, "dispatch", {"department_id": departments[dept]})
            world.act(handler, citizen.number, "sign")
            if state == "waiting":
                notice = world.post("commander", f"/api/tickets/{citizen.number}/supervise",
                                    {"message": "请加快办理并书面回复", "respond_within_days": 2})
                assert notice.status_code == 201, notice.text
                world.notices[side] = notice.json()["id"]
                instruction = world.post("leader", f"/api/tickets/{citizen.number}/instructions",
                                         {"text": "请城管局三日内修复并回复"})
                assert instruction.status_code == 201, instruction.text
                world.instructions[side] = instruction.json()["id"]
                world.act(handler, citizen.number, "wait", {"message": "请补充路灯杆上的编号"})
            else:
                world.act(handler, citizen.number, "reply", {"reply": "路灯已修复，感谢您的反映。"})
            if state == "rated":
                rating = world.http.post(f"{base}/api/public/rating", json={
                    "number": citizen.number, "query_code": citizen.query_code, "satisfaction": "unsatisfied",
                    "solved": "unsolved", "comment": "路灯还是不亮"})
                assert rating.status_code == 200, rating.text
                reviews = world.http.get(f"{base}/api/complaint-reviews", headers=tokens[handler]).json()
                world.reviews[side] = next(r["id"] for r in reviews if r["ticket_number"] == citizen.number)
            world.tickets[f"{side}_{state}"] = citizen
    world.tickets["fresh"] = world.record("王建国", "13800138000")
    return world


