"""Routing on real text through a real RQ worker: sure tickets dispatch themselves, unsure ones wait for a
person, emergencies and likely duplicates are flagged, and people's corrections feed the next model."""

from __future__ import annotations

import shutil

import pytest
from rq import SimpleWorker
from sqlalchemy import func, select

from dispatch import routing
from dispatch.models import RoutingCorrection
from hotline.database import session_scope
from hotline.jobs import get_queue
from tests.fixtures import CALL

LETTER = {"phone": "13700137000", "channel": "mailbox", "township": "城关街道"}
STREETLIGHT = "望江花园小区门口的路灯坏了一个多星期，晚上黑漆漆的，老人出门很不安全，请城管尽快来修。"


def _work() -> None:
    queue = get_queue()
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


def _letter(client, content: str, title: str = "反映问题", **extra) -> str:
    response = client.post("/api/public/letters", json={**LETTER, "title": title, "content": content, **extra})
    assert response.status_code == 201, response.text
    return response.json()["number"]


def _events(api, number: str) -> dict[str, dict]:
    return {e["action"]: e for e in api.get(f"/api/tickets/{number}").json()["events"]}


def test_a_clear_letter_is_dispatched_by_the_catalogue_within_one_job(client, commander):
    number = _letter(client, STREETLIGHT)
    _work()
    ticket = commander.get(f"/api/tickets/{number}").json()
    assert ticket["status"] == "pending_sign"
    assert ticket["lead_department"]["name"] == "县城市管理和综合执法局"
    assert ticket["category_code"] == ticket["suggested_category"] == "0107"
    events = _events(commander, number)
    classified = events["classify"]["data"]
    assert classified["confident"] is True and classified["top"][0]["name"] == "路灯照明"
    assert len(classified["top"]) == 3 and "路灯" in classified["evidence"]
    assert classified["model_version"] and events["dispatch"]["actor_role"] == "system"


def test_an_unsure_letter_goes_to_the_manual_queue_with_the_reason(client, commander):
    number = _letter(client, "你好，我想问一下上次说的那个事情现在怎么样了，麻烦帮我看一下。", title="询问")
    _work()
    ticket = commander.get(f"/api/tickets/{number}").json()
    assert ticket["status"] == "pending_dispatch" and ticket["manual_review"] is True
    reasons = _events(commander, number)["manual_review"]["data"]["reasons"]
    assert any("置信度" in reason for reason in reasons)
    queue = commander.get("/api/queues/manual-dispatch").json()
    assert queue[0]["number"] == number and queue[0]["manual_review"] is True


def test_an_emergency_is_flagged_for_transfer_not_dispatched(client, commander):
    number = _letter(client, "快来人啊，我家楼下三楼着火了，冒着黑烟，里面好像还有老人！", title="着火")
    _work()
    ticket = commander.get(f"/api/tickets/{number}").json()
    assert ticket["emergency_kind"] == "fire" and ticket["status"] == "pending_dispatch"
    flag = _events(commander, number)["flag_emergency"]["data"]
    assert flag["line"] == "119" and flag["evidence"]
    assert commander.act(number, "transfer", {"line": "119"}).json()["status"] == "transferred"


def test_a_likely_duplicate_is_proposed_for_merging(client, commander):
    first = _letter(client, STREETLIGHT)
    _work()
    second = _letter(client, "望江花园小区门口路灯坏了一个多星期了，晚上很黑老人出门不安全，请尽快修。",
                     phone="13900139000")
    _work()
    proposal = _events(commander, second)["propose_merge"]["data"]["candidates"]
    assert proposal[0]["number"] == first and proposal[0]["score"] >= routing.DUPLICATE_THRESHOLD
    assert commander.get(f"/api/tickets/{second}").json()["status"] == "pending_dispatch"  # a person decides
    assert commander.act(second, "merge", {"parent_number": first}).json()["status"] == "merged"


def test_an_unrelated_letter_is_not_proposed_as_duplicate(client, commander):
    _letter(client, STREETLIGHT)
    _work()
    other = _letter(client, "县一中今年高一新生报名要交资料费三百元，这个收费有没有依据？", title="学校收费",
                    phone="13900139001")  # another citizen: one phone's second letter in 10 minutes is refused
    _work()
    assert "propose_merge" not in _events(commander, other)


def test_a_call_is_suggested_while_on_the_line_and_routed_once_submitted(operator, commander):
    number = operator.post("/api/tickets", json={**CALL, "content": STREETLIGHT}).json()["number"]
    _work()
    ticket = operator.get(f"/api/tickets/{number}").json()
    assert ticket["status"] == "received" and ticket["suggested_category"] == "0107"
    operator.act(number, "submit")
    _work()
    assert commander.get(f"/api/tickets/{number}").json()["status"] == "pending_sign"


def test_repeat_callers_are_flagged(operator):
    first = operator.post("/api/tickets", json={**CALL, "content": STREETLIGHT}).json()["number"]
    second = operator.post("/api/tickets", json={**CALL, "content": "上次反映的路灯还没修好"}).json()["number"]
    _work()
    assert _events(operator, second)["classify"]["data"]["repeat_caller"] == [first]


