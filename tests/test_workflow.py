"""Every workflow path through the API, as the people who take each step would take it."""

from __future__ import annotations

import pytest

from tests.fixtures import CALL, department_id


def _call(operator, **overrides) -> str:
    response = operator.post("/api/tickets", json={**CALL, **overrides})
    assert response.status_code == 201, response.text
    return response.json()["number"]


@pytest.fixture
def handler(login):
    return login("h_cgj")  # 城管局, the catalogue's lead for 路灯照明 (0107)


def _dispatched(operator, **overrides) -> str:
    number = _call(operator, **overrides)
    response = operator.act(number, "dispatch", {"category_code": "0107"})
    assert response.status_code == 200, response.text
    return number


def _signed(operator, handler) -> str:
    number = _dispatched(operator)
    assert handler.act(number, "sign").status_code == 200
    return number


def test_recorded_call_starts_received_with_its_event(operator):
    number = _call(operator)
    ticket = operator.get(f"/api/tickets/{number}").json()
    assert ticket["status"] == "received"
    assert ticket["caller_phone"] == "13800138000"  # operators see what they need to call back
    assert [e["action"] for e in ticket["events"]] == ["receive"]
    assert ticket["allowed_actions"] == ["submit", "answer", "transfer", "dispatch", "merge", "note",
                                         "correct_category"]


def test_answer_on_the_spot_closes_without_dispatch(operator):
    number = _call(operator, type="consultation")
    response = operator.act(number, "answer", {"reply": "路灯报修请拨打城管局值班电话，已为您登记。"})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "closed" and body["lead_department"] is None
    assert body["events"][-1]["data"]["reply"].startswith("路灯报修")


def test_dispatch_through_the_catalogue_sets_both_deadlines(operator):
    number = _dispatched(operator)
    ticket = operator.get(f"/api/tickets/{number}").json()
    assert ticket["status"] == "pending_sign"
    assert ticket["lead_department"]["name"] == "县城市管理和综合执法局"
    assert ticket["category_code"] == "0107"
    assert ticket["sign_deadline"] < ticket["due_at"]
    event = ticket["events"][-1]
    assert event["action"] == "dispatch" and event["data"]["policy_version"] == 1


def test_township_override_sends_village_matters_to_the_township(operator):
    number = _call(operator, township="白沙镇", village="龙潭村", address="龙潭村三组",
                   content="村里低保评定不公平，家里条件好的也吃上了低保")
    response = operator.act(number, "dispatch", {"category_code": "1101"})
    assert response.json()["lead_department"]["name"] == "白沙镇人民政府"


def test_manual_dispatch_with_co_handlers(operator, login):
    number = _call(operator)
    response = operator.act(number, "dispatch", {"department_id": department_id("cgj"),
                                                 "co_department_ids": [department_id("gdgs")]})
    assert response.status_code == 200
    assert [d["name"] for d in response.json()["co_departments"]] == ["国网清江县供电公司"]
    co_handler = login("h_gdgs")
    assert co_handler.get(f"/api/tickets/{number}").status_code == 200  # co-handlers read
    assert co_handler.act(number, "sign").status_code == 404  # but only the lead acts


def test_sign_reply_rate_archive(operator, handler, commander, client):
    number = _signed(operator, handler)
    assert handler.act(number, "reply", {"reply": "已更换路灯灯泡，现已恢复照明。"}).json()["status"] == "closed"
    assert operator.post(f"/api/tickets/{number}/callback",
                         json={"satisfaction": "satisfied", "solved": "solved"}).json()["status"] == "rated"
    assert commander.act(number, "archive").json()["status"] == "archived"
    actions = [e["action"] for e in commander.get(f"/api/tickets/{number}").json()["events"]]
    assert actions == ["receive", "dispatch", "sign", "reply", "rate", "archive"]


def test_return_review_redispatch_and_force(operator, handler, commander, login):
    number = _dispatched(operator)
    response = handler.act(number, "return", {"reason": "路灯属于供电公司产权，不属我局职责"})
    assert response.json()["status"] == "returned"
    assert handler.get(f"/api/tickets/{number}").status_code == 200
    response = commander.act(number, "redispatch", {"department_id": department_id("gdgs")})
    assert response.json()["status"] == "pending_sign"
    power = login("h_gdgs")
    assert handler.get(f"/api/tickets/{number}").status_code == 404  # no longer theirs
    assert power.act(number, "return", {"reason": "该路段路灯由城管局维护"}).json()["status"] == "returned"
    forced = commander.act(number, "force", {"note": "经核实产权属供电公司，强制派单"})
    assert forced.json()["status"] == "in_progress"
    assert power.act(number, "reply", {"reply": "已修复"}).json()["status"] == "closed"


def test_return_needs_a_reason(operator, handler):
    number = _dispatched(operator)
    response = handler.act(number, "return", {"reason": "   "})
    assert response.status_code == 400
    assert "理由不能为空" in response.json()["detail"]
    assert handler.get(f"/api/tickets/{number}").json()["status"] == "pending_sign"


def test_extension_approved_moves_the_deadline(operator, handler, commander):
    number = _signed(operator, handler)
    before = handler.get(f"/api/tickets/{number}").json()["due_at"]
    assert handler.act(number, "extension", {"days": 5, "reason": "需要采购灯具"}).json()["status"] == \
        "extension_pending"
    approved = commander.act(number, "extension/decision", {"approve": True, "note": "同意"}).json()
    assert approved["status"] == "in_progress" and approved["due_at"] > before
    again = handler.act(number, "extension", {"days": 2, "reason": "再延"})
    assert again.status_code == 409 and "只能申请一次" in again.json()["detail"]


