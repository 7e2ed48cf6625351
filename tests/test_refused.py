"""Every move the state machine refuses: 409 with the current state and the allowed next steps."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hotline.database import session_scope
from hotline.models import Ticket
from hotline.vocabulary import Role, Status
from hotline.workflow import TRANSITIONS, ActionForbidden, Actor, TransitionRefused, allowed_actions, apply
from tests.fixtures import CALL


def _ticket_in(status: Status, operator) -> str:
    number = operator.post("/api/tickets", json=CALL).json()["number"]
    with session_scope() as session:
        session.scalars(select(Ticket).where(Ticket.number == number)).one().status = status
    return number


PAIRS = [(status, action) for status in Status for action in TRANSITIONS
         if action != "receive" and status not in TRANSITIONS[action].sources]


@pytest.mark.parametrize(("status", "action"), PAIRS, ids=[f"{s.value}-{a}" for s, a in PAIRS])
def test_state_machine_refuses(status, action, operator):
    number = _ticket_in(status, operator)
    role = next(iter(TRANSITIONS[action].roles - {"citizen", "system"}), "system")
    with session_scope() as session:
        ticket = session.scalars(select(Ticket).where(Ticket.number == number)).one()
        with pytest.raises(TransitionRefused) as refused:
            apply(session, ticket, action, Actor(role=role, id=None))
        assert refused.value.status == status
        assert refused.value.allowed == allowed_actions(status)
        assert Status(status).label in refused.value.message


def test_role_outside_the_transition_is_forbidden(operator):
    number = _ticket_in(Status.PENDING_SIGN, operator)
    with session_scope() as session:
        ticket = session.scalars(select(Ticket).where(Ticket.number == number)).one()
        with pytest.raises(ActionForbidden):
            apply(session, ticket, "sign", Actor(role=Role.OPERATOR, id=None))


def test_refusal_over_http_names_state_and_next_steps(operator, login):
    number = operator.post("/api/tickets", json=CALL).json()["number"]
    handler = login("h_cgj")
    operator.act(number, "dispatch", {"category_code": "0107"})
    handler.act(number, "sign")
    response = handler.act(number, "sign")
    assert response.status_code == 409
    body = response.json()
    assert body["current_status"] == "in_progress"
    assert body["allowed_actions"] == ["request_extension", "wait_citizen", "reply", "note", "urge", "supervise",
                                       "escalate", "supervision_response"]
    assert "办理中" in body["detail"] and "签收" in body["detail"]


def test_terminal_states_allow_nothing_but_what_the_table_says():
    assert allowed_actions(Status.MERGED) == []
    assert allowed_actions(Status.TRANSFERRED) == []
    assert allowed_actions(Status.ARCHIVED) == []
