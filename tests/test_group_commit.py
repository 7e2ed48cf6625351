"""Group commit: intakes that arrive together share a commit, and one bad ticket never fails the others."""

from __future__ import annotations

import asyncio

import msgspec
import pytest
from sqlalchemy import event, func, select

from hotline import intake
from hotline.accounts import actor_of
from hotline.database import get_engine, session_scope
from hotline.group_commit import GroupCommit
from hotline.jobs import get_queue
from hotline.models import Notification, Staff, Ticket, TicketEvent
from hotline.schemas import CallCreate
from tests.fixtures import CALL


@pytest.fixture
def operator_actor():
    with session_scope() as session:
        return actor_of(session.scalars(select(Staff).where(Staff.username == "operator1")).one())


@pytest.fixture
def commits():
    """How many transactions reached the database: the thing group commit saves."""
    counted = []

    def count(_connection) -> None:
        counted.append(1)

    event.listen(get_engine(), "commit", count)
    yield counted
    event.remove(get_engine(), "commit", count)


def _call(**changes) -> CallCreate:
    return msgspec.convert({**CALL, **changes}, CallCreate)


def _submit_together(actor, calls: list[CallCreate]) -> list[Ticket | BaseException]:
    async def run() -> list[Ticket | BaseException]:
        group = GroupCommit()
        await group.start()
        try:
            return await asyncio.gather(
                *(group.submit(lambda session, c=call: intake.prepare_call(session, c, actor)) for call in calls),
                return_exceptions=True)
        finally:
            await group.stop()

    return asyncio.run(run())


def _stored(number: str) -> tuple[Ticket, list[str]]:
    with session_scope() as session:
        ticket = session.scalars(select(Ticket).where(Ticket.number == number)).one()
        return ticket, list(session.scalars(select(TicketEvent.action).where(TicketEvent.ticket_id == ticket.id)))


def test_calls_arriving_together_are_stored_in_one_commit(app, operator_actor, commits):
    calls = [_call(content=f"第{i}号路灯不亮了，晚上很黑😟", caller_phone=f"1380013{i:04d}") for i in range(20)]
    answers = _submit_together(operator_actor, calls)
    assert all(isinstance(answer, Ticket) for answer in answers), answers
    assert len(commits) == 1
    numbers = [answer.number for answer in answers]
    assert len(set(numbers)) == 20 and numbers == sorted(numbers)  # numbered in the order they arrived
    for call, answer in zip(calls, answers, strict=True):
        ticket, actions = _stored(answer.number)
        assert ticket.content == call.content and ticket.caller_phone == call.caller_phone
        assert ticket.query_code == answer.query_code
        assert actions == ["receive"]
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Ticket)) == 20
        receipts = dict(session.execute(select(Notification.phone, Notification.text)
                                        .where(Notification.template == "receipt")).all())
        ids = sorted(session.scalars(select(Ticket.id)))
        receipt_ids = sorted(session.scalars(select(Notification.id)))
    for call, answer in zip(calls, answers, strict=True):  # each SMS receipt carries its own ticket's number
        assert answer.number in receipts[call.caller_phone] and answer.query_code in receipts[call.caller_phone]
    # the batch hands its workers one routing job and one sending job (the app registered routing), not 40
    handed_over = {job.func_name: sorted(job.args) for job in get_queue().jobs}
    assert handed_over == {"dispatch.jobs.route": ids, "hotline.jobs.send_notifications": receipt_ids}


def test_a_refused_call_in_a_batch_is_refused_alone(operator_actor, commits):
    earlier = _submit_together(operator_actor, [_call(idempotency_key="call-before-0001")])[0]
    commits.clear()
    answers = _submit_together(operator_actor, [
        _call(content="其一"), _call(township="火星街道", village=None), _call(idempotency_key="call-before-0001"),
        _call(content="其二"),
    ])
    assert len(commits) == 1
    assert isinstance(answers[1], intake.UnknownPlace) and "火星街道" in str(answers[1])
    assert isinstance(answers[2], intake.DuplicateSubmission) and answers[2].number == earlier.number
    assert [_stored(answers[i].number)[0].content for i in (0, 3)] == ["其一", "其二"]


def test_a_batch_the_database_refuses_is_written_one_by_one(operator_actor):
    """Two calls with the same new key in one batch: the flush fails, so each is written on its own."""
    answers = _submit_together(operator_actor, [
        _call(content="甲", idempotency_key="same-key-in-batch"), _call(content="乙"),
        _call(content="丙", idempotency_key="same-key-in-batch"),
    ])
    first, second, third = answers
    assert isinstance(first, Ticket) and isinstance(second, Ticket)
    assert isinstance(third, intake.DuplicateSubmission) and third.number == first.number
    assert _stored(first.number)[0].content == "甲" and _stored(second.number)[0].content == "乙"
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Ticket)) == 2


def test_a_lone_call_is_stored_as_before(operator_actor, commits):
    [answer] = _submit_together(operator_actor, [_call()])
    assert isinstance(answer, Ticket)
    assert len(commits) == 1
    assert _stored(answer.number)[1] == ["receive"]
