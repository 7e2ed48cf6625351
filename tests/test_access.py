"""Roles and the department wall: a handler never sees or changes another department's ticket."""

from __future__ import annotations

import pytest

from tests.fixtures import CALL

HANDLER_ACTIONS = [
    ("sign", None), ("return", {"reason": "不属于我单位"}), ("extension", {"days": 2, "reason": "x"}),
    ("wait", {"message": "请补充"}), ("resume", {}), ("reply", {"reply": "已办"}), ("notes", {"reason": "备注"}),
]


@pytest.fixture
def dispatched(operator) -> str:
    number = operator.post("/api/tickets", json=CALL).json()["number"]
    assert operator.act(number, "dispatch", {"category_code": "0107"}).status_code == 200
    return number


def test_other_department_ticket_looks_unknown(dispatched, login):
    education = login("h_jyj")
    unknown = education.get("/api/tickets/2000010100001")
    foreign = education.get(f"/api/tickets/{dispatched}")
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.json()["detail"].replace(dispatched, "N") == unknown.json()["detail"].replace("2000010100001", "N")


@pytest.mark.parametrize(("action", "body"), HANDLER_ACTIONS)
def test_other_department_cannot_act(dispatched, login, action, body):
    education = login("h_jyj")
    response = education.act(dispatched, action, body)
    assert response.status_code == 404
    owner_view = login("h_cgj").get(f"/api/tickets/{dispatched}").json()
    assert owner_view["status"] == "pending_sign" and len(owner_view["events"]) == 2


def test_lists_and_inbox_hold_only_own_department(dispatched, login, operator):
    operator.post("/api/tickets", json=CALL)  # a second, undispatched ticket
    assert [t["number"] for t in login("h_cgj").get("/api/inbox").json()] == [dispatched]
    assert login("h_jyj").get("/api/inbox").json() == []
    assert login("h_jyj").get("/api/tickets").json() == []
    assert len(operator.get("/api/tickets").json()) == 2


@pytest.mark.parametrize(("username", "action", "body"), [
    ("operator1", "sign", None),
    ("h_cgj", "dispatch", {"category_code": "0107"}),
    ("h_cgj", "force", {}),
    ("operator1", "extension/decision", {"approve": True}),
    ("auditor", "notes", {"reason": "看看"}),
    ("auditor", "sign", None),
    ("admin", "reply", {"reply": "x"}),
])
def test_roles_outside_an_action_get_403(dispatched, login, username, action, body):
    response = login(username).act(dispatched, action, body)
    assert response.status_code == 403
    assert "无权" in response.json()["detail"]


def test_recording_a_call_is_for_operators(login):
    assert login("h_cgj").post("/api/tickets", json=CALL).status_code == 403
    assert login("auditor").post("/api/tickets", json=CALL).status_code == 403


def test_auditor_reads_the_event_log_handlers_do_not(dispatched, login):
    events = login("auditor").get("/api/audit/events").json()
    assert [e["action"] for e in events] == ["receive", "dispatch"]
    assert login("h_cgj").get("/api/audit/events").status_code == 403
    paged = login("auditor").get("/api/audit/events", params={"after_id": events[0]["id"]}).json()
    assert [e["action"] for e in paged] == ["dispatch"]


def test_auditor_sees_masked_personal_data(dispatched, login):
    ticket = login("auditor").get(f"/api/tickets/{dispatched}").json()
    assert ticket["caller_phone"] == "138****8000" and ticket["caller_name"] == "王**"
    assert login("h_cgj").get(f"/api/tickets/{dispatched}").json()["caller_phone"] == "13800138000"


def test_no_token_no_entry(client):
    response = client.get("/api/tickets")
    assert response.status_code == 401 and response.json()["detail"] == "请先登录"
    forged = client.get("/api/tickets", headers={"Authorization": "Bearer not-a-token"})
    assert forged.status_code == 401


def test_wrong_password_is_refused(client):
    response = client.post("/api/auth/login", json={"username": "operator1", "password": "nope"})
    assert response.status_code == 401 and response.json()["detail"] == "用户名或密码不正确"
    unknown = client.post("/api/auth/login", json={"username": "nobody", "password": "nope"})
    assert unknown.json() == response.json()


def test_passwords_are_stored_hashed():
    from sqlalchemy import select

    from hotline.database import session_scope
    from hotline.models import Staff

    with session_scope() as session:
        stored = session.scalar(select(Staff.password_hash).where(Staff.username == "operator1"))
    assert stored.startswith("$argon2") and "demo12345" not in stored
