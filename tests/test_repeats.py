"""重复诉求: the same caller comes back about a problem answered before, weeks or months later, in other words.

The callers' sentences are written the way people ring back ("上次说修好了，现在又不亮了"); they share few
characters with the first call, so the expectations below do not follow from the text matcher. Each earlier ticket
is answered through the workflow on a frozen clock; the new call comes in at "now".
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from rq import SimpleWorker

from dispatch.policy import PolicyRules, publish
from hotline import clock
from hotline.database import session_scope
from hotline.jobs import get_queue
from tests.fixtures import CALL, reference_tables_restored

STREETLIGHT = "望江花园小区门口的路灯坏了一个多星期，晚上黑漆漆的，老人出门很不安全，请尽快来修。"
STREETLIGHT_AGAIN = "上个月我就打过电话说望江花园门口路灯不亮，你们说修好了，结果这几天晚上又不亮了，黑灯瞎火的。"
WAGES = "我在县城工地干了三个月活，包工头一直拖着工资不给，一共一万二，找他就说没钱。"
WAGES_AGAIN = "还是那个包工头欠我工资的事，上回说帮我协调，到现在一分钱没拿到，过年回家都没钱了。"
RUBBISH = "望江花园小区里面的垃圾桶满了好几天没人清运，臭气熏天，苍蝇到处飞。"


def _work() -> None:
    queue = get_queue()
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


def _call(operator, phone: str, content: str) -> str:
    response = operator.post("/api/tickets", json={**CALL, "caller_phone": phone, "content": content})
    assert response.status_code == 201, response.text
    return response.json()["number"]


def _answered(operator, login, phone: str, content: str, category: str, days_ago: int) -> str:
    """A call dispatched, signed and answered `days_ago` days before now."""
    with clock.frozen(clock.now() - timedelta(days=days_ago)):
        number = _call(operator, phone, content)
        assert operator.act(number, "dispatch", {"category_code": category}).status_code == 200
        handler = login("h_cgj" if category == "0107" else "h_rsj")
        assert handler.act(number, "sign").status_code == 200
        assert handler.act(number, "reply", {"reply": "已处理"}).status_code == 200
    return number


def _routed(operator, phone: str, content: str) -> dict:
    number = _call(operator, phone, content)
    operator.act(number, "submit")
    _work()
    ticket = operator.get(f"/api/tickets/{number}").json()
    return {"ticket": ticket, "events": {e["action"]: e for e in ticket["events"]}}


@pytest.fixture(autouse=True)
def _units_exist(login):
    handlers = {s["username"] for s in login("admin").get("/api/admin/staff").json()}
    assert {"h_cgj", "h_rsj"} <= handlers, "the demo county's 城管 and 人社 handlers are needed here"


def test_a_streetlight_that_went_out_again_a_month_later_is_a_repeat_for_a_person(operator, login):
    earlier = _answered(operator, login, "13900000071", STREETLIGHT, "0107", days_ago=35)
    routed = _routed(operator, "13900000071", STREETLIGHT_AGAIN)
    flag = routed["events"]["flag_repeat"]["data"]
    assert flag["earlier_number"] == earlier and flag["same_category"] is True and flag["days_since_closed"] == 35
    assert routed["ticket"]["status"] == "pending_dispatch"  # reopen the old one or dispatch anew: a person says
    assert "重复诉求：来电人此前反映过同类问题" in routed["events"]["manual_review"]["data"]["reasons"]


def test_unpaid_wages_asked_again_after_two_months_is_a_repeat(operator, login):
    earlier = _answered(operator, login, "13900000072", WAGES, "0701", days_ago=60)
    routed = _routed(operator, "13900000072", WAGES_AGAIN)
    assert routed["events"]["flag_repeat"]["data"]["earlier_number"] == earlier


def test_the_same_caller_about_another_problem_at_the_same_place_is_not_a_repeat(operator, login):
    _answered(operator, login, "13900000073", STREETLIGHT, "0107", days_ago=20)
    assert "flag_repeat" not in _routed(operator, "13900000073", RUBBISH)["events"]


def test_another_caller_about_the_same_problem_is_not_a_repeat(operator, login):
    _answered(operator, login, "13900000074", STREETLIGHT, "0107", days_ago=20)
    assert "flag_repeat" not in _routed(operator, "13900000075", STREETLIGHT_AGAIN)["events"]


def test_the_window_is_the_countys_ninety_days_unless_it_says_otherwise(operator, login):
    with reference_tables_restored():
        _answered(operator, login, "13900000076", STREETLIGHT, "0107", days_ago=100)
        assert "flag_repeat" not in _routed(operator, "13900000076", STREETLIGHT_AGAIN)["events"]
        with session_scope() as session:
            publish(session, PolicyRules(repeat_window_days=180), created_by=None)
        assert "flag_repeat" in _routed(operator, "13900000076", STREETLIGHT_AGAIN)["events"]


def test_an_earlier_ticket_still_open_is_not_a_repeat_but_an_earlier_call(operator):
    first = _call(operator, "13900000077", STREETLIGHT)
    routed = _routed(operator, "13900000077", STREETLIGHT_AGAIN)
    assert "flag_repeat" not in routed["events"]
    assert routed["events"]["classify"]["data"]["repeat_caller"] == [first]


def test_the_operator_hears_of_it_while_the_caller_is_on_the_line(operator, login):
    earlier = _answered(operator, login, "13900000078", STREETLIGHT, "0107", days_ago=40)
    hints = operator.post("/api/classifier/suggest", json={"text": STREETLIGHT_AGAIN, "phone": "13900000078"})
    assert hints.status_code == 200
    assert hints.json()["repeat_of"]["earlier_number"] == earlier
    other = operator.post("/api/classifier/suggest", json={"text": STREETLIGHT_AGAIN, "phone": "13900000079"})
    assert other.json()["repeat_of"] is None


def test_a_repeat_counts_in_the_duplicate_rate(operator, login, commander):
    """重复件率: of three calls received today, one is the caller back about last month's streetlight."""
    _answered(operator, login, "13900000080", STREETLIGHT, "0107", days_ago=35)
    _routed(operator, "13900000080", STREETLIGHT_AGAIN)
    _routed(operator, "13900000081", RUBBISH)
    _routed(operator, "13900000082", WAGES)
    today = clock.local(clock.now()).date()  # the county's day
    period = {"start": today.isoformat(), "end": (today + timedelta(days=1)).isoformat()}
    measures = commander.get("/api/measures", params=period).json()
    assert measures["received"] == 3 and measures["repeated"] == 1
    assert measures["duplicate_rate"] == 0.3333  # rates are given to four places