def test_extension_refused_keeps_the_deadline(operator, handler, commander):
    number = _signed(operator, handler)
    before = handler.get(f"/api/tickets/{number}").json()["due_at"]
    handler.act(number, "extension", {"days": 3, "reason": "人手不足"})
    refused = commander.act(number, "extension/decision", {"approve": False, "note": "理由不充分"}).json()
    assert refused["status"] == "in_progress" and refused["due_at"] == before


def test_extension_longer_than_policy_is_refused(operator, handler):
    number = _signed(operator, handler)
    response = handler.act(number, "extension", {"days": 11, "reason": "工程量大"})
    assert response.status_code == 409 and "最多 10 个工作日" in response.json()["detail"]


def test_wait_for_citizen_then_citizen_supplements(operator, handler, client):
    receipt = operator.post("/api/tickets", json=CALL).json()
    number = receipt["number"]
    operator.act(number, "dispatch", {"category_code": "0107"})
    handler.act(number, "sign")
    assert handler.act(number, "wait", {"message": "请告知具体是哪一根路灯杆"}).json()["status"] == "waiting_citizen"
    public = client.post("/api/public/lookup", json={"number": number, "query_code": receipt["query_code"]}).json()
    assert public["can_supplement"] and "请告知具体是哪一根路灯杆" in public["timeline"][-1]["text"]
    response = client.post("/api/public/supplement", json={"number": number, "query_code": receipt["query_code"],
                                                           "content": "南门进去第三根，编号 WJ-03"})
    assert response.status_code == 200 and response.json()["status"] == "in_progress"
    event = handler.get(f"/api/tickets/{number}").json()["events"][-1]
    assert event["action"] == "resume" and event["actor_role"] == "citizen"
    assert event["data"]["supplement"] == "南门进去第三根，编号 WJ-03"


def test_unsatisfied_rating_can_be_reopened_satisfied_cannot(operator, handler, commander, client):
    first = _signed(operator, handler)
    handler.act(first, "reply", {"reply": "已处理"})
    operator.post(f"/api/tickets/{first}/callback", json={"satisfaction": "satisfied", "solved": "solved"})
    refused = commander.act(first, "reopen", {"reason": "复查"})
    assert refused.status_code == 409 and "不满意" in refused.json()["detail"]

    second = _signed(operator, handler)
    handler.act(second, "reply", {"reply": "已处理"})
    operator.post(f"/api/tickets/{second}/callback", json={"satisfaction": "unsatisfied", "solved": "unsolved"})
    reopened = commander.act(second, "reopen", {"reason": "群众反映路灯仍未修复，退回重办"}).json()
    assert reopened["status"] == "in_progress" and reopened["reply"] is None
    assert handler.act(second, "reply", {"reply": "已更换整套灯具"}).json()["status"] == "closed"


def test_merge_duplicate_into_parent(operator, commander):
    parent = _dispatched(operator)
    duplicate = _call(operator, caller_phone="13900139000")
    merged = operator.act(duplicate, "merge", {"parent_number": parent, "note": "同一路灯重复来电"}).json()
    assert merged["status"] == "merged" and merged["parent_number"] == parent
    assert operator.act(parent, "merge", {"parent_number": parent}).status_code == 409
    third = _call(operator)
    into_merged = operator.act(third, "merge", {"parent_number": duplicate})
    assert into_merged.status_code == 409 and "已并单" in into_merged.json()["detail"]
    assert operator.act(third, "merge", {"parent_number": "2000010100001"}).status_code == 404


def test_emergency_transfer(operator):
    number = _call(operator, content="楼下有人拿刀砍人，快来人")
    response = operator.act(number, "transfer", {"line": "110", "note": "已三方转接110"})
    assert response.json()["status"] == "transferred" and response.json()["transferred_to"] == "110"


def test_letter_goes_straight_to_the_dispatch_queue(client, commander):
    response = client.post("/api/public/letters", json={
        "title": "反映小区路灯问题", "content": "县长您好，我们小区门口路灯坏了很久。", "phone": "13700137000",
        "channel": "mailbox", "township": "城关街道"})
    assert response.status_code == 201
    number = response.json()["number"]
    ticket = commander.get(f"/api/tickets/{number}").json()
    assert ticket["status"] == "pending_dispatch" and ticket["channel_label"] == "县长信箱"
    assert [e["action"] for e in ticket["events"]] == ["receive", "submit"]


def test_notes_are_internal_events(operator, handler, client):
    receipt = operator.post("/api/tickets", json=CALL).json()
    number = receipt["number"]
    operator.act(number, "dispatch", {"category_code": "0107"})
    assert handler.act(number, "notes", {"reason": "已联系维修班组，明早处理"}).status_code == 200
    staff_view = handler.get(f"/api/tickets/{number}").json()
    assert staff_view["events"][-1]["note"] == "已联系维修班组，明早处理"
    public = client.post("/api/public/lookup", json={"number": number, "query_code": receipt["query_code"]}).text
    assert "维修班组" not in public


def test_refusal_over_http_names_state_and_the_handlers_next_steps(operator, login):
    number = operator.post("/api/tickets", json=CALL).json()["number"]
    handler = login("h_cgj")
    operator.act(number, "dispatch", {"category_code": "0107"})
    handler.act(number, "sign")
    response = handler.act(number, "sign")
    assert response.status_code == 409
    body = response.json()
    assert body["current_status"] == "in_progress"
    # a handler is not told it may urge or supervise (the command center's steps)
    assert body["allowed_actions"] == ["request_extension", "wait_citizen", "reply", "note", "supervision_response"]
    assert "办理中" in body["detail"] and "签收" in body["detail"]
    ticket = operator.get(f"/api/tickets/{number}").json()
    assert ticket["allowed_actions"] == ["note"]  # an operator is not told it may sign
