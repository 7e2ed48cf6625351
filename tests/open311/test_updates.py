"""GET servicerequestupdates (the FixMyStreet extension): the public timeline as updates."""

from __future__ import annotations

from datetime import timedelta

from hotline.clock import frozen, now
from tests.fixtures import CALL
from tests.open311 import spec
from tests.open311.conftest import file_request


def _window(hours: float = 2) -> str:
    end = now() + timedelta(minutes=1)
    start = end - timedelta(hours=hours)
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    return f"?start_date={start.strftime(fmt)}&end_date={end.strftime(fmt)}"


def test_the_public_timeline_as_updates_in_order(client, api_key, operator, login):
    number = file_request(client, api_key)
    operator.act(number, "notes", {"reason": "内部：来电人多次投诉"})
    operator.act(number, "dispatch", {"category_code": "0107", "note": "内部：请优先"})
    handler = login("h_cgj")
    handler.act(number, "sign")
    handler.act(number, "reply", {"reply": "路灯已修复。"})
    response = client.get(f"/open311/v2/servicerequestupdates.json{_window()}")
    assert response.status_code == 200 and response.headers["content-type"] == spec.JSON_TYPE
    updates = spec.assert_json_items(response.json(), spec.UPDATE)
    assert [(u["status"], u["description"]) for u in updates] == [
        ("open", "您的诉求已受理"),
        ("open", "已转交县城市管理和综合执法局办理"),
        ("open", "县城市管理和综合执法局已签收，正在办理"),
        ("closed", "已办结。答复：路灯已修复。"),
    ]
    assert {u["service_request_id"] for u in updates} == {number}
    assert [int(u["update_id"]) for u in updates] == sorted(int(u["update_id"]) for u in updates)
    assert all(spec.W3C.match(u["updated_datetime"]) and u["media_url"] is None for u in updates)
    assert "内部" not in response.text


def test_xml_shape_and_a_call_tells_only_facts(client, operator):
    number = operator.post("/api/tickets", json=CALL).json()["number"]
    operator.act(number, "answer", {"reply": "王先生，路灯报修已登记。"})
    response = client.get(f"/open311/v2/servicerequestupdates.xml{_window()}")
    assert response.headers["content-type"] == spec.XML_TYPE
    updates = spec.items(spec.parse_xml(response.content), "service_request_updates", "request_update")
    assert all(spec.children(u) == spec.UPDATE for u in updates)
    assert [(u.findtext("status"), u.findtext("description")) for u in updates] == [
        ("open", "您的诉求已受理"), ("closed", "已办结，答复已告知来电（来信）人")]
    assert "王" not in response.text and "13800138000" not in response.text


def test_the_window_selects_by_the_time_of_the_update(client, api_key, operator):
    with frozen(now() - timedelta(days=3)):
        number = file_request(client, api_key)
    operator.act(number, "dispatch", {"category_code": "0107"})
    recent = client.get(f"/open311/v2/servicerequestupdates.json{_window()}").json()
    assert [u["description"] for u in recent] == ["已转交县城市管理和综合执法局办理"]
    assert len(client.get("/open311/v2/servicerequestupdates.json").json()) == 2  # default: the last 90 days
    response = client.get("/open311/v2/servicerequestupdates.json?start_date=2020-01-01T00:00:00Z")
    assert response.json() == []
    response = client.get("/open311/v2/servicerequestupdates.xml?end_date=soon")
    assert response.status_code == 400 and spec.assert_errors_xml(response.content, 400)
