"""Action answers give their times in Asia/Shanghai (+08:00), as every read of the same ticket does.

A ticket just changed still holds the UTC values the action wrote; the answer must not show them as `…Z`.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest

from tests.fixtures import CALL

MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _moments(value: Any, path: str = "") -> dict[str, str]:
    """Every string in the answer that is a date and time, by where it sits."""
    found: dict[str, str] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            found |= _moments(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found |= _moments(item, f"{path}[{index}]")
    elif isinstance(value, str) and MOMENT.match(value):
        found[path] = value
    return found


def _all_local(response) -> dict[str, str]:
    assert response.status_code in (200, 201), response.text
    moments = _moments(response.json())
    assert moments, "the answer carries no time at all"
    wrong = {where: value for where, value in moments.items() if not value.endswith("+08:00")}
    assert not wrong, f"not in +08:00: {wrong}"
    return moments


@pytest.fixture
def handler(login):
    return login("h_cgj")  # 城管局 leads 路灯照明 (0107)


def test_each_action_answer_gives_local_times(operator, handler, commander):
    receipt = operator.post("/api/tickets", json=CALL).json()
    number = receipt["number"]
    dispatched = _all_local(operator.act(number, "dispatch", {"category_code": "0107"}))
    assert ".due_at" in dispatched and ".sign_deadline" in dispatched
    signed = _all_local(handler.act(number, "sign"))
    assert ".due_at" in signed
    _all_local(handler.act(number, "extension", {"days": 2, "reason": "需要采购灯具"}))
    decided = _all_local(commander.act(number, "extension/decision", {"approve": True, "note": "同意"}))
    _all_local(handler.act(number, "notes", {"reason": "已联系路灯所"}))
    _all_local(handler.act(number, "wait", {"message": "请补充路灯的杆号"}))
    _all_local(handler.act(number, "resume", {"note": "群众已补充杆号"}))
    replied = _all_local(handler.act(number, "reply", {"reply": "已更换路灯灯泡，现已恢复照明。"}))
    assert ".closed_at" in replied
    assert ".events[0].created_at" in replied and ".dispatched_at" in replied
    assert datetime.fromisoformat(decided[".due_at"]) > datetime.fromisoformat(signed[".due_at"])  # extended
    read = operator.get(f"/api/tickets/{number}").json()  # the last answer and a fresh read say the same, alike
    assert {key: read[key] for key in ("dispatched_at", "due_at", "closed_at")} == \
        {key: replied[f".{key}"] for key in ("dispatched_at", "due_at", "closed_at")}


def test_the_citizens_rating_answer_gives_local_times(operator, handler, client):
    receipt = operator.post("/api/tickets", json=CALL).json()
    operator.act(receipt["number"], "dispatch", {"category_code": "0107"})
    handler.act(receipt["number"], "sign")
    handler.act(receipt["number"], "reply", {"reply": "已更换路灯灯泡。"})
    rated = _all_local(client.post("/api/public/rating", json={
        "number": receipt["number"], "query_code": receipt["query_code"], "satisfaction": "satisfied",
        "solved": "solved"}))
    assert ".created_at" in rated and ".timeline[0].time" in rated


def test_answer_on_the_spot_gives_local_times(operator):
    number = operator.post("/api/tickets", json={**CALL, "type": "consultation"}).json()["number"]
    answered = _all_local(operator.act(number, "answer", {"reply": "路灯报修请拨打城管局值班电话，已为您登记。"}))
    assert ".closed_at" in answered
