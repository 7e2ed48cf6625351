"""The citizen's lookup: public timeline only, identical answers for unknown and wrong, throttled guessing."""

from __future__ import annotations

from tests.fixtures import CALL


def _closed_ticket(operator, login) -> dict:
    receipt = operator.post("/api/tickets", json=CALL).json()
    number = receipt["number"]
    handler = login("h_cgj")
    operator.act(number, "notes", {"reason": "来电人情绪激动，注意沟通"})
    operator.act(number, "dispatch", {"category_code": "0107", "note": "内部：优先处理"})
    handler.act(number, "return", {"reason": "内部退单理由"})
    login("commander").act(number, "force", {"note": "内部：强制"})
    handler.act(number, "reply", {"reply": "路灯已修复，感谢您的反映。"})
    return receipt


def test_lookup_shows_status_and_public_timeline_only(client, operator, login):
    receipt = _closed_ticket(operator, login)
    response = client.post("/api/public/lookup", json={"number": receipt["number"],
                                                       "query_code": receipt["query_code"]})
    assert response.status_code == 200
    body = response.json()
    assert body["status_label"] == "已办结" and body["can_rate"] is True
    assert body["caller_phone"] == "138****8000"
    texts = [item["text"] for item in body["timeline"]]
    assert texts[0] == "您的诉求已受理"
    assert texts[-1] == "已办结。答复：路灯已修复，感谢您的反映。"
    raw = response.text
    for secret in ("情绪激动", "内部", "退单", "王建国", "13800138000", "李话务", "承办员", "actor"):
        assert secret not in raw


def test_unknown_number_and_wrong_code_answer_identically(client, operator):
    receipt = operator.post("/api/tickets", json=CALL).json()
    wrong = client.post("/api/public/lookup", json={"number": receipt["number"], "query_code": "00000000"})
    unknown = client.post("/api/public/lookup", json={"number": "2000010199999", "query_code": "12345678"})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json() == {"status_code": 404, "detail": "未找到该工单，请核对工单号和查询码"}


def test_guessing_is_throttled_across_processes_in_redis(client, operator):
    from hotline.redis_conn import get_redis

    receipt = operator.post("/api/tickets", json=CALL).json()
    statuses = [client.post("/api/public/lookup", json={"number": receipt["number"], "query_code": f"{i:08d}"})
                .status_code for i in range(10)]
    assert statuses == [404] * 10
    blocked = client.post("/api/public/lookup", json=receipt | {"query_code": receipt["query_code"]})
    assert blocked.status_code == 429
    assert blocked.json()["detail"] == "查询过于频繁，请稍后再试"
    assert any(b"ratelimit" in key for key in get_redis().keys("*"))  # the count lives in Redis


def test_throttle_does_not_touch_staff_endpoints(operator):
    assert all(operator.get("/api/tickets").status_code == 200 for _ in range(15))


def test_citizen_rates_once(client, operator, login):
    receipt = _closed_ticket(operator, login)
    payload = {"number": receipt["number"], "query_code": receipt["query_code"],
               "satisfaction": "basically_satisfied", "solved": "partly_solved", "comment": "修得挺快👍"}
    first = client.post("/api/public/rating", json=payload)
    assert first.status_code == 200 and first.json()["status"] == "rated"
    assert first.json()["timeline"][-1]["text"] == "已收到您的评价：基本满意"
    second = client.post("/api/public/rating", json=payload)
    assert second.status_code == 409
    ticket = login("commander").get(f"/api/tickets/{receipt['number']}").json()
    assert ticket["satisfaction"] == "basically_satisfied" and ticket["solved"] == "partly_solved"


def test_rating_with_a_wrong_code_changes_nothing(client, operator, login):
    receipt = _closed_ticket(operator, login)
    response = client.post("/api/public/rating", json={"number": receipt["number"], "query_code": "99999999",
                                                       "satisfaction": "unsatisfied", "solved": "unsolved"})
    assert response.status_code == 404
    assert login("commander").get(f"/api/tickets/{receipt['number']}").json()["status"] == "closed"


def test_rating_before_the_reply_is_refused(client, operator):
    receipt = operator.post("/api/tickets", json=CALL).json()
    response = client.post("/api/public/rating", json={**receipt_fields(receipt), "satisfaction": "satisfied",
                                                       "solved": "solved"})
    assert response.status_code == 409 and response.json()["current_status"] == "received"


def receipt_fields(receipt: dict) -> dict:
    return {"number": receipt["number"], "query_code": receipt["query_code"]}


def test_merged_ticket_points_the_citizen_to_its_parent(client, operator):
    parent = operator.post("/api/tickets", json=CALL).json()
    child = operator.post("/api/tickets", json=CALL).json()
    operator.act(child["number"], "merge", {"parent_number": parent["number"]})
    body = client.post("/api/public/lookup", json=receipt_fields(child)).json()
    assert body["timeline"][-1]["text"] == f"与相同诉求合并办理，请查询工单 {parent['number']}"
