"""Every move the state machine refuses, against a table written from the life cycle in DESIGN.md.

The table below is the expectation, written by hand: for each status, what each kind of person may do next.
Every other move a role could make is refused with the current state and that role's own next steps. The pure
part needs no database: the state machine works on a ticket object, the transaction is the caller's.
"""

from __future__ import annotations

import pytest

from hotline.models import Ticket
from hotline.vocabulary import Action, Status
from hotline.workflow import ActionForbidden, Actor, TransitionRefused, allowed_actions, apply

pytestmark = pytest.mark.pure

OPERATOR, HANDLER, COMMANDER, CITIZEN, LEADER = "operator", "handler", "commander", "citizen", "leader"
PEOPLE = (OPERATOR, HANDLER, COMMANDER, CITIZEN, LEADER)
BEFORE_DISPATCH = {"answer", "transfer", "dispatch", "merge", "note", "correct_category"}
SUPERVISING = {"urge", "supervise", "escalate"}

EXPECTED: dict[Status, dict[str, set[str]]] = {
    Status.RECEIVED: {OPERATOR: {"submit"} | BEFORE_DISPATCH, COMMANDER: BEFORE_DISPATCH, HANDLER: {"note"},
                      CITIZEN: {"submit"}},
    Status.PENDING_DISPATCH: {OPERATOR: BEFORE_DISPATCH, COMMANDER: BEFORE_DISPATCH, HANDLER: {"note"}},
    Status.PENDING_SIGN: {OPERATOR: {"merge", "note", "correct_category"},
                          COMMANDER: {"merge", "note", "correct_category"} | SUPERVISING,
                          HANDLER: {"sign", "return", "note", "supervision_response"}},
    Status.RETURNED: {OPERATOR: {"merge", "note", "correct_category"},
                      COMMANDER: {"redispatch", "force", "merge", "note", "correct_category"}, HANDLER: {"note"}},
    Status.IN_PROGRESS: {OPERATOR: {"note"}, COMMANDER: {"note"} | SUPERVISING,
                         HANDLER: {"request_extension", "wait_citizen", "reply", "note", "supervision_response"}},
    Status.EXTENSION_PENDING: {OPERATOR: {"note"},
                               COMMANDER: {"approve_extension", "refuse_extension", "note"} | SUPERVISING,
                               HANDLER: {"note", "supervision_response"}},
    Status.WAITING_CITIZEN: {OPERATOR: {"note"}, COMMANDER: {"note"},
                             HANDLER: {"resume", "note", "supervision_response"}, CITIZEN: {"resume"}},
    # 办结审核: the hotline approves or returns the reply; the unit's clock has stopped, so nothing chases it
    Status.PENDING_REVIEW: {OPERATOR: {"approve_reply", "return_reply", "note"},
                            COMMANDER: {"approve_reply", "return_reply", "note"},
                            HANDLER: {"note", "supervision_response"}},
    Status.CLOSED: {OPERATOR: {"rate", "note"}, COMMANDER: {"archive", "note"},
                    HANDLER: {"note", "supervision_response"}, CITIZEN: {"rate"}},
    Status.RATED: {OPERATOR: {"note"}, COMMANDER: {"reopen", "archive", "note"},
                   HANDLER: {"note", "supervision_response"}},
    Status.ARCHIVED: {},
    Status.MERGED: {},
    Status.TRANSFERRED: {OPERATOR: {"hand_back"}, COMMANDER: {"hand_back"}},  # 联动退回 (非警务)
}


def expected(status: Status, role: str) -> set[str]:
    return EXPECTED[status].get(role, set())


# 领导批示 and its reply are taken on one instruction (their own endpoints), never offered as a ticket's next step:
# a leader instructs on a live ticket (not archived, merged or transferred), and the unit, or the command center for
# a ticket with no unit, reports back whatever the ticket's status has become.
LIVE = set(Status) - {Status.ARCHIVED, Status.MERGED, Status.TRANSFERRED}


def taken_per_instruction(status: Status, role: str) -> set[str]:
    moves = set()
    if role == LEADER and status in LIVE:
        moves.add("instruct")
    if role in (HANDLER, COMMANDER):
        moves.add("instruction_reply")
    return moves


