"""GET requests and GET a request: the filters, the 90-day and 1,000-row defaults, the open/closed mapping,
and what the public may see, in both formats."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from hotline.clock import frozen, now
from hotline.database import session_scope
from hotline.models import Ticket
from hotline.settings import TIME_ZONE
from open311 import queries
from tests.fixtures import CALL
from tests.open311 import spec
from tests.open311.conftest import file_request


def _call(operator, **overrides) -> str:
    response = operator.post("/api/tickets", json={**CALL, **overrides})
    assert response.status_code == 201, response.text
    return response.json()["number"]


def _numbers(client, query: str = "") -> list[str]:
    response = client.get(f"/open311/v2/requests.json{query}")
    assert response.status_code == 200, response.text
    return [r["service_request_id"] for r in spec.assert_json_items(response.json(), spec.REQUEST)]


def _query_codes() -> list[str]:
    with session_scope() as session:
        return list(session.scalars(select(Ticket.query_code)))


def test_the_public_sees_no_personal_data_in_either_format(client, api_key, operator):
    call = _call(operator)
    filed = file_request(client, api_key, description="路灯坏了，有事请回电 13912345678")
    for fmt in ("json", "xml"):
        raw = client.get(f"/open311/v2/requests.{fmt}").text + client.get(f"/open311/v2/requests/{call}.{fmt}").text
        for secret in ("王建国", "13800138000", "李小明", "13912345678", "li@example.org", "tt222111",
                       *_query_codes()):
            assert secret not in raw, (fmt, secret)
    by_id = {r["service_request_id"]: r for r in client.get("/open311/v2/requests.json").json()}
    called, reported = by_id[call], by_id[filed]
    # a call: only structured facts, the street address stays private
    assert called["description"] is None and called["lat"] is None and called["media_url"] is None
    assert called["address"] == "望江社区, 城关街道" and called["status"] == "open"
    assert called["status_notes"] == "您的诉求已受理"
    # a report made through a public civic-report app: its words and place, phone numbers masked
    assert reported["description"] == "路灯坏了，有事请回电 139****5678"
    assert reported["address"] == "城关街道望江社区望江花园小区南门"
    assert (reported["lat"], reported["long"]) == (28.2001, 112.9302)
    assert reported["service_code"] == "0107" and reported["service_name"] == "路灯照明"
    for moment in (reported["requested_datetime"], reported["updated_datetime"]):
        assert spec.W3C.match(moment) and moment.endswith("+08:00")
    assert reported["expected_datetime"] is None and reported["agency_responsible"] is None


def test_xml_list_has_every_element_of_the_spec(client, api_key):
    file_request(client, api_key, media_url="https://img.example.org/p/1.jpg")
    response = client.get("/open311/v2/requests.xml")
    assert response.headers["content-type"] == spec.XML_TYPE
    (request,) = spec.items(spec.parse_xml(response.content), "service_requests", "request")
    assert spec.children(request) == spec.REQUEST
    fields = spec.flat(request)
    assert fields["status"] == "open" and fields["media_url"] == "https://img.example.org/p/1.jpg"
    assert fields["address_id"] == "" and fields["zipcode"] == "" and float(fields["lat"]) == 28.2001


def test_default_window_is_the_most_recent_90_days_newest_first(client, operator):
    with frozen(now() - timedelta(days=100)):
        old = _call(operator)
    with frozen(now() - timedelta(days=10)):
        recent = _call(operator)
    newest = _call(operator)
    assert _numbers(client) == [newest, recent]
    start = (now() - timedelta(days=120)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (now() - timedelta(days=40)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert _numbers(client, f"?start_date={start}&end_date={end}") == [old]
    assert _numbers(client, f"?start_date={start}") == [old]  # the end is 90 days on
    assert _numbers(client, f"?end_date={end}") == [old]  # the start is 90 days back
    assert _numbers(client, "?start_date=&end_date=&status=") == [newest, recent]  # empty means absent


@pytest.mark.parametrize(("query", "mentioned"), [
    ("?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z", "90"),
    ("?start_date=2026-06-01T00:00:00Z&end_date=2026-05-01T00:00:00Z", "end_date"),
    ("?start_date=yesterday", "start_date"),
    ("?status=pending", "status"),
])
def test_bad_filters_are_400_in_both_formats(client, query, mentioned):
    response = client.get(f"/open311/v2/requests.json{query}")
    assert response.status_code == 400 and mentioned in spec.assert_errors_json(response.json(), 400)
    response = client.get(f"/open311/v2/requests.xml{query}")
    assert response.status_code == 400 and mentioned in spec.assert_errors_xml(response.content, 400)


def test_w3c_dates_with_offsets_bare_dates_and_unencoded_plus(client, operator):
    number = _call(operator)
    today = now().astimezone(TIME_ZONE).date()
    tomorrow = today + timedelta(days=1)
    assert _numbers(client, f"?start_date={today}&end_date={tomorrow}") == [number]
    assert _numbers(client, f"?start_date={today}T00:00:00+08:00&end_date={tomorrow}T00:00:00+08:00") == [number]
    assert _numbers(client, f"?start_date={tomorrow}T00:00:00%2B08:00&end_date={tomorrow}T01:00:00%2B08:00") == []


def test_status_filter_maps_our_workflow_to_open_and_closed(client, operator, login):
    answered = _call(operator)
    operator.act(answered, "answer", {"reply": "路灯报修已登记，王先生请放心。"})
    merged = _call(operator)
    parent = _call(operator)
    assert operator.act(merged, "merge", {"parent_number": parent}).status_code == 200
    transferred = _call(operator, content="小区有人打架，有人受伤流血了")
    assert operator.act(transferred, "transfer", {"line": "110"}).status_code == 200
    still_open = _call(operator)
    assert set(_numbers(client, "?status=closed")) == {answered, merged, transferred}
    assert set(_numbers(client, "?status=open")) == {parent, still_open}
    assert len(_numbers(client, "?status=open,closed")) == 5
    assert len(_numbers(client, "?status=open&status=closed")) == 5
    by_id = {r["service_request_id"]: r for r in client.get("/open311/v2/requests.json").json()}
    assert by_id[answered]["status_notes"] == "已办结，答复已告知来电（来信）人"  # a call's reply stays private
    assert "王先生" not in str(by_id)
    assert by_id[merged]["status_notes"] == f"与相同诉求合并办理，请查询工单 {parent}"
    assert by_id[transferred]["status_notes"] == "已转 110 紧急处置"
    assert by_id[answered]["service_notice"] is None


def test_service_code_filter_uses_the_category_the_center_settled_on(client, api_key, operator):
    streetlight = _call(operator)
    operator.act(streetlight, "dispatch", {"category_code": "0107"})
    noise = file_request(client, api_key, service_code="0303", description="夜里施工很吵",
                         **{"attribute[time_of_day]": "night"})
    unclassified = _call(operator)
    assert _numbers(client, "?service_code=0303") == [noise]
    assert set(_numbers(client, "?service_code=0107,0303")) == {streetlight, noise}
    assert unclassified not in _numbers(client, "?service_code=0107")


def test_service_request_ids_override_every_other_argument(client, operator):
    with frozen(now() - timedelta(days=200)):
        old = _call(operator)
    new = _call(operator)
    query = f"?service_request_id={new},{old},2000010199999&status=closed&start_date=2026-01-01"
    assert _numbers(client, query) == [new, old]


def test_at_most_1000_rows_newest_first(client, operator, monkeypatch):
    assert queries.MAX_ROWS == 1000
    assert queries.MAX_SPAN.days == 90
    monkeypatch.setattr(queries, "MAX_ROWS", 2)
    numbers = [_call(operator) for _ in range(3)]
    assert _numbers(client) == numbers[:0:-1]


def test_one_request_is_an_array_of_one_in_both_formats(client, api_key):
    number = file_request(client, api_key)
    response = client.get(f"/open311/v2/requests/{number}.xml")
    (request,) = spec.items(spec.parse_xml(response.content), "service_requests", "request")
    assert request.findtext("service_request_id") == number and spec.children(request) == spec.REQUEST
    body = client.get(f"/open311/v2/requests/{number}.json").json()
    assert [r["service_request_id"] for r in spec.assert_json_items(body, spec.REQUEST)] == [number]


def test_an_unknown_request_is_404_in_both_formats(client):
    response = client.get("/open311/v2/requests/2000010199999.xml")
    assert response.status_code == 404 and "2000010199999" in spec.assert_errors_xml(response.content, 404)
    response = client.get("/open311/v2/requests/2000010199999.json")
    assert response.status_code == 404 and spec.assert_errors_json(response.json(), 404)


def test_a_reply_closes_the_request_with_its_text_agency_and_times(client, api_key, operator, login):
    number = file_request(client, api_key)
    operator.act(number, "dispatch", {"category_code": "0107"})
    (request,) = client.get(f"/open311/v2/requests/{number}.json").json()
    assert request["status"] == "open" and request["agency_responsible"] == "县城市管理和综合执法局"
    assert request["service_notice"].startswith("由县城市管理和综合执法局办理，应于 ")
    handler = login("h_cgj")
    handler.act(number, "sign")
    handler.act(number, "reply", {"reply": "路灯已修复，联系电话 13700001111。"})
    (request,) = client.get(f"/open311/v2/requests/{number}.json").json()
    ticket = operator.get(f"/api/tickets/{number}").json()
    assert request["status"] == "closed" and request["service_notice"] is None
    assert request["status_notes"] == "已办结。答复：路灯已修复，联系电话 137****1111。"
    assert request["updated_datetime"] == _seconds(ticket["closed_at"])  # "the date the request was closed"
    assert request["expected_datetime"] == _seconds(ticket["due_at"])


def _seconds(iso: str) -> str:
    return datetime.fromisoformat(iso).replace(microsecond=0).isoformat()


def test_anonymous_reads_are_rate_limited_per_address(client, monkeypatch, environ):
    import open311.keys as keys

    monkeypatch.setattr(keys, "_seconds", lambda: 1_800_000_010.0)
    environ(OPEN311_ANONYMOUS_LIMIT_PER_MINUTE="2")
    statuses = [client.get("/open311/v2/services.json").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_a_wrong_key_on_a_read_is_403(client, api_key):
    assert client.get(f"/open311/v2/services.json?api_key={api_key}").status_code == 200
    response = client.get("/open311/v2/requests.json?api_key=o311_wrong")
    assert response.status_code == 403 and spec.assert_errors_json(response.json(), 403)