def test_suggest_endpoint_for_the_operator_console(operator):
    earlier = operator.post("/api/tickets", json={**CALL, "content": STREETLIGHT}).json()["number"]
    _work()
    response = operator.post("/api/classifier/suggest", json={"text": STREETLIGHT, "township": "城关街道",
                                                              "phone": "138 0013 8000"})
    assert response.status_code == 200
    body = response.json()
    assert body["suggestion"]["department"] == "县城市管理和综合执法局"
    assert body["suggestion"]["top"][0]["code"] == "0107"
    assert body["similar_open"][0]["number"] == earlier
    assert body["earlier_tickets"] == [earlier]
    assert body["emergency"] is None
    assert operator.post("/api/classifier/suggest", json={"text": "  "}).status_code == 400


def test_people_correcting_the_category_leave_training_examples(operator, commander):
    number = operator.post("/api/tickets", json={**CALL, "content": STREETLIGHT}).json()["number"]
    _work()
    assert operator.act(number, "category", {"category_code": "0106"}).status_code == 200
    assert operator.act(number, "category", {"category_code": "9999"}).status_code == 400
    response = operator.act(number, "dispatch", {"category_code": "0106"})
    assert response.json()["lead_department"]["name"] == "县交通运输局"
    with session_scope() as session:
        rows = session.execute(select(RoutingCorrection.predicted, RoutingCorrection.corrected)).all()
    assert rows == [("0107", "0106"), ("0107", "0106")]


@pytest.fixture
def private_store(tmp_path, monkeypatch):
    """A copy of the promoted model, so retraining here leaves the other tests' model alone."""
    from classifier.store import ModelStore

    shutil.copytree(routing.get_store().root, tmp_path / "models")
    store = ModelStore(tmp_path / "models", check_interval=0)
    monkeypatch.setattr(routing, "get_store", lambda: store)
    return store


def _add_corrections(texts_and_labels: list[tuple[str, str]]) -> None:
    with session_scope() as session:
        session.add_all(RoutingCorrection(text=t, predicted=None, corrected=label) for t, label in texts_and_labels)


def test_retrain_promotes_a_model_that_does_no_worse_and_the_app_picks_it_up(private_store, operator):
    from dispatch.jobs import retrain_model

    before = private_store.current_version()
    _add_corrections([("小区门口那盏灯一到晚上就闪，闪得人眼花", "0107"), ("桥头那边的灯杆歪了快倒了", "0107")])
    result = retrain_model()
    assert result["promoted"] is True, result
    assert private_store.current_version() == result["candidate"] != before
    suggestion = operator.post("/api/classifier/suggest", json={"text": STREETLIGHT}).json()["suggestion"]
    assert suggestion["model_version"] == result["candidate"]  # no restart needed


def test_retrain_refuses_a_model_that_got_worse(private_store):
    from classifier.dataset import load_corpus
    from dispatch.jobs import retrain_model

    before = private_store.current_version()
    poisoned = [(example.text, "1603") for example in load_corpus()[:4000]]  # everything labelled 表扬感谢
    _add_corrections(poisoned)
    result = retrain_model()
    assert result["promoted"] is False and result["reason"]
    assert private_store.current_version() == before
    with session_scope() as session:
        assert session.scalar(select(func.count(RoutingCorrection.id))) == 4000


def test_reconciler_reruns_routing_and_sending_that_never_happened(client, commander, monkeypatch, daytime):
    from datetime import timedelta

    import redis as redis_lib

    from dispatch.jobs import reconcile
    from hotline import clock, jobs
    from hotline.notify import LogSender, set_sender

    def redis_down(*_args, **_kwargs):
        raise redis_lib.ConnectionError("Redis is down")

    monkeypatch.setattr(jobs.get_queue(), "enqueue_many", redis_down)
    number = _letter(client, STREETLIGHT)  # stored, but no job reached a worker
    monkeypatch.undo()
    assert get_queue().count == 0
    sender = LogSender()
    set_sender(sender)
    try:
        early = reconcile()  # the receipt is due at once; routing is given two minutes of grace
        assert "dispatched" not in early and early["notifications_sent"] == 1
        assert commander.get(f"/api/tickets/{number}").json()["status"] == "pending_dispatch"
        with clock.frozen(clock.now() + timedelta(minutes=3)):
            outcome = reconcile()
    finally:
        set_sender(None)
    assert outcome["dispatched"] == 1
    assert commander.get(f"/api/tickets/{number}").json()["status"] == "pending_sign"
    assert "已受理" in sender.sent[0][1]


def test_one_routing_job_routes_every_ticket_of_a_batch_and_a_missing_one_stops_none(client, commander):
    from dispatch.jobs import route
    from hotline.models import Ticket

    numbers = [_letter(client, STREETLIGHT + f"（第{i}次反映）", phone=f"1390013900{i}") for i in range(3)]  # 3 phones
    get_queue().empty()  # the jobs the letters handed over: this test runs the job itself
    with session_scope() as session:
        ids = list(session.scalars(select(Ticket.id).where(Ticket.number.in_(numbers))))
    # each looks like a repeat of the others, so a person decides; the unknown id is reported and skipped
    assert route(*ids, 10**9) == {"manual": 3, "missing": 1}
    for number in numbers:
        assert {"classify", "propose_merge", "manual_review"} <= set(_events(commander, number))
    assert route(*ids) == {"manual": 3}  # routed twice changes nothing
    assert [list(_events(commander, n)).count("manual_review") for n in numbers] == [1, 1, 1]