# 回访 and 差评 steps are taken on their own task or review (docs/callbacks.md), never offered as a next step: the
# operator calls back a ticket at 已办结; the commander rules on a 差评 of a rated ticket; the unit's 整改 and 申诉, and
# the commander's ruling on the appeal, follow the rating wherever the ticket has gone since (reopened, on its way
# again, or archived), but not back before dispatch.
AFTER_RATING = set(Status) - {Status.RECEIVED, Status.PENDING_DISPATCH, Status.MERGED, Status.TRANSFERRED}


def taken_on_own_queue(status: Status, role: str) -> set[str]:
    moves = set()
    if role == OPERATOR and status == Status.CLOSED:
        moves |= {"callback_attempt", "callback_failed"}
    if role == COMMANDER and status == Status.RATED:
        moves.add("complaint_review")
    if status in AFTER_RATING:
        moves |= {HANDLER: {"rectification", "appeal"}, COMMANDER: {"appeal_decision"}}.get(role, set())
    return moves


# 联办: a co-unit's handler reports its part (its own endpoint; dispatch.co_handling says which unit) while the lead
# unit still works on the ticket: waiting for sign-for, in hand, waiting on an extension or on the citizen; never
# once the lead has replied, nor before dispatch.
LEAD_AT_WORK = {Status.PENDING_SIGN, Status.IN_PROGRESS, Status.EXTENSION_PENDING, Status.WAITING_CITIZEN}


def taken_by_a_co_unit(status: Status, role: str) -> set[str]:
    return {"co_report"} if role == HANDLER and status in LEAD_AT_WORK else set()


# 附件: a photo or recording, on its own endpoint, by the citizen (their own ticket) or staff who see the ticket
# (operator, handler, commander), at any status but merged and archived; never by a leader, auditor or admin.
def taken_as_attachment(status: Status, role: str) -> set[str]:
    may = role in (OPERATOR, HANDLER, COMMANDER, CITIZEN)
    return {"attach"} if may and status not in (Status.MERGED, Status.ARCHIVED) else set()


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("role", PEOPLE)
def test_each_person_is_offered_exactly_their_next_steps(status, role):
    assert set(allowed_actions(status, role)) == expected(status, role)


def test_auditors_and_admins_are_offered_nothing():
    assert all(allowed_actions(status, role) == [] for status in Status for role in ("auditor", "admin"))


MOVES = [(status, role, action) for status in Status for role in PEOPLE for action in Action
         if action not in (Action.RECEIVE, Action.IMPORT)]


@pytest.mark.parametrize(("status", "role", "action"), MOVES)
def test_a_move_is_taken_refused_or_forbidden_as_the_table_says(status, role, action):
    ticket = Ticket(status=status)
    person = Actor(role=role, id=None)
    if action in (expected(status, role) | taken_per_instruction(status, role) | taken_on_own_queue(status, role)
                  | taken_by_a_co_unit(status, role) | taken_as_attachment(status, role)):
        apply(None, ticket, action, person)
        assert ticket.events  # the move left its event
        return
    with pytest.raises((TransitionRefused, ActionForbidden)) as refused:
        apply(None, ticket, action, person)
    assert ticket.status == status  # nothing changed
    if isinstance(refused.value, TransitionRefused):
        assert refused.value.status == status
        assert set(refused.value.allowed) == expected(status, role)
        assert status.label in refused.value.message


def test_a_role_outside_the_move_is_forbidden_even_from_the_right_status():
    with pytest.raises(ActionForbidden):
        apply(None, Ticket(status=Status.PENDING_SIGN), Action.SIGN, Actor(role=OPERATOR, id=None))


def test_an_import_creates_an_archived_ticket_and_nothing_else_may():
    """History (hotline.history): only the system, only on a ticket that has no status yet, straight to archived."""
    ticket = Ticket(status=None)
    apply(None, ticket, Action.IMPORT, Actor(role="system"))
    assert ticket.status == Status.ARCHIVED
    for status in Status:
        with pytest.raises(TransitionRefused):
            apply(None, Ticket(status=status), Action.IMPORT, Actor(role="system"))
    for role in (*PEOPLE, "admin", "auditor"):
        with pytest.raises(ActionForbidden):
            apply(None, Ticket(status=None), Action.IMPORT, Actor(role=role))
    assert all(Action.IMPORT not in allowed_actions(status, role) for status in Status for role in PEOPLE)
