"""The ticket's one state machine: every entry point changes a ticket only through `apply`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from hotline.clock import now
from hotline.models import Ticket, TicketEvent
from hotline.vocabulary import Action, Role, Status

CITIZEN = "citizen"
SYSTEM = "system"

OPERATOR, HANDLER, COMMANDER, ADMIN = Role.OPERATOR, Role.HANDLER, Role.COMMANDER, Role.ADMIN
S = Status
CLOCK_RUNNING = frozenset({S.PENDING_SIGN, S.IN_PROGRESS, S.EXTENSION_PENDING})
OPEN = frozenset(
    {S.RECEIVED, S.PENDING_DISPATCH, S.PENDING_SIGN, S.RETURNED, S.IN_PROGRESS, S.EXTENSION_PENDING,
     S.WAITING_CITIZEN, S.PENDING_REVIEW}
)

# where a ticket can be once rated: kept, archived, or reopened and on its way again
AFTER_RATING = (OPEN - {S.RECEIVED, S.PENDING_DISPATCH}) | {S.CLOSED, S.RATED, S.ARCHIVED}
ANY_STATUS = frozenset(set(S))


@dataclass(frozen=True)
class Actor:
    """Who acts: a staff member, a citizen, or the system itself (jobs, sweeps)."""

    role: str
    id: int | None = None
    department_id: int | None = None
    name: str | None = None


SYSTEM_ACTOR = Actor(role=SYSTEM, name="系统")
CITIZEN_ACTOR = Actor(role=CITIZEN, name="群众")


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str | None  # None: an event that leaves the status as it is
    roles: frozenset[str] = field(default_factory=frozenset)
    # other statuses the step may lead to when the caller asks (a reply goes to 办结审核 where the policy says)
    alternatives: frozenset[str] = field(default_factory=frozenset)


def _t(sources: set[str] | frozenset[str], target: str | None, *roles: str,
       alternatives: frozenset[str] = frozenset()) -> Transition:
    return Transition(frozenset(sources), target, frozenset(roles), alternatives)


A = Action
TRANSITIONS: dict[Action, Transition] = {
    A.RECEIVE: _t({""}, S.RECEIVED, OPERATOR, CITIZEN, SYSTEM, Role.GRID),  # 网格员: a report from the street
    A.SUBMIT: _t({S.RECEIVED}, S.PENDING_DISPATCH, OPERATOR, CITIZEN, SYSTEM, Role.GRID),
    A.ANSWER: _t({S.RECEIVED, S.PENDING_DISPATCH}, S.CLOSED, OPERATOR, COMMANDER),
    A.TRANSFER: _t({S.RECEIVED, S.PENDING_DISPATCH}, S.TRANSFERRED, OPERATOR, COMMANDER, SYSTEM),
    A.HAND_BACK: _t({S.TRANSFERRED}, S.PENDING_DISPATCH, OPERATOR, COMMANDER),
    A.DISPATCH: _t({S.RECEIVED, S.PENDING_DISPATCH}, S.PENDING_SIGN, OPERATOR, COMMANDER, SYSTEM),
    A.RETURN: _t({S.PENDING_SIGN}, S.RETURNED, HANDLER),
    A.REDISPATCH: _t({S.RETURNED}, S.PENDING_SIGN, COMMANDER),
    A.FORCE: _t({S.RETURNED}, S.IN_PROGRESS, COMMANDER),
    A.SIGN: _t({S.PENDING_SIGN}, S.IN_PROGRESS, HANDLER),
    A.REQUEST_EXTENSION: _t({S.IN_PROGRESS}, S.EXTENSION_PENDING, HANDLER),
    A.APPROVE_EXTENSION: _t({S.EXTENSION_PENDING}, S.IN_PROGRESS, COMMANDER),
    A.REFUSE_EXTENSION: _t({S.EXTENSION_PENDING}, S.IN_PROGRESS, COMMANDER),
    A.WAIT_CITIZEN: _t({S.IN_PROGRESS}, S.WAITING_CITIZEN, HANDLER),
    A.RESUME: _t({S.WAITING_CITIZEN}, S.IN_PROGRESS, HANDLER, CITIZEN, SYSTEM),  # system: the wait timed out
    A.REPLY: _t({S.IN_PROGRESS}, S.CLOSED, HANDLER, alternatives=frozenset({S.PENDING_REVIEW})),
    # 办结审核 (dispatch.review): the hotline approves the reply, or returns it to the same unit with a reason
    A.APPROVE_REPLY: _t({S.PENDING_REVIEW}, S.CLOSED, OPERATOR, COMMANDER),
    A.RETURN_REPLY: _t({S.PENDING_REVIEW}, S.IN_PROGRESS, OPERATOR, COMMANDER),
    A.RATE: _t({S.CLOSED}, S.RATED, CITIZEN, OPERATOR),
    A.REOPEN: _t({S.RATED}, S.IN_PROGRESS, COMMANDER),
    A.ARCHIVE: _t({S.CLOSED, S.RATED}, S.ARCHIVED, COMMANDER, SYSTEM),
    A.MERGE: _t({S.RECEIVED, S.PENDING_DISPATCH, S.PENDING_SIGN, S.RETURNED}, S.MERGED, OPERATOR, COMMANDER),
    A.NOTE: _t(OPEN | {S.CLOSED, S.RATED}, None, OPERATOR, HANDLER, COMMANDER),
    # 联办: a co-unit's part, while the lead unit still works on it (dispatch.co_handling says which unit may)
    A.CO_REPORT: _t(CLOCK_RUNNING | {S.WAITING_CITIZEN}, None, HANDLER),
    # a photo or recording (hotline.attachments): by whoever may see the ticket, until it is merged or archived
    A.ATTACH: _t(ANY_STATUS - {S.MERGED, S.ARCHIVED}, None, OPERATOR, HANDLER, COMMANDER, CITIZEN, SYSTEM,
                 Role.GRID),
    # 网格员核查 (dispatch.grid_check): 通过 leaves it closed; 未通过 sends it back to the same unit (办理中)
    A.GRID_CHECK: _t({S.CLOSED}, None, Role.GRID, alternatives=frozenset({S.IN_PROGRESS})),
    # follow-through: cards and supervision leave the status as it is
    A.YELLOW_CARD: _t(CLOCK_RUNNING, None, SYSTEM),
    A.RED_CARD: _t(CLOCK_RUNNING, None, SYSTEM),
    A.URGE: _t(CLOCK_RUNNING, None, SYSTEM, COMMANDER),
    A.SUPERVISE: _t(CLOCK_RUNNING, None, SYSTEM, COMMANDER),
    A.ESCALATE: _t(CLOCK_RUNNING, None, SYSTEM, COMMANDER),
    A.SUPERVISION_RESPONSE: _t(CLOCK_RUNNING | {S.WAITING_CITIZEN, S.PENDING_REVIEW, S.CLOSED, S.RATED},
                                   None, HANDLER),
    # 领导批示 (dispatch.instructions): a leader's word on a ticket and the unit's answer, never a state change;
    # a leader takes no other step, so every other transition answers it 403
    A.INSTRUCT: _t(OPEN | {S.CLOSED, S.RATED}, None, Role.LEADER),
    A.INSTRUCTION_REPLY: _t(ANY_STATUS, None, HANDLER, COMMANDER),  # owed whatever became of the ticket since
    A.CLASSIFY: _t({S.RECEIVED, S.PENDING_DISPATCH}, None, SYSTEM),
    A.FLAG_EMERGENCY: _t({S.RECEIVED, S.PENDING_DISPATCH}, None, SYSTEM),
    A.PROPOSE_MERGE: _t({S.RECEIVED, S.PENDING_DISPATCH}, None, SYSTEM),
    A.FLAG_REPEAT: _t({S.RECEIVED, S.PENDING_DISPATCH}, None, SYSTEM),
    A.MANUAL_REVIEW: _t({S.PENDING_DISPATCH}, None, SYSTEM),
    A.CORRECT_CATEGORY: _t({S.RECEIVED, S.PENDING_DISPATCH, S.PENDING_SIGN, S.RETURNED}, None, OPERATOR, COMMANDER),
    # 回访 and 差评 review (dispatch.callbacks, dispatch.complaints): their own tables say which step is due; the
    # 差评 steps after the verdict follow the ticket wherever it goes (a 重办 reopens it)
    A.CALLBACK_ATTEMPT: _t({S.CLOSED}, None, OPERATOR),
    A.CALLBACK_FAILED: _t({S.CLOSED}, None, OPERATOR, SYSTEM),
    A.COMPLAINT_OPENED: _t({S.RATED}, None, SYSTEM),
    A.COMPLAINT_REVIEW: _t({S.RATED}, None, COMMANDER),
    A.RECTIFICATION: _t(AFTER_RATING, None, HANDLER),
    A.APPEAL: _t(AFTER_RATING, None, HANDLER),
    A.APPEAL_DECISION: _t(AFTER_RATING, None, COMMANDER),
    # history (hotline.history): an earlier system's ticket arrives already finished, with no deadline to run
    A.IMPORT: _t({""}, S.ARCHIVED, SYSTEM),
}


def action_label(action: str) -> str:
    """The Chinese name of a step; an action this version does not know is shown as recorded."""
    try:
        return Action(action).label
    except ValueError:
        return action


class TransitionRefused(Exception):
    """Answered as 409 with the current state and what may come next."""

    def __init__(self, ticket: Ticket, action: Action, reason: str | None = None, role: str | None = None) -> None:
        self.status = ticket.status
        self.action = action
        self.allowed = allowed_actions(ticket.status, role)
        self.message = reason or (
            f"工单当前状态为「{Status(ticket.status).label}」，不能执行「{action_label(action)}」"
        )
        super().__init__(self.message)


class ActionForbidden(Exception):
    """The actor's role may not take this action at all (403)."""


