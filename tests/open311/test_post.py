"""POST requests: the spec's example walked step by step, then every refusal, in both formats; a request
goes through the same intake, receipt, classification and dispatch as any letter."""

from __future__ import annotations

from rq import SimpleWorker
from sqlalchemy import select

from hotline.database import session_scope
from hotline.jobs import get_queue
from hotline.models import Notification, Ticket
from open311.models import Open311Request
from tests.open311 import spec
from tests.open311.conftest import STREETLIGHT, file_request, form

# the request body of the spec's "Example Request", byte for byte
SPEC_EXAMPLE = ("api_key=xyz&jurisdiction_id=city.gov&service_code=001&lat=37.76524078&long=-122.4212043"
                "&address_string=1234+5th+street&email=smit333%40sfgov.edu&device_id=tt222111&account_id=123456"
                "&first_name=john&last_name=smith&phone=111111111&description=A+large+sinkhole+is+destroying+the+street"
                "&media_url=http%3A%2F%2Ffarm3.static.flickr.com%2F2002%2F2212426634_5ed477a060.jpg"
                "&attribute[WHISPAWN]=123456&attribute[WHISDORN]=COISL001")
FORM_TYPE = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


def _post_raw(client, body: str, fmt: str = "xml"):
    return client.post(f"/open311/v2/requests.{fmt}", content=body.encode(), headers=FORM_TYPE)


def _ticket(number: str) -> Ticket:
    with session_scope() as session:
        ticket = session.scalars(select(Ticket).where(Ticket.number == number)).one()
        session.expunge(ticket)
        return ticket


def test_the_spec_example_walked_from_its_key_to_a_ticket(client, api_key):
    response = _post_raw(client, SPEC_EXAMPLE)
    assert response.status_code == 403
    assert "api_key" in spec.assert_errors_xml(response.content, 403)

    ours = SPEC_EXAMPLE.replace("api_key=xyz", f"api_key={api_key}")
    response = _post_raw(client, ours)
    assert response.status_code == 404  # the spec's "service_code was not found"
    assert "001" in spec.assert_errors_xml(response.content, 404)

    ours = ours.replace("service_code=001", "service_code=0106")
    response = _post_raw(client, ours)
    assert response.status_code == 400  # 111111111 is no telephone number in China
    assert "phone" in spec.assert_errors_xml(response.content, 400)

    response = _post_raw(client, ours.replace("phone=111111111", "phone=13912345678"))
    assert response.status_code == 200 and response.headers["content-type"] == spec.XML_TYPE
    (created,) = spec.items(spec.parse_xml(response.content), "service_requests", "request")
    assert spec.children(created) == spec.CREATED
    number = created.findtext("service_request_id")
    assert number and created.findtext("account_id") == "" and "派单" in created.findtext("service_notice")
    ticket = _ticket(number)
    assert (ticket.channel, ticket.title, ticket.type, ticket.status) == ("app", "道路桥梁", "help", "pending_dispatch")
    assert ticket.caller_name == "john smith" and ticket.caller_phone == "13912345678"
    assert ticket.address == "1234 5th street" and (ticket.latitude, ticket.longitude) == (37.76524078, -122.4212043)
    assert ticket.content.startswith("A large sinkhole is destroying the street")
    assert "farm3.static.flickr.com" in ticket.content  # the handler sees the photo link
    assert "smit333" not in ticket.content and "tt222111" not in ticket.content  # e-mail, device: not kept


def test_json_answer_is_an_array_with_one_request(client, api_key):
    response = client.post("/open311/v2/requests.json", data=form(api_key))
    assert response.status_code == 200 and response.headers["content-type"] == spec.JSON_TYPE
    (created,) = spec.assert_json_items(response.json(), spec.CREATED)
    assert created["account_id"] is None and created["service_request_id"].isdigit()


def test_same_intake_as_a_letter_receipt_sms_classification_and_dispatch(client, api_key, operator):
    number = file_request(client, api_key)
    ticket = operator.get(f"/api/tickets/{number}").json()
    assert ticket["channel_label"] == "移动应用" and ticket["caller_name"] == "李小明"
    assert (ticket["township"], ticket["village"]) == ("城关街道", "望江社区")  # read from address_string
    assert [e["action"] for e in ticket["events"]] == ["receive", "submit"]
    with session_scope() as session:
        receipt = session.scalars(select(Notification).where(Notification.template == "receipt")).one()
        assert receipt.phone == "13912345678" and number in receipt.text
        extra = session.scalars(select(Open311Request)).one()
        assert (extra.service_code, extra.payload, extra.token) == ("0107", None, None)

    queue = get_queue()
    SimpleWorker([queue], connection=queue.connection).work(burst=True)  # the routing job, as for any letter
    ticket = operator.get(f"/api/tickets/{number}").json()
    assert ticket["status"] == "pending_sign" and ticket["category_code"] == "0107"
    assert ticket["lead_department"]["name"] == "县城市管理和综合执法局"
    (request,) = client.get(f"/open311/v2/requests/{number}.json").json()
    assert request["agency_responsible"] == "县城市管理和综合执法局"
    assert request["status_notes"] == "已转交县城市管理和综合执法局办理"
    assert spec.W3C.match(request["expected_datetime"])


