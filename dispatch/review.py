"""办结审核: a unit's reply to a ticket of a type the county's policy names waits for the hotline before it closes.

The unit's handling clock stops at the reply (whether it met the deadline is recorded then); the hotline has
`reply_review_working_days` from the reply to approve it (the ticket closes, the citizen is told and may rate) or
return it with a reason (the same unit handles it again under the original deadline). Each decision scores the
reply (工单质检, dispatch.quality): four 是/否 checks, 25 points for each passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch import callbacks, followup, tell
from dispatch.models import ReplyReview
from dispatch.policy import DeadlineClock
from hotline.clock import now
from hotline.models import Ticket
from hotline.vocabulary import Action, Status
from hotline.workflow import Actor, TransitionRefused, apply

APPROVED, RETURNED = "approved", "returned"
# the four checks of 工单质检, in the order the reviewer's page shows them
CHECKS: dict[str, str] = {"answers_request": "针对诉求", "complete": "内容完整", "courteous": "文明规范",
                          "cites_basis": "依据明确"}
POINTS_PER_CHECK = 100 // len(CHECKS)


@dataclass(frozen=True)
class Checks:
    """The reviewer's 是/否 for each check; the score follows from them, nobody types it."""

    answers_request: bool
    complete: bool
    courteous: bool
    cites_basis: bool

    @property
    def score(self) -> int:
        return POINTS_PER_CHECK * sum(self.as_dict().values())

    def as_dict(self) -> dict[str, bool]:
        return {name: getattr(self, name) for name in CHECKS}


def submit(session: Session, ticket: Ticket, actor: Actor, text: str, on_time: bool, moment: datetime,
           clock: DeadlineClock) -> None:
    """The reply goes to 办结待审核: nothing is said to the citizen yet, the unit's clock and cards stop."""
    due = clock.review_due(moment)
    session.add(ReplyReview(ticket_id=ticket.id, department_id=ticket.lead_department_id, replied_by=actor.id,
                            replied_at=moment, reply=text, on_time=on_time, due_at=due))
    apply(session, ticket, Action.REPLY, actor, target=Status.PENDING_REVIEW,
          data={"reply": text, "on_time": on_time, "review_due_at": due.isoformat(), "calendar": clock.sources})
    followup.schedule(session, ticket)


def open_review(session: Session, ticket: Ticket) -> ReplyReview | None:
    """The reply of this ticket that waits for its review, if any."""
    return session.scalars(select(ReplyReview).where(ReplyReview.ticket_id == ticket.id,
                                                     ReplyReview.reviewed_at.is_(None))
                           .order_by(ReplyReview.id.desc()).limit(1)).first()


def _decide(session: Session, ticket: Ticket, actor: Actor, action: Action, checks: Checks,
            reason: str | None) -> ReplyReview:
    review = open_review(session, ticket)
    event = apply(session, ticket, action, actor, note=reason, department_id=ticket.lead_department_id, data={
        "checks": checks.as_dict(), "score": checks.score, "reply": ticket.reply,
        # whether the reply now returned had met the deadline: what a KPI subtracts (docs/reply_review.md)
        "reply_on_time": review.on_time if review else None})
    if review is None:  # the state machine let it through, so a reply is waiting; its row must be there
        raise TransitionRefused(ticket, action, "找不到待审核的答复记录", role=actor.role)
    review.reviewed_by, review.reviewed_at = actor.id, event.created_at
    review.outcome, review.reason = (APPROVED if action == Action.APPROVE_REPLY else RETURNED), reason
    for name, passed in checks.as_dict().items():
        setattr(review, name, passed)
    review.score = checks.score
    return review


def approve(session: Session, ticket: Ticket, actor: Actor, checks: Checks) -> ReplyReview:
    """审核通过: the ticket closes now; the citizen hears of the answer and is asked to rate it, and its 回访 opens."""
    review = _decide(session, ticket, actor, Action.APPROVE_REPLY, checks, None)
    followup.schedule(session, ticket)
    callbacks.open_for(session, ticket)
    tell.answered(session, ticket, replied=True, stamp=review.reviewed_at.isoformat())
    return review


def return_reply(session: Session, ticket: Ticket, actor: Actor, checks: Checks, reason: str) -> ReplyReview:
    """审核退回: back to the same unit with the reason; the original deadline stands and the cards run again."""
    review = _decide(session, ticket, actor, Action.RETURN_REPLY, checks, reason)
    ticket.reply = None
    ticket.closed_at = None
    followup.schedule(session, ticket)
    tell.reply_returned(session, ticket, reason, review.reviewed_at.isoformat())
    return review


def waiting(session: Session, limit: int = 500) -> list[tuple[ReplyReview, Ticket]]:
    """Replies waiting for review, the oldest first."""
    return list(session.execute(
        select(ReplyReview, Ticket).join(Ticket, Ticket.id == ReplyReview.ticket_id)
        .where(ReplyReview.reviewed_at.is_(None), Ticket.status == Status.PENDING_REVIEW)
        .order_by(ReplyReview.replied_at, ReplyReview.id).limit(limit)))  # type: ignore[arg-type]


def overdue(review: ReplyReview, moment: datetime | None = None) -> bool:
    return review.reviewed_at is None and (moment or now()) > review.due_at
