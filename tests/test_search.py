"""Ticket search through the API (GET /api/tickets/search), on whichever database the suite runs on."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select, update

from hotline.database import session_scope
from hotline.models import Ticket
from hotline.settings import TIME_ZONE
from tests.fixtures import CALL, department_id

LAMP = CALL  # 望江花园小区门口的路灯坏了…, 王建国, 13800138000, dispatched to 城管局 (0107)
WATER = {**CALL, "content": "幸福里小区三号楼停水两天了，物业说是管道爆裂，一直没人来修",
         "caller_name": "李秀英", "caller_phone": "13912345678", "address": "城关街道幸福里小区三号楼"}
SCHOOL = {**CALL, "content": "实验小学门口早上接送孩子的车辆乱停，堵得走不动，希望交警和学校管一管",
          "caller_name": "赵敏", "caller_phone": "13700001111", "address": "城关街道实验小学"}


def _search(api, **params):
    response = api.get("/api/tickets/search", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _numbers(api, **params) -> list[str]:
    return [t["number"] for t in _search(api, **params)["items"]]


@pytest.fixture
def county(operator) -> dict[str, str]:
    """Three calls: the lamp dispatched to 城管局 (0107), the water cut to 自来水公司 (0201, with 水利局 co-handling), the school undispatched."""
    numbers = {}
    for name, call, code in (("lamp", LAMP, "0107"), ("water", WATER, "0201"), ("school", SCHOOL, None)):
        response = operator.post("/api/tickets", json=call)
        assert response.status_code == 201, response.text
        numbers[name] = response.json()["number"]
        if code:
            assert operator.act(numbers[name], "dispatch", {"category_code": code}).status_code == 200
    return numbers


def test_free_text_finds_words_in_content_and_address(operator, county):
    assert _numbers(operator, q="停水") == [county["water"]]
    assert _numbers(operator, q="路灯 坏了") == [county["lamp"]]
    assert _numbers(operator, q="小区") == [county["water"], county["lamp"]]  # newest first
    assert _numbers(operator, q="幸福里三号楼") == [county["water"]]  # words of the address, run together
    assert _numbers(operator, q="路灯 停水") == []  # every word must occur
    assert _numbers(operator, q="地铁") == []


def test_phone_is_exact_and_accepts_full_width_and_spaces(operator, county):
    assert _numbers(operator, phone="13912345678") == [county["water"]]
    assert _numbers(operator, phone="１３９ １２３４ ５６７８") == [county["water"]]
    assert _numbers(operator, phone="+86 139-1234-5678") == [county["water"]]
    assert _numbers(operator, phone="13912345679") == []


def test_number_exact_or_from_its_start(operator, county):
    water = county["water"]
    assert _numbers(operator, number=water) == [water]
    full_width = water.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert _numbers(operator, number=full_width) == [water]
    assert _numbers(operator, number=water[:8]) == [county["school"], water, county["lamp"]]  # the day's
    assert _numbers(operator, number="19990101") == []


def test_unit_category_status_channel(operator, county):
    cgj, zls = department_id("cgj"), department_id("zls")
    assert _numbers(operator, unit=cgj) == [county["lamp"]]
    assert _numbers(operator, unit=zls) == [county["water"]]
    assert _numbers(operator, category="0201") == [county["water"]]
    assert _numbers(operator, status="received") == [county["school"]]
    assert _numbers(operator, status="pending_sign", q="小区") == [county["water"], county["lamp"]]
    assert _numbers(operator, channel="call_12345", unit=cgj) == [county["lamp"]]
    assert _numbers(operator, channel="web") == []


def test_received_dates_are_beijing_days(operator, county):
    # 2026-03-31 23:30 in Beijing is 15:30 UTC that day; 2026-04-01 00:10 in Beijing is 16:10 UTC on 03-31
    with session_scope() as session:
        for name, moment in (("lamp", datetime(2026, 3, 31, 23, 30, tzinfo=TIME_ZONE)),
                             ("water", datetime(2026, 4, 1, 0, 10, tzinfo=TIME_ZONE))):
            session.execute(update(Ticket).where(Ticket.number == county[name]).values(created_at=moment))
    assert _numbers(operator, received_from="2026-04-01", received_to="2026-04-30") == [county["water"]]
    assert _numbers(operator, received_from="2026-03-01", received_to="2026-03-31") == [county["lamp"]]
    assert _numbers(operator, received_to="2026-04-01") == [county["water"], county["lamp"]]
    assert _numbers(operator, unit=department_id("cgj"), received_from="2026-04-01", received_to="2026-04-30") == []


def test_pages_by_id_with_a_more_indicator(operator, county):
    first = _search(operator, q="城关街道", limit=2)
    assert [t["number"] for t in first["items"]] == [county["school"], county["water"]]
    assert first["has_more"] is True and first["next_before_id"] == first["items"][-1]["id"]
    second = _search(operator, q="城关街道", limit=2, before_id=first["next_before_id"])
    assert [t["number"] for t in second["items"]] == [county["lamp"]]
    assert second["has_more"] is False and second["next_before_id"] is None


def test_results_are_the_list_shape_with_masked_summaries(operator, county, login):
    listed = {t["number"]: t for t in operator.get("/api/tickets").json()}
    page = _search(operator, q="停水")
    assert page["items"] == [listed[county["water"]]]  # the same Struct as GET /api/tickets
    assert page["items"][0]["caller_phone"] == "13912345678"  # an operator sees the caller in full...
    assert page["summaries"] == {county["water"]: "幸福里小区三号楼停水两天了，物业说是管道爆裂，一直没人来修"}
    assert page["categories"] == {"0201": "供水"}
    audited = _search(login("auditor"), q="停水")["items"][0]
    assert audited["caller_phone"] == "139****5678" and audited["caller_name"] == "李**"  # ...the auditor masked


def test_summary_masks_the_callers_own_name_and_phone(operator):
    call = {**CALL, "content": "我叫王建国，电话13800138000，望江花园小区门口的路灯坏了"}
    number = operator.post("/api/tickets", json=call).json()["number"]
    summary = _search(operator, q="路灯")["summaries"][number]
    assert "王建国" not in summary and "13800138000" not in summary and "路灯坏了" in summary


def test_a_handler_finds_only_its_units_tickets(county, login):
    city = login("h_cgj")
    assert _numbers(city, q="小区") == [county["lamp"]]
    assert _numbers(city, phone="13912345678") == []  # another unit's caller: as if unknown
    assert _numbers(city, unit=department_id("cgj")) == [county["lamp"]]
    assert _numbers(login("h_slj"), q="小区") == [county["water"]]  # a co-handler finds it too
    refused = city.get("/api/tickets/search", params={"unit": department_id("zls")})
    assert refused.status_code == 403 and "本单位" in refused.json()["detail"]


def test_searches_leave_access_records_and_phone_searches_always(operator, county, login):
    auditor = login("auditor")

    def views(number: str) -> list[tuple[str, str]]:
        return [(r["staff"], r["view"]) for r in auditor.get("/api/audit/access", params={"ticket": number}).json()]

    _search(operator, q="停水")
    _search(login("commander"), phone="13912345678")
    _search(login("admin"), phone="13912345678")  # masked page, but it tells which tickets the number made
    _search(login("admin"), q="停水")  # masked page, no caller fields: no record
    # newest first; below them the operator's dispatch of the ticket (an action)
    assert views(county["water"]) == [("admin", "phone_search"), ("commander", "phone_search"),
                                      ("operator1", "search"), ("operator1", "action")]


@pytest.mark.parametrize(("params", "field", "words"), [
    ({}, "q", "请至少填写一个搜索条件"),
    ({"q": "   "}, "q", "请至少填写一个搜索条件"),
    ({"q": "的了，。！"}, "q", "没有可检索的字词"),
    ({"q": "路灯" * 26}, "q", "搜索内容过长（52 字）"),
    ({"q": "路灯坏了😡"}, "q", "表情符号"),
    ({"phone": "138001"}, "phone", "电话号码格式不正确"),
    ({"phone": "📞13800138000"}, "phone", "电话号码只能包含数字"),
    ({"number": "2026%"}, "number", "工单编号只能包含数字、字母和连字符"),
    ({"category": "9999"}, "category", "类别代码 9999 不存在"),
    ({"category": "01'07"}, "category", "不存在"),
    ({"unit": 999999}, "unit", "承办单位编号 999999 不存在"),
    ({"received_from": "2026-05-02", "received_to": "2026-05-01"}, "received_from", "开始日期晚于结束日期"),
])
def test_bad_input_is_refused_with_a_message_to_act_on(operator, params, field, words):
    response = operator.get("/api/tickets/search", params=params)
    assert response.status_code == 400, response.text
    assert words in response.json()["detail"]
    assert [e["field"] for e in response.json()["errors"]] == [field]


@pytest.mark.parametrize("params", [
    {"unit": "城管局"}, {"status": "lost"}, {"channel": "fax"}, {"received_from": "2026-13-01"},
    {"limit": 0}, {"limit": 101}, {"before_id": "x"}, {"q": "字" * 201},
])
def test_wrong_types_are_400(operator, params):
    assert operator.get("/api/tickets/search", params=params).status_code == 400


def test_signed_out_is_401(client):
    assert client.get("/api/tickets/search", params={"q": "路灯"}).status_code == 401


def test_words_follow_every_write_of_the_text(operator):
    """Intake fills the words; a direct edit of the text through the ORM refreshes them (and the SQLite index)."""
    number = operator.post("/api/tickets", json=CALL).json()["number"]
    with session_scope() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.number == number))
        ticket.content = "河堤旁边的垃圾堆了很久，臭味很大"
    assert _numbers(operator, q="垃圾") == [number]
    assert _numbers(operator, q="路灯") == []
    assert _numbers(operator, q="望江花园") == [number]  # the address is unchanged


def test_invisible_characters_are_dropped_not_searched(operator, county):
    assert _numbers(operator, q="路\u200b灯\x00") == [county["lamp"]]
    assert _numbers(operator, number=" \u3000" + county["lamp"] + "\u200b") == [county["lamp"]]


def test_a_word_search_past_the_newest_window_finds_the_older_tickets(operator, county, monkeypatch):
    """PostgreSQL looks at the newest WINDOW tickets first, then the older ones (hotline.search.fetch): the same
    answer as one query, here with a window of one ticket."""
    from hotline import search

    monkeypatch.setattr(search, "WINDOW", 1)
    assert _numbers(operator, q="小区") == [county["water"], county["lamp"]]
    first = _search(operator, q="城关街道", limit=1)
    assert [t["number"] for t in first["items"]] == [county["school"]] and first["has_more"] is True
    second = _search(operator, q="城关街道", limit=1, before_id=first["next_before_id"])
    assert [t["number"] for t in second["items"]] == [county["water"]] and second["has_more"] is True
    assert _numbers(operator, q="停水", limit=5) == [county["water"]]
