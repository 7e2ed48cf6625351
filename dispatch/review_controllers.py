"""The 办结审核 queue: replies waiting for the hotline, the oldest first, each next to the request it answers."""

from __future__ import annotations

from litestar import Controller, get
from sqlalchemy.orm import Session

from dispatch import review
from dispatch.models import ReplyReview
from dispatch.schemas import ReviewItem, ReviewRead
from hotline.clock import now
from hotline.dependencies import roles
from hotline.models import Ticket
from hotline.privacy import mask_name, mask_phone
from hotline.vocabulary import Role, TicketType


def review_read(row: ReplyReview, number: str, department: str | None) -> ReviewRead:
    decided = row.reviewed_at is not None
    return ReviewRead(id=row.id, ticket_number=number, department=department, replied_at=row.replied_at,
                      reply=row.reply, on_time=row.on_time, due_at=row.due_at, overdue=review.overdue(row, now()),
                      reviewed_at=row.reviewed_at, outcome=row.outcome, reason=row.reason,
                      checks={name: getattr(row, name) for name in review.CHECKS} if decided else None,
                      score=row.score)


def review_item(row: ReplyReview, ticket: Ticket) -> ReviewItem:
    """The reviewer judges the answer against the request; they need neither the caller's name nor number."""
    department = ticket.lead_department.name if ticket.lead_department else None
    return ReviewItem(review=review_read(row, ticket.number, department), number=ticket.number, type=ticket.type,
                      type_label=TicketType(ticket.type).label, title=ticket.title, content=ticket.content,
                      caller_name=mask_name(ticket.caller_name), caller_phone=mask_phone(ticket.caller_phone),
                      township=ticket.township, created_at=ticket.created_at, ticket_due_at=ticket.due_at)


class ReviewController(Controller):
    path = "/api/reviews"
    tags = ["command center"]

    @get("/", guards=[roles(Role.OPERATOR, Role.COMMANDER)], sync_to_thread=True)
    def queue(self, db_session: Session) -> list[ReviewItem]:
        """待审核 replies, the oldest first, each marked overdue once its review time limit has passed."""
        return [review_item(row, ticket) for row, ticket in review.waiting(db_session)]


ROUTES = [ReviewController]
