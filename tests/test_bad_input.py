"""Bad input: a clear 4xx with an actionable (Chinese) message, and nothing half-written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hotline.database import session_scope
from hotline.models import Ticket, TicketEvent
from tests.fixtures import CALL

LETTER = {"title": "反映噪音问题", "content": "夜间施工噪音太大，影响休息。", "phone": "13700137000",
          "channel": "web", "township": "城关街道"}


def _counts() -> tuple[int, int]:
    with session_scope() as session:
        return session.scalar(select(func.count(Ticket.id))), session.scalar(select(func.count(TicketEvent.id)))


@pytest.mark.parametrize(("body", "message"), [
    ({**CALL, "content": ""}, "诉求内容不能为空"),
    ({**CALL, "content": " \u3000\n\t "}, "诉求内容不能为空"),
    ({**CALL, "content": "\u200b\u200b"}, "诉求内容不能为空"),
    ({**CALL, "content": "长" * 4001}, "诉求内容过长，最多 4000 个字"),
    ({**CALL, "content": 12345}, "诉求内容应填写文字"),
    ({**CALL, "type": "抱怨"}, "诉求类型的取值「抱怨」无效"),
    ({**CALL, "channel": "call_9999"}, "来源渠道的取值「call_9999」无效"),
    ({**CALL, "caller_phone": "123"}, "电话号码格式不正确"),
    ({**CALL, "caller_phone": "+1 650 253 0000"}, "电话号码格式不正确"),
    ({**CALL, "township": "火星镇"}, "不在本县范围内"),
    ({**CALL, "village": "不存在村"}, "没有「不存在村」这个村（社区）"),
    ({**CALL, "latitude": 123.0, "longitude": 111.0}, "纬度不能大于 90"),
    ({**CALL, "latitude": 28.5}, "经纬度需要同时填写"),
    ({**CALL, "bogus": 1}, "不认识的字段：bogus"),
    ({key: value for key, value in CALL.items() if key != "content"}, "缺少必填项：诉求内容"),
    ({**CALL, "idempotency_key": "短"}, "提交编号"),
])
def test_call_rejected_with_reason(operator, body, message):
    before = _counts()
    response = operator.post("/api/tickets", json=body)
    assert response.status_code in (400, 422), response.text
    assert message in response.json()["detail"]
    assert _counts() == before


def test_malformed_json(operator):
    response = operator.client.post("/api/tickets", content=b'{"content": "abc"', headers={
        **operator.headers, "content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["detail"] == "请求内容不是有效的 JSON，请检查格式"


def test_wrong_body_type(operator):
    response = operator.post("/api/tickets", json=["not", "an", "object"])
    assert response.status_code == 400 and "应填写" in response.json()["detail"]


def test_oversized_body_is_refused(operator):
    response = operator.client.post("/api/tickets", content=b"x" * (300 * 1024), headers={
        **operator.headers, "content-type": "application/json"})
    assert response.status_code == 413


@pytest.mark.parametrize(("raw", "stored"), [
    ("138 0013 8000", "13800138000"), ("+86-138-0013-8000", "13800138000"), ("１３８００１３８０００", "13800138000"),
    ("(0737) 622-1234", "07376221234"), ("0737－6221234", "07376221234"), ("8613800138000", "13800138000"),
])
def test_phone_numbers_in_odd_formats_are_normalised(operator, raw, stored):
    number = operator.post("/api/tickets", json={**CALL, "caller_phone": raw}).json()["number"]
    assert operator.get(f"/api/tickets/{number}").json()["caller_phone"] == stored


def test_emoji_full_width_and_long_text_survive_intact(operator):
    content = "　噪音扰民😡😡！！ＡＢＣ１２３，深夜还在施工🏗️" + "很吵" * 1988
    response = operator.post("/api/tickets", json={**CALL, "content": content})
    assert response.status_code == 201
    stored = operator.get(f"/api/tickets/{response.json()['number']}").json()["content"]
    assert stored == content.strip("\u3000") and len(stored) == 3999


def test_duplicate_letter_with_the_same_key_is_not_written_twice(client):
    letter = {**LETTER, "idempotency_key": "web-2f6c1a9e-0001"}
    first = client.post("/api/public/letters", json=letter)
    assert first.status_code == 201
    again = client.post("/api/public/letters", json=letter)
    assert again.status_code == 409
    assert again.json()["number"] == first.json()["number"]
    assert "请勿重复提交" in again.json()["detail"]
    assert _counts() == (1, 2)


@pytest.mark.parametrize(("body", "message"), [
    ({**LETTER, "phone": ""}, "电话号码格式不正确"),
    ({**LETTER, "title": "  "}, "标题不能为空"),
    ({**LETTER, "title": "题" * 101}, "标题过长"),
    ({**LETTER, "channel": "call_12345"}, "留言渠道只能是"),
    ({**LETTER, "content": "\n\n"}, "留言内容不能为空"),
])
def test_letter_rejected_with_reason(client, body, message):
    response = client.post("/api/public/letters", json=body)
    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert _counts() == (0, 0)


@pytest.mark.parametrize(("action", "body", "message"), [
    ("dispatch", {}, "请选择主办部门"),
    ("dispatch", {"department_id": 99999}, "部门编号 99999 不存在"),
    ("dispatch", {"category_code": "9999"}, "派单目录中没有分类 9999"),
    ("dispatch", {"department_id": "住建局"}, "主办部门应填写整数"),
    ("transfer", {"line": "911"}, "转接线路的取值「911」无效"),
])
def test_action_payloads_rejected_with_reason(operator, action, body, message):
    number = operator.post("/api/tickets", json=CALL).json()["number"]
    response = operator.act(number, action, body)
    assert response.status_code == 400, response.text
    assert message in response.json()["detail"]
    ticket = operator.get(f"/api/tickets/{number}").json()
    assert ticket["status"] == "received" and len(ticket["events"]) == 1


def test_unknown_ticket_and_unknown_route(operator):
    assert operator.act("2000010100001", "submit").status_code == 404
    assert operator.get("/api/nowhere").json()["detail"] == "请求的地址不存在"


def test_citizen_lookup_with_wrong_types(client):
    response = client.post("/api/public/lookup", json={"number": 2026, "query_code": None})
    assert response.status_code == 400 and "工单号应填写文字" in response.json()["detail"]
