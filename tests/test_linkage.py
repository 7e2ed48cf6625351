"""Emergency linkage (联动): a 转警 alerts the line's 联动 desk, and the line can hand a non-police matter back
(非警务), which returns the ticket to a person for dispatch and tells the citizen.

Through the API, the outbox rows and a real RQ worker. The expected texts are written out by hand from the
templates' wording as a citizen and a 110 desk should read them.
"""

from __future__ import annotations

from datetime import datetime

import msgspec
import pytest
from rq import SimpleWorker
from sqlalchemy import select

from dispatch.policy import PolicyRules, publish
from hotline import clock
from hotline.database import session_scope
from hotline.jobs import get_queue
from hotline.models import Notification, Ticket, TicketEvent
from hotline.notify import LogSender, set_sender
from hotline.settings import TIME_ZONE
from tests.fixtures import CALL, reference_tables_restored

MONDAY_10 = datetime(2026, 11, 16, 10, 0, tzinfo=TIME_ZONE)
NOT_POLICE = "经110民警现场核实，系邻里装修噪音纠纷，不属于警务事项"


@pytest.fixture(autouse=True)
def sender():
    sent = LogSender()
    set_sender(sent)
    yield sent
    set_sender(None)


def _run_worker() -> None:
    queue = get_queue()
    for job in queue.jobs:
        if job.func_name == "dispatch.jobs.route":
            job.delete()
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


def _transferred(operator, phone: str = "13900000061", line: str = "110") -> str:
    with clock.frozen(MONDAY_10):
        response = operator.post("/api/tickets", json={**CALL, "caller_phone": phone, "content": "楼上一直在砸东西，像是打起来了",
                                                       "address": "城关镇望江花园3栋"})
        assert response.status_code == 201, response.text
        number = response.json()["number"]
        assert operator.act(number, "transfer", {"line": line}).status_code == 200
    return number


def _ticket(number: str) -> Ticket:
    with session_scope() as session:
        return session.scalars(select(Ticket).where(Ticket.number == number)).one()


def _templates(number: str) -> list[str]:
    with session_scope() as session:
        ticket_id = session.scalars(select(Ticket.id).where(Ticket.number == number)).one()
        return list(session.scalars(select(Notification.template).where(Notification.ticket_id == ticket_id)
                                    .order_by(Notification.id)))


def test_a_transfer_texts_the_lines_desk_with_what_where_and_the_callers_number(operator, sender):
    with reference_tables_restored():
        with session_scope() as session:
            publish(session, PolicyRules(linkage_phones={"110": "0751-8110110"}), created_by=None)
        number = _transferred(operator)
        _run_worker()
        assert ("0751-8110110", f"【12345转警】工单 {number}：楼上一直在砸东西，像是打起来了。地点：城关镇望江花园3栋。"
                                "来电人 13900000061。请联动处置；非警务事项请退回12345。") in sender.sent


def test_without_a_desk_number_only_the_citizen_is_texted(operator):
    number = _transferred(operator, "13900000062")
    assert _templates(number)[-1] == "transferred" and "staff_linkage" not in _templates(number)


def test_a_desk_number_that_is_not_a_number_is_refused_in_chinese(login):
    admin = login("admin")
    rules = msgspec.to_builtins(PolicyRules())
    response = admin.post("/api/admin/policy", json={**rules, "linkage_phones": {"110": "派出所值班室"}})
    assert response.status_code == 400 and "110 的联动电话应为" in response.json()["detail"]
    response = admin.post("/api/admin/policy", json={**rules, "linkage_phones": {"911": "110"}})
    assert response.status_code == 400 and "未知的紧急线路：911" in response.json()["detail"]
    assert admin.get("/api/admin/policy").json()["version"] == 1


def test_the_line_hands_back_a_non_police_matter_to_a_person(operator, login, sender):
    number = _transferred(operator, "13900000063")
    with clock.frozen(MONDAY_10.replace(hour=11)):
        response = operator.post(f"/api/tickets/{number}/hand-back", json={"reason": NOT_POLICE})
        assert response.status_code == 200, response.text
        _run_worker()
    body = response.json()
    assert body["status"] == "pending_dispatch" and body["transferred_to"] is None
    assert ("13900000063", f"您反映的问题（工单 {number}）经110报警服务台核实不属于其处置范围，已转回12345热线，"
                           "我们将尽快转交相关单位办理。") in sender.sent
    with session_scope() as session:
        event = session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == _ticket(number).id)
                                .order_by(TicketEvent.id.desc())).first()
        assert (event.action, event.from_status, event.to_status) == ("hand_back", "transferred", "pending_dispatch")
        assert event.data == {"line": "110", "reason": NOT_POLICE} and event.note == NOT_POLICE
    # a person dispatches it now, as any ticket waiting for dispatch
    assert operator.act(number, "dispatch", {"category_code": "0107"}).status_code == 200
    # and a second hand-back of the same transfer is a conflict, not a second message
    again = operator.post(f"/api/tickets/{number}/hand-back", json={"reason": NOT_POLICE})
    assert again.status_code == 409
    assert _templates(number).count("handed_back") == 1


def test_a_hand_back_needs_a_reason_a_transferred_ticket_and_a_hotline_role(operator, login):
    number = _transferred(operator, "13900000064")
    assert operator.post(f"/api/tickets/{number}/hand-back", json={"reason": "   "}).status_code == 400
    assert operator.post(f"/api/tickets/{number}/hand-back", json={}).status_code == 400
    assert operator.post(f"/api/tickets/{number}/hand-back", json={"reason": 110}).status_code == 400
    assert login("h_cgj").post(f"/api/tickets/{number}/hand-back", json={"reason": NOT_POLICE}).status_code == 403
    assert login("auditor").post(f"/api/tickets/{number}/hand-back", json={"reason": NOT_POLICE}).status_code == 403
    unknown = operator.post("/api/tickets/2026010199999/hand-back", json={"reason": NOT_POLICE})
    assert unknown.status_code == 404
    assert _ticket(number).status == "transferred"  # nothing half-written by the refusals

    with clock.frozen(MONDAY_10):
        fresh = operator.post("/api/tickets", json={**CALL, "caller_phone": "13900000065"}).json()["number"]
    refused = operator.post(f"/api/tickets/{fresh}/hand-back", json={"reason": NOT_POLICE})
    assert refused.status_code == 409 and "联动退回" in refused.text


def test_an_emoji_and_full_width_reason_is_kept_as_written(operator):
    number = _transferred(operator, "13900000066")
    reason = "１２０核实：老人只是低血糖，已清醒😊，不需送医；请社区跟进"
    assert operator.post(f"/api/tickets/{number}/hand-back", json={"reason": reason}).status_code == 200
    detail = operator.get(f"/api/tickets/{number}").json()
    assert detail["events"][-1]["note"] == reason


def test_the_citizen_sees_it_came_back_but_not_the_lines_reason(operator, client):
    with clock.frozen(MONDAY_10):
        receipt = operator.post("/api/tickets", json={**CALL, "caller_phone": "13900000067"}).json()
        operator.act(receipt["number"], "transfer", {"line": "120"})
    operator.post(f"/api/tickets/{receipt['number']}/hand-back", json={"reason": NOT_POLICE})
    page = client.post("/api/public/lookup", json={"number": receipt["number"], "query_code": receipt["query_code"]})
    texts = [event["text"] for event in page.json()["timeline"]]
    assert texts[-2:] == ["已转 120 紧急处置", "经 120 核实不属于其处置范围，已转回12345热线办理"]
    assert NOT_POLICE not in page.text