# steps whose turn their own table decides (a callback task, a 差评 review, a leader's instruction), not the
# status: taken through their own endpoints, never offered as a ticket's next step
OWN_QUEUE = frozenset({A.CALLBACK_ATTEMPT, A.CALLBACK_FAILED, A.COMPLAINT_OPENED, A.COMPLAINT_REVIEW,
                       A.RECTIFICATION, A.APPEAL, A.APPEAL_DECISION, A.INSTRUCT, A.INSTRUCTION_REPLY, A.CO_REPORT,
                       A.ATTACH, A.GRID_CHECK})
# what a co-unit's handler may do on a ticket another unit leads (hotline.views offers it these only)
CO_UNIT_STEPS = (A.CO_REPORT, A.NOTE)


def allowed_actions(status: str, role: str | None) -> list[str]:
    """What this person may do next from this status (None: what anyone may); steps only the system takes
    (cards, classification) and those that a queue of their own offers are left out."""
    return [action for action, t in TRANSITIONS.items() if status in t.sources and t.roles - {SYSTEM}
            and action not in OWN_QUEUE and (role is None or role in t.roles)]


def apply(
    session: Session,
    ticket: Ticket,
    action: Action,
    actor: Actor,
    *,
    note: str | None = None,
    data: dict[str, Any] | None = None,
    department_id: int | None = None,
    target: str | None = None,
) -> TicketEvent:
    """Check the move, change the status and append its event, all in the caller's transaction. `target`: one
    of the step's alternative statuses instead of its usual one."""
    transition = TRANSITIONS[action]
    if target is not None and target not in transition.alternatives:
        raise ValueError(f"{action} cannot lead to {target}")
    if actor.role not in transition.roles:
        raise ActionForbidden(f"当前角色无权执行「{action_label(action)}」")
    current = ticket.status or ""
    if current not in transition.sources:
        raise TransitionRefused(ticket, action, role=actor.role)
    moment = now()
    if (target := target or transition.target) is not None:
        ticket.status = target
    ticket.updated_at = moment
    event = TicketEvent(
        action=action,
        from_status=current or None,
        to_status=ticket.status,
        actor_id=actor.id,
        actor_role=actor.role,
        department_id=department_id if department_id is not None else actor.department_id,
        note=note,
        data=data or {},
        created_at=moment,
    )
    ticket.events.add(event)
    return event


def last_event(session: Session, ticket: Ticket, action: Action) -> TicketEvent | None:
    """The ticket's latest event of one kind: the reason of a return, the days of an extension asked."""
    return session.scalars(ticket.events.select().where(TicketEvent.action == action)
                           .order_by(TicketEvent.id.desc()).limit(1)).first()