def test_a_request_without_a_phone_is_filed_without_a_receipt_sms(client, api_key, operator):
    """GeoReport's phone is optional: such a citizen follows the ticket in the app, so no SMS is queued."""
    number = file_request(client, api_key, phone=None)
    ticket = _ticket(number)
    assert ticket.caller_phone is None and ticket.status == "pending_dispatch"
    with session_scope() as session:
        assert session.scalars(select(Notification).where(Notification.ticket_id == ticket.id)).all() == []
    (request,) = client.get(f"/open311/v2/requests/{number}.json").json()
    assert request["service_request_id"] == number


def test_attributes_of_a_definition_reach_the_handler(client, api_key):
    number = file_request(client, api_key, service_code="0303", description="楼下广场舞音响太吵",
                          **{"attribute[time_of_day]": "night", "attribute[fixmystreet_id]": "42"})
    assert _ticket(number).content == "楼下广场舞音响太吵\n【噪声时段】夜间（22:00–次日6:00）"
    number = file_request(client, api_key, service_code="0201", description="整栋楼停水",
                          **{"attribute[affected_households]": "36"})
    assert _ticket(number).content == "整栋楼停水\n【受影响户数】36"
    with session_scope() as session:
        stored = {e.service_code: e.attributes for e in session.scalars(select(Open311Request))}
    assert stored == {"0303": {"time_of_day": "night"}, "0201": {"affected_households": "36"}}


def test_a_request_without_description_still_reads_as_its_service(client, api_key):
    number = file_request(client, api_key, description=None)
    assert _ticket(number).content.startswith("【路灯照明】")


def test_description_up_to_4000_characters(client, api_key):
    file_request(client, api_key, description="路" * 4000)
    response = client.post("/open311/v2/requests.json", data=form(api_key, description="路" * 4001))
    assert response.status_code == 400
    assert "4000" in spec.assert_errors_json(response.json(), 400)


def test_multivalue_syntax_is_read(client, api_key):
    body = form(api_key, service_code="0303", description="夜里工地施工")
    payload = "&".join(f"{k}={v}" for k, v in body.items()) + "&attribute[time_of_day][]=night"
    response = client.post("/open311/v2/requests.json", content=payload.encode(), headers=FORM_TYPE)
    assert response.status_code == 200, response.text


def _refused(client, api_key, fmt: str = "json", **fields) -> tuple[int, str]:
    response = client.post(f"/open311/v2/requests.{fmt}", data=form(api_key, **fields))
    if fmt == "xml":
        return response.status_code, spec.assert_errors_xml(response.content, response.status_code)
    return response.status_code, spec.assert_errors_json(response.json(), response.status_code)


def test_refusals_follow_the_spec_codes_in_both_formats(client, api_key, admin):
    for fmt in ("xml", "json"):
        assert _refused(client, None, fmt)[0] == 403
        assert _refused(client, "o311_not-a-key", fmt)[0] == 403
        assert _refused(client, api_key, fmt, service_code=None) == (400, "缺少 service_code")
        assert _refused(client, api_key, fmt, service_code="9999")[0] == 404
        assert _refused(client, api_key, fmt, lat=None, long=None, address_string=None)[0] == 400
    checks = [
        ({"lat": "28.2", "long": None, "address_string": None}, "lat 与 long"),
        ({"lat": "north"}, "lat/long"),
        ({"lat": "95"}, "-90"),
        ({"lat": None, "long": None, "address_string": None, "address_id": "545483"}, "address_id"),
        ({"address_string": "路" * 201}, "address_string"),
        ({"phone": "12345"}, "phone"),
        ({"media_url": "javascript:alert(1)"}, "media_url"),
        ({"service_code": "0303"}, "time_of_day"),
        ({"service_code": "0303", "attribute[time_of_day]": "noon"}, "time_of_day"),
        ({"service_code": "0201", "attribute[affected_households]": "many"}, "affected_households"),
    ]
    for fields, mentioned in checks:
        status, description = _refused(client, api_key, **fields)
        assert status == 400 and mentioned in description, (fields, description)
    with session_scope() as session:
        assert session.scalars(select(Ticket)).all() == []  # nothing half-written


def test_a_revoked_key_is_refused(client, api_key, admin):
    key_id = admin.get("/api/admin/open311/keys").json()[0]["id"]
    assert admin.client.delete(f"/api/admin/open311/keys/{key_id}", headers=admin.headers).status_code == 204
    assert _refused(client, api_key)[0] == 403


def test_only_form_encoded_bodies(client, api_key):
    response = client.post("/open311/v2/requests.json", json=form(api_key))
    assert response.status_code == 400
    assert "x-www-form-urlencoded" in spec.assert_errors_json(response.json(), 400)


def test_key_in_the_query_string_counts(client, api_key):
    body = form(None)
    response = client.post(f"/open311/v2/requests.json?api_key={api_key}", data=body)
    assert response.status_code == 200, response.text


def test_each_key_is_rate_limited_per_minute(client, admin, monkeypatch):
    import open311.keys as keys

    monkeypatch.setattr(keys, "_seconds", lambda: 1_800_000_010.0)  # one fixed minute
    raw = admin.post("/api/admin/open311/keys", json={"name": "小程序", "rate_limit_per_minute": 2}).json()["api_key"]
    statuses = [client.post("/open311/v2/requests.json", data=form(raw)).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    response = client.post("/open311/v2/requests.xml", data=form(raw))
    assert response.status_code == 429 and response.headers["retry-after"] == "50"
    assert "每分钟最多 2 次" in spec.assert_errors_xml(response.content, 429)
    other = admin.post("/api/admin/open311/keys", json={"name": "另一个应用"}).json()["api_key"]
    assert client.post("/open311/v2/requests.json", data=form(other)).status_code == 200  # per key
    assert STREETLIGHT
