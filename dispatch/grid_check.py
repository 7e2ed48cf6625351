"""网格员核查: the grid worker confirms on the spot that a closed ticket of their cell is really fixed.

As in the 数字城管 closed loop (立案 → 派遣 → 处置 → 核查 → 结案), the check is a fact seen at the place, not an
opinion: 核查通过 is recorded and the ticket goes on to 回访 and 归档 as before; 核查未通过 sends it straight back
to the same lead unit (办理中) with a new deadline under the current policy, as a 重办 does, without waiting for
the commander's 差评 review (that review weighs a citizen's word; here the worker stood in front of it). The
回访 due for the rejected closure is withdrawn: a new one opens when the unit closes it again. Once per closure.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from sqlalchemy.orm import Session

from dispatch import callbacks, followup, tell
from dispatch.actions import route
from dispatch.policy import current_clock
from hotline import text
from hotline.clock import now
from hotline.grid_reports import checked_this_closure, last_check
from hotline.models import Ticket
from hotline.schemas import Latitude, Longitude
from hotline.vocabulary import Action, Status
from hotline.workflow import Actor, TransitionRefused, apply

Comment = Annotated[str, msgspec.Meta(max_length=1000, description="核查意见，最多1000字")]


class GridCheck(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    passed: bool
    comment: Comment | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None

    def __post_init__(self) -> None:
        self.comment = text.optional(self.comment)
        if not self.passed and not self.comment:
            raise ValueError("核查未通过时请填写核查意见（现场还有什么问题）")
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("经纬度需要同时填写")


def check(session: Session, ticket: Ticket, actor: Actor, data: GridCheck) -> None:
    """One check per closure; the state machine refuses any status but 已办结 (409 with what may come next)."""
    if ticket.status == Status.CLOSED and checked_this_closure(last_check(session, ticket), ticket):
        raise TransitionRefused(ticket, Action.GRID_CHECK, "该工单本次办结已核查过", role=actor.role)
    department = ticket.lead_department.name if ticket.lead_department else "承办单位"
    found: dict[str, Any] = {"passed": data.passed, "department": department}
    if data.latitude is not None:
        found |= {"latitude": data.latitude, "longitude": data.longitude}
    if data.passed:
        apply(session, ticket, Action.GRID_CHECK, actor, note=data.comment, data=found)
        return
    _send_back(session, ticket, actor, data.comment or "", found)


def _send_back(session: Session, ticket: Ticket, actor: Actor, comment: str, found: dict[str, Any]) -> None:
    clock, moment = current_clock(session), now()
    entry = route(session, ticket.category_code, ticket.township) if ticket.category_code else None
    due = clock.resolve_due(moment, ticket.type, ticket.urgency, entry.time_limits if entry else None)
    apply(session, ticket, Action.GRID_CHECK, actor, note=comment, department_id=ticket.lead_department_id,
          target=Status.IN_PROGRESS, data={**found, "due_at": due.isoformat(), "calendar": clock.sources})
    ticket.policy_version, ticket.due_at, ticket.signed_at = clock.version, due, moment
    ticket.closed_at = ticket.reply = None
    if (task := callbacks.open_task(session, ticket.id)) is not None:
        session.delete(task)
    followup.reset_cards(session, ticket)
    followup.schedule(session, ticket)
    tell.reopened(session, ticket, found["department"])
