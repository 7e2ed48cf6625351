"""Public intake without an account, attacked over real HTTP: a flood of letters from one address, a second
letter from one phone, receipt SMS to one phone, and a block-listed phone.

Written down before the code: from one client address at most 10 letters an hour (THROTTLE_LETTERS_PER_ADDRESS),
then 429 with a Chinese sentence naming the wait; a second letter from one phone within 10 minutes is refused
(429, THROTTLE_LETTERS_PER_PHONE), not merged; at most 3 receipt SMS an hour to one phone whatever the channel,
while the tickets' own later notices are all sent; a phone an admin put on the block list gets a 403 that does
not mention the list, and the refusal is logged with the phone masked.
"""

from __future__ import annotations

import logging

import httpx
import pytest
from sqlalchemy import select

from hotline.database import session_scope
from hotline.models import Notification
from tests.fixtures import CALL
from tests.hostile.conftest import login

LETTER = {"title": "反映噪音问题", "content": "夜间施工噪音太大，影响休息。", "township": "城关街道"}


def _letter(base: str, phone: str, **headers: str) -> httpx.Response:
    return httpx.post(f"{base}/api/public/letters", json={**LETTER, "phone": phone}, headers=headers, timeout=30)


def _texts(phone: str, template: str) -> int:
    with session_scope() as session:
        return len(session.scalars(select(Notification.id).where(
            Notification.phone == phone, Notification.template == template)).all())


def test_fifteen_letters_from_one_address_are_not_fifteen_sms(live_server):
    """Old main: 15 of 15 accepted, 15 receipts."""
    phones = [f"1390000{n:04d}" for n in range(15)]
    answers = [_letter(live_server, phone) for phone in phones]
    codes = [a.status_code for a in answers]
    assert codes == [201] * 10 + [429] * 5, codes
    refused = answers[-1]
    assert "提交过于频繁" in refused.json()["detail"] and "分钟后再试" in refused.json()["detail"]
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    assert sum(_texts(phone, "receipt") for phone in phones) == 10


def test_a_second_letter_from_one_phone_is_refused_with_a_sentence(live_server):
    """Old main: both accepted, two receipts to the phone."""
    first = _letter(live_server, "13911112222")
    assert first.status_code == 201, first.text
    second = _letter(live_server, "139-1111-2222")  # the same phone, written another way
    assert second.status_code == 429
    detail = second.json()["detail"]
    assert "该手机号刚刚提交过诉求" in detail and "分钟后再试" in detail and "补充" in detail
    assert 0 < int(second.headers["Retry-After"]) <= 600
    assert _texts("13911112222", "receipt") == 1


def test_an_unknown_place_does_not_use_up_the_phone(live_server):
    """A letter refused for its content is not counted against the phone: the citizen corrects it at once."""
    wrong = httpx.post(f"{live_server}/api/public/letters",
                       json={**LETTER, "phone": "13922223333", "township": "不存在镇"}, timeout=30)
    assert wrong.status_code == 400
    assert _letter(live_server, "13922223333").status_code == 201


def test_receipts_to_one_phone_are_capped_but_its_tickets_notices_are_not(live_server, tokens):
    """Four calls from one phone in an hour: three receipt SMS; each ticket's dispatch notice still goes out.
    Old main: four receipts."""
    phone = "13633334444"
    numbers = []
    for _ in range(4):
        answer = httpx.post(f"{live_server}/api/tickets", json={**CALL, "caller_phone": phone},
                            headers=tokens["operator1"], timeout=30)
        assert answer.status_code == 201, answer.text
        assert answer.json()["query_code"]  # the operator reads it out: the receipt is on the screen
        numbers.append(answer.json()["number"])
    assert _texts(phone, "receipt") == 3
    departments = {d["code"]: d["id"] for d in httpx.get(f"{live_server}/api/departments",
                                                         headers=tokens["operator1"]).json()}
    for number in numbers:
        done = httpx.post(f"{live_server}/api/tickets/{number}/dispatch", json={"department_id": departments["cgj"]},
                          headers=tokens["operator1"], timeout=30)
        assert done.status_code == 200, done.text
    assert _texts(phone, "dispatched") == 4


@pytest.fixture
def admin(live_server) -> dict[str, str]:
    return login(live_server, "admin")


def test_a_blocked_phone_is_refused_neutrally_and_logged_masked(live_server, admin, tokens, caplog):
    """Old main: no block list (the admin API answers 404) and the letter is accepted."""
    base = f"{live_server}/api/admin/blocked-phones"
    added = httpx.post(base + "/", json={"phone": "+86 139-0000-7777", "reason": "一天内恶意留言 30 次"}, headers=admin)
    assert added.status_code == 201, added.text
    assert added.json()["phone"] == "13900007777" and added.json()["reason"] == "一天内恶意留言 30 次"
    assert httpx.post(base + "/", json={"phone": "13900007777", "reason": "again"}, headers=admin).status_code == 409
    assert httpx.post(base + "/", json={"phone": "12", "reason": "x"}, headers=admin).status_code == 400
    assert httpx.post(base + "/", json={"phone": "13900007778", "reason": " "}, headers=admin).status_code == 400
    assert httpx.get(base + "/", headers=tokens["operator1"]).status_code == 403
    listed = httpx.get(base + "/", headers=admin).json()
    assert [entry["phone"] for entry in listed] == ["13900007777"]

    with caplog.at_level(logging.INFO):
        refused = _letter(live_server, "13900007777")
    assert refused.status_code == 403
    detail = refused.json()["detail"]
    assert "12345" in detail and not any(word in detail for word in ("黑名单", "屏蔽", "拉黑", "恶意"))
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "139****7777" in logged and "13900007777" not in logged
    assert _texts("13900007777", "receipt") == 0

    assert httpx.delete(f"{base}/{added.json()['id']}", headers=admin).status_code == 200
    assert _letter(live_server, "13900007777").status_code == 201
    assert httpx.get(base + "/", headers=admin).json() == []
