"""数字城管 intake through the API, as the city-management platform sees it: its key, its event ids, its fields.

Expectations are what the platform should see (docs/city_management.md), written before reading the answers.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import httpx
import pytest
from sqlalchemy import delete, func, select

from hotline.city_management.models import CityCallback, CityEvent, CitySystem
from hotline.database import session_scope
from hotline.models import Ticket

EVENTS = "/api/intake/city-management/events"
SYSTEMS = "/api/admin/city-management/systems"
EVENT = {
    "event_id": "CG20261207000123",
    "category": "市容环境/暴露垃圾",
    "description": "望江花园小区南门人行道上堆放生活垃圾，已有异味，影响行人通行",
    "address": "城关街道望江花园小区南门",
    "township": "城关街道",
    "community": "望江社区",
    "latitude": 28.2001,
    "longitude": 112.9302,
    "reported_at": "2026-12-07T09:30:00+08:00",
    "reporter_type": "inspector",
    "photo_urls": ["https://cg.example.gov.cn/photos/000123-1.jpg"],
}


def clean_city_management() -> None:
    with session_scope() as session:
        session.execute(delete(CityCallback))
        session.execute(delete(CityEvent))
        session.execute(delete(CitySystem))


@pytest.fixture(autouse=True)
def _clean():
    clean_city_management()
    yield
    clean_city_management()


@pytest.fixture
def admin(login):
    return login("admin")


def issue(admin, name: str = "县数字城管监督指挥平台", **fields) -> dict:
    response = admin.post(SYSTEMS, json={"name": name, "contact": "城管指挥中心 值班室", **fields})
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def platform(admin) -> dict:
    return issue(admin)


def send(client, key: str | None, body, **headers):
    if key is not None:
        headers["X-Api-Key"] = key
    if isinstance(body, (bytes, str)):
        return client.post(EVENTS, content=body, headers={"Content-Type": "application/json", **headers})
    return client.post(EVENTS, json=body, headers=headers)


def named(response, name: str) -> bool:
    """The refusal names the field: in its sentence, or as the field of one of its errors."""
    body = response.json()
    return name in body["detail"] or name in [error.get("field") for error in body.get("errors", [])]


def tickets() -> int:
    with session_scope() as session:
        return session.scalar(select(func.count()).select_from(Ticket))


def stored(number: str) -> Ticket:
    with session_scope() as session:
        ticket = session.scalars(select(Ticket).where(Ticket.number == number)).one()
        session.expunge(ticket)
        return ticket


# --- keys -----------------------------------------------------------------------------------------------


def test_an_admin_issues_a_key_shown_once_and_stored_hashed(admin, platform):
    assert platform["api_key"].startswith("cm_") and platform["signing_secret"].startswith("cmsig_")
    assert platform["key_prefix"] == platform["api_key"][:12]
    listed = admin.get(SYSTEMS).json()
    assert [row["name"] for row in listed] == ["县数字城管监督指挥平台"]
    assert "api_key" not in listed[0] and "signing_secret" not in listed[0]
    with session_scope() as session:
        row = session.scalars(select(CitySystem)).one()
        assert platform["api_key"] not in (row.key_hash, row.key_prefix) and len(row.key_hash) == 64


def test_only_an_admin_manages_keys(client, login):
    assert client.get(SYSTEMS).status_code == 401
    for username in ("operator1", "commander", "h_cgj", "auditor"):
        assert login(username).post(SYSTEMS, json={"name": "x"}).status_code == 403


def test_a_callback_url_must_be_http(admin):
    response = admin.post(SYSTEMS, json={"name": "平台", "callback_url": "ftp://cg.example/cb"})
    assert response.status_code == 400 and "callback_url" in response.json()["detail"]


def test_no_key_or_a_wrong_key_is_refused_and_nothing_is_written(client, platform):
    for key in (None, "", "cm_wrong", platform["api_key"] + "x"):
        response = send(client, key, EVENT)
        assert response.status_code == 401, (key, response.text)
        assert "密钥" in response.json()["detail"]
    assert tickets() == 0


def test_a_wrong_key_is_refused_before_its_body_is_read(client):
    response = send(client, "cm_wrong", b"{not json")
    assert response.status_code == 401


def test_a_revoked_key_is_refused(client, admin, platform):
    assert send(client, platform["api_key"], EVENT).status_code == 201
    assert admin.client.delete(f"{SYSTEMS}/{platform['id']}", headers=admin.headers).status_code == 204
    response = send(client, platform["api_key"], {**EVENT, "event_id": "CG2"})
    assert response.status_code == 401 and "停用" in response.json()["detail"]
    assert client.get(f"{EVENTS}/{EVENT['event_id']}", headers={"X-Api-Key": platform["api_key"]}).status_code == 401
    assert admin.get(SYSTEMS).json()[0]["revoked_at"] is not None
    assert tickets() == 1


# --- filing ---------------------------------------------------------------------------------------------


def test_an_event_becomes_a_city_management_ticket_routed_like_any_other(client, platform, operator):
    response = send(client, platform["api_key"], EVENT)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["event_id"] == "CG20261207000123"
    assert body["ticket_number"].isdigit() and len(body["ticket_number"]) == 13
    assert (body["status"], body["status_label"], body["finished"]) == ("pending_dispatch", "待派单", False)
    assert datetime.fromisoformat(body["received_at"]).utcoffset() == timedelta(hours=8)
    assert "query_code" not in body

    ticket = operator.get(f"/api/tickets/{body['ticket_number']}").json()
    assert (ticket["channel"], ticket["channel_label"]) == ("city_management", "数字城管")
    assert ticket["title"] == "市容环境/暴露垃圾" and ticket["type"] == "help"
    assert (ticket["township"], ticket["village"]) == ("城关街道", "望江社区")
    assert ticket["address"] == "城关街道望江花园小区南门"
    assert (ticket["latitude"], ticket["longitude"]) == (28.2001, 112.9302)
    assert ticket["caller_phone"] is None
    content = ticket["content"]
    assert content.startswith("望江花园小区南门人行道上堆放生活垃圾")
    for line in ("【数字城管案件号】CG20261207000123", "【案件类别】市容环境/暴露垃圾", "【上报人】城管监督员",
                 "【上报时间】2026-12-07 09:30", "【图片】https://cg.example.gov.cn/photos/000123-1.jpg"):
        assert line in content
    assert [e["action"] for e in ticket["events"]] == ["receive", "submit"]
    with session_scope() as session:
        link = session.scalars(select(CityEvent)).one()
        assert link.reporter_type == "inspector" and link.photo_urls == EVENT["photo_urls"]
        assert link.reported_at == datetime.fromisoformat("2026-12-07T01:30:00+00:00")
        assert link.reported_at.utcoffset() == timedelta(hours=8)  # read back in Asia/Shanghai


def test_a_time_in_utc_is_the_same_moment(client, platform):
    response = send(client, platform["api_key"], {**EVENT, "reported_at": "2026-12-07T01:30:00Z"})
    assert response.status_code == 201
    assert "【上报时间】2026-12-07 09:30" in stored(response.json()["ticket_number"]).content


def test_the_township_is_read_from_the_address_when_not_given(client, platform):
    event = {key: value for key, value in EVENT.items() if key not in ("township", "community")}
    number = send(client, platform["api_key"], event).json()["ticket_number"]
    ticket = stored(number)
    assert (ticket.township, ticket.village) == ("城关街道", None)


def test_only_the_required_fields(client, platform):
    event = {"event_id": "CG-7", "description": "井盖缺失", "reported_at": "2026-12-07T08:00:00+08:00",
             "reporter_type": "camera"}
    response = send(client, platform["api_key"], event)
    assert response.status_code == 201, response.text
    ticket = stored(response.json()["ticket_number"])
    assert ticket.title == "数字城管案件" and ticket.township is None and ticket.address is None
    assert "【上报人】视频监控" in ticket.content


def test_emoji_and_full_width_digits_in_the_words_are_kept(client, platform):
    words = "３号楼前路灯不亮了💡，晚上很黑"
    response = send(client, platform["api_key"], {**EVENT, "description": words})
    assert response.status_code == 201
    assert stored(response.json()["ticket_number"]).content.startswith(words)


# --- idempotency ----------------------------------------------------------------------------------------


def test_the_same_event_twice_gives_the_same_ticket(client, platform):
    first = send(client, platform["api_key"], EVENT)
    again = send(client, platform["api_key"], {**EVENT, "description": "重复推送，内容略有不同"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["ticket_number"] == first.json()["ticket_number"]
    assert tickets() == 1
    assert stored(first.json()["ticket_number"]).content.startswith("望江花园小区南门")  # the first one stands


def test_another_platform_may_use_the_same_event_id(client, admin, platform):
    other = issue(admin, "高新区数字城管平台")
    first = send(client, platform["api_key"], EVENT).json()
    second = send(client, other["api_key"], EVENT)
    assert second.status_code == 201 and second.json()["ticket_number"] != first["ticket_number"]
    assert tickets() == 2
    # each platform reads only its own
    mine = client.get(f"{EVENTS}/{EVENT['event_id']}", headers={"X-Api-Key": other["api_key"]}).json()
    assert mine["ticket_number"] == second.json()["ticket_number"]


def test_a_race_lost_on_the_event_id_answers_the_winners_ticket(client, platform, monkeypatch):
    """The read before the write can miss a concurrent submission not yet committed: the unique constraint is
    what decides. Here the read is made to miss, as it would in the race."""
    from hotline.city_management import intake

    number = send(client, platform["api_key"], EVENT).json()["ticket_number"]
    real, calls = intake.find, []

    def stale_first_read(*args):
        calls.append(args)
        return None if len(calls) == 1 else real(*args)

    monkeypatch.setattr(intake, "find", stale_first_read)
    response = send(client, platform["api_key"], EVENT)
    assert response.status_code == 200 and response.json()["ticket_number"] == number
    assert tickets() == 1


def test_concurrent_submissions_of_one_event_make_one_ticket(live_server, platform):
    barrier, answers = threading.Barrier(6), []

    def submit() -> None:
        with httpx.Client(base_url=live_server, timeout=30) as http:
            barrier.wait()
            answers.append(http.post(EVENTS, json=EVENT, headers={"X-Api-Key": platform["api_key"]}))

    threads = [threading.Thread(target=submit) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answer.status_code for answer in answers) == [200] * 5 + [201], [a.text for a in answers]
    assert len({answer.json()["ticket_number"] for answer in answers}) == 1
    assert tickets() == 1


# --- refusals -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("change", "names"), [
    ({"event_id": ""}, "event_id"),
    ({"event_id": "ＣＧ１２３"}, "event_id"),  # full-width letters and digits are not the platform's id
    ({"event_id": "CG 123"}, "event_id"),
    ({"event_id": "CG😀"}, "event_id"),
    ({"event_id": "C" * 65}, "event_id"),
    ({"event_id": 123}, "event_id"),
    ({"description": ""}, "description"),
    ({"description": "   \u3000 "}, "description"),
    ({"description": "垃圾" * 1001}, "description"),
    ({"description": ["垃圾"]}, "description"),
    ({"latitude": "28.2"}, "latitude"),
    ({"latitude": 91}, "latitude"),
    ({"latitude": None}, "latitude"),  # one coordinate without the other
    ({"reported_at": "2026-12-07 09:30"}, "reported_at"),
    ({"reported_at": "2026-12-07T09:30:00"}, "reported_at"),  # no offset: which 09:30?
    ({"reported_at": "2099-01-01T09:30:00+08:00"}, "reported_at"),
    ({"reported_at": "２０２６-12-07T09:30:00+08:00"}, "reported_at"),
    ({"reporter_type": "监督员"}, "reporter_type"),
    ({"photo_urls": "https://cg.example/a.jpg"}, "photo_urls"),
    ({"photo_urls": ["javascript:alert(1)"]}, "photo_urls"),
    ({"photo_urls": [f"https://cg.example/{i}.jpg" for i in range(7)]}, "photo_urls"),
    ({"township": "火星街道"}, "火星街道"),
    ({"community": "望江社区", "township": None}, "township"),
    ({"address": "路" * 201}, "address"),
    ({"reporter_phone": "13800138000"}, "reporter_phone"),  # a field the API does not know
])
def test_a_bad_field_is_a_400_naming_it_and_nothing_is_written(client, platform, change, names):
    event = {**EVENT, **change}
    event = {key: value for key, value in event.items() if value is not None or key == "latitude"}
    if change.get("latitude", 0) is None:
        event.pop("latitude")
    response = send(client, platform["api_key"], event)
    assert response.status_code == 400, response.text
    assert named(response, names), response.json()
    assert tickets() == 0


@pytest.mark.parametrize("missing", ["event_id", "description", "reported_at", "reporter_type"])
def test_a_missing_field_is_named(client, platform, missing):
    response = send(client, platform["api_key"], {k: v for k, v in EVENT.items() if k != missing})
    assert response.status_code == 400 and named(response, missing), response.json()
    assert tickets() == 0


@pytest.mark.parametrize("body", [b"", b"{", b"[]", b"{\"event_id\": \"CG1\"", b"\xff\xfe"])
def test_a_body_that_is_not_an_event_is_a_400(client, platform, body):
    response = send(client, platform["api_key"], body)
    assert response.status_code == 400, response.text
    assert response.json()["detail"]
    assert tickets() == 0


# --- pull -----------------------------------------------------------------------------------------------


def test_the_platform_reads_its_event_back(client, platform):
    number = send(client, platform["api_key"], EVENT).json()["ticket_number"]
    response = client.get(f"{EVENTS}/{EVENT['event_id']}", headers={"X-Api-Key": platform["api_key"]})
    assert response.status_code == 200
    body = response.json()
    assert (body["ticket_number"], body["status"], body["department"], body["reply"]) == (
        number, "pending_dispatch", None, None)
    assert [step["status"] for step in body["history"]] == ["pending_dispatch"]
    assert client.get(f"{EVENTS}/CG-unknown", headers={"X-Api-Key": platform["api_key"]}).status_code == 404
    assert client.get(f"{EVENTS}/{EVENT['event_id']}").status_code == 401


def test_another_platforms_event_answers_as_an_unknown_one(client, admin, platform, operator):
    send(client, platform["api_key"], EVENT)
    other = {"X-Api-Key": issue(admin, "高新区数字城管平台")["api_key"]}
    foreign = client.get(f"{EVENTS}/{EVENT['event_id']}", headers=other)
    unknown = client.get(f"{EVENTS}/CG-unknown", headers=other)
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.text.replace(EVENT["event_id"], "CG-unknown") == unknown.text
    # a staff sign-in is no platform key
    assert client.get(f"{EVENTS}/{EVENT['event_id']}", headers=operator.headers).status_code == 401
    assert send(client, None, EVENT, **operator.headers).status_code == 401


def test_the_admin_list_counts_each_platforms_events(client, admin, platform):
    send(client, platform["api_key"], EVENT)
    send(client, platform["api_key"], EVENT)  # a resend is no second event
    send(client, platform["api_key"], {**EVENT, "event_id": "CG-2"})
    (listed,) = admin.get(SYSTEMS).json()
    assert (listed["events_filed"], listed["callbacks_failed"]) == (2, 0)
    assert listed["last_used_at"] is not None
    response = admin.client.patch(f"{SYSTEMS}/{platform['id']}", json={"callback_url": "https://cg.example/cb"},
                                  headers=admin.headers)
    assert response.status_code == 200 and response.json()["events_filed"] == 2
    assert admin.client.patch(f"{SYSTEMS}/999999", json={"callback_url": None},
                              headers=admin.headers).status_code == 404
