"""The ticket's one state machine: every entry point changes a ticket only through `apply`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from hotline.clock import now
from hotline.models import Ticket, TicketEvent
from hotline.vocabulary import Role, Status

CITIZEN = "citizen"
SYSTEM = "system"

OPERATOR, HANDLER, COMMANDER, ADMIN = Role.OPERATOR, Role.HANDLER, Role.COMMANDER, Role.ADMIN
S = Status
CLOCK_RUNNING = frozenset({S.PENDING_SIGN, S.IN_PROGRESS, S.EXTENSION_PENDING})
OPEN = frozenset(
    {S.RECEIVED, S.PENDING_DISPATCH, S.PENDING_SIGN, S.RETURNED, S.IN_PROGRESS, S.EXTENSION_PENDING,
     S.WAITING_CITIZEN}
)


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
    label: str
    sources: frozenset[str]
    target: str | None  # None: an event that leaves the status as it is
    roles: frozenset[str] = field(default_factory=frozenset)


def _t(label: str, sources: set[str] | frozenset[str], target: str | None, *roles: str) -> Transition:
    return Transition(label, frozenset(sources), target, frozenset(roles))


TRANSITIONS: dict[str, Transition] = {
    "receive": _t("受理", {""}, S.RECEIVED, OPERATOR, CITIZEN, SYSTEM),
    "submit": _t("提交派单", {S.RECEIVED}, S.PENDING_DISPATCH, OPERATOR, CITIZEN, SYSTEM),
    "answer": _t("直接答复", {S.RECEIVED, S.PENDING_DISPATCH}, S.CLOSED, OPERATOR, COMMANDER),
    "transfer": _t("转警情/急救", {S.RECEIVED, S.PENDING_DISPATCH}, S.TRANSFERRED, OPERATOR, COMMANDER, SYSTEM),
    "dispatch": _t("派单", {S.RECEIVED, S.PENDING_DISPATCH}, S.PENDING_SIGN, OPERATOR, COMMANDER, SYSTEM),
    "return": _t("退单", {S.PENDING_SIGN}, S.RETURNED, HANDLER),
    "redispatch": _t("改派", {S.RETURNED}, S.PENDING_SIGN, COMMANDER),
    "force": _t("强制派单", {S.RETURNED}, S.IN_PROGRESS, COMMANDER),
    "sign": _t("签收", {S.PENDING_SIGN}, S.IN_PROGRESS, HANDLER),
    "request_extension": _t("申请延期", {S.IN_PROGRESS}, S.EXTENSION_PENDING, HANDLER),
    "approve_extension": _t("同意延期", {S.EXTENSION_PENDING}, S.IN_PROGRESS, COMMANDER),
    "refuse_extension": _t("不同意延期", {S.EXTENSION_PENDING}, S.IN_PROGRESS, COMMANDER),
    "wait_citizen": _t("待群众补充", {S.IN_PROGRESS}, S.WAITING_CITIZEN, HANDLER),
    "resume": _t("恢复办理", {S.WAITING_CITIZEN}, S.IN_PROGRESS, HANDLER, CITIZEN),
    "reply": _t("答复办结", {S.IN_PROGRESS}, S.CLOSED, HANDLER),
    "rate": _t("评价回访", {S.CLOSED}, S.RATED, CITIZEN, OPERATOR),
    "reopen": _t("重办", {S.RATED}, S.IN_PROGRESS, COMMANDER),
    "archive": _t("归档", {S.CLOSED, S.RATED}, S.ARCHIVED, COMMANDER, SYSTEM),
    "merge": _t("并单", {S.RECEIVED, S.PENDING_DISPATCH, S.PENDING_SIGN, S.RETURNED}, S.MERGED,
                OPERATOR, COMMANDER),
    "note": _t("备注", OPEN | {S.CLOSED, S.RATED}, None, OPERATOR, HANDLER, COMMANDER),
    # follow-through: cards and supervision leave the status as it is
    "yellow_card": _t("黄牌预警", CLOCK_RUNNING, None, SYSTEM),
    "red_card": _t("红牌超期", CLOCK_RUNNING, None, SYSTEM),
    "urge": _t("催办", CLOCK_RUNNING, None, SYSTEM, COMMANDER),
    "supervise": _t("督办", CLOCK_RUNNING, None, SYSTEM, COMMANDER),
    "escalate": _t("升级至县领导", CLOCK_RUNNING, None, SYSTEM, COMMANDER),
    "supervision_response": _t("督办回复", CLOCK_RUNNING | {S.WAITING_CITIZEN, S.CLOSED, S.RATED}, None, HANDLER),
    "classify": _t("智能分类", {S.RECEIVED, S.PENDING_DISPATCH}, None, SYSTEM),
    "flag_emergency": _t("紧急警情提示", {S.RECEIVED, S.PENDING_DISPATCH}, None, SYSTEM),
    "propose_merge": _t("疑似重复件", {S.RECEIVED, S.PENDING_DISPATCH}, None, SYSTEM),
    "manual_review": _t("转人工分拨", {S.PENDING_DISPATCH}, None, SYSTEM),
    "correct_category": _t("更正分类", {S.RECEIVED, S.PENDING_DISPATCH, S.PENDING_SIGN, S.RETURNED}, None,
                           OPERATOR, COMMANDER),
}


class TransitionRefused(Exception):
    """Answered as 409 with the current state and what may come next."""

    def __init__(self, ticket: Ticket, action: str, reason: str | None = None) -> None:
        self.status = ticket.status
        self.action = action
        self.allowed = allowed_actions(ticket.status)
        label = TRANSITIONS[action].label if action in TRANSITIONS else action
        self.message = reason or (
            f"工单当前状态为「{Status(ticket.status).label}」，不能执行「{label}」"
        )
        super().__init__(self.message)


class ActionForbidden(Exception):
    """The actor's role may not take this action at all (403)."""


def allowed_actions(status: str) -> list[str]:
    """What a person may do next; steps only the system takes (cards, classification) are left out."""
    return [name for name, t in TRANSITIONS.items() if status in t.sources and t.roles - {SYSTEM}]


def apply(
    session: Session,
    ticket: Ticket,
    action: str,
    actor: Actor,
    *,
    note: str | None = None,
    data: dict[str, Any] | None = None,
    department_id: int | None = None,
) -> TicketEvent:
    """Check the move, change the status and append its event, all in the caller's transaction."""
    transition = TRANSITIONS[action]
    if actor.role not in transition.roles:
        raise ActionForbidden(f"当前角色无权执行「{transition.label}」")
    current = ticket.status or ""
    if current not in transition.sources:
        raise TransitionRefused(ticket, action)
    moment = now()
    if transition.target is not None:
        ticket.status = transition.target
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
