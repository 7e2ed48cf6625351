"""重复诉求: the same caller about the same problem again after it was answered, within the county's window.

The open-ticket duplicate search (routing.similar_open_tickets) compares texts of different callers over a week;
a repeat is one caller coming back, often months later and in other words ("上次说修好了，现在又不亮了"). Character
n-grams score such a rewording at 0.12–0.32 against 0.27 for the same caller's different problem at the same
place, so text alone cannot tell them apart. The category can: the earlier ticket's final category (a person
confirmed it) against the model's leaf for the new text, or a close text when the category is not known.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from classifier import similarity
from hotline.clock import now
from hotline.models import Ticket
from hotline.vocabulary import Status

ANSWERED = (Status.CLOSED, Status.RATED, Status.ARCHIVED)
CLOSE_TEXT = 0.35  # the same cosine that proposes a merge of two open tickets
LOOKED_AT = 50  # the caller's newest answered tickets compared


@dataclass(frozen=True, slots=True)
class Repeat:
    ticket_id: int
    number: str
    category_code: str | None
    closed_at: datetime | None
    score: float
    same_category: bool

    def data(self, moment: datetime) -> dict[str, object]:
        days = (moment - self.closed_at).days if self.closed_at else None
        return {"earlier_number": self.number, "earlier_category": self.category_code, "score": self.score,
                "same_category": self.same_category, "days_since_closed": days}


def earlier_same_problem(session: Session, phone: str | None, text: str, category: str | None, window_days: int,
                         exclude_id: int | None = None) -> Repeat | None:
    """The caller's answered ticket of the window most like this one: same category first, then closest text."""
    if not phone:
        return None
    rows = session.execute(
        select(Ticket.id, Ticket.number, Ticket.title, Ticket.content, Ticket.category_code, Ticket.closed_at)
        .where(Ticket.caller_phone == phone, Ticket.status.in_(ANSWERED), Ticket.parent_id.is_(None),
               Ticket.created_at >= now() - timedelta(days=window_days), Ticket.id != (exclude_id or 0))
        .order_by(Ticket.id.desc()).limit(LOOKED_AT)).all()
    query = similarity.ngram_vector(text)
    found = []
    for row in rows:
        earlier = f"{row.title}。{row.content}" if row.title else row.content
        score = round(similarity.cosine(query, similarity.ngram_vector(earlier)), 3)
        same = category is not None and row.category_code == category
        if same or score >= CLOSE_TEXT:
            found.append(Repeat(row.id, row.number, row.category_code, row.closed_at, score, same))
    return max(found, key=lambda r: (r.same_category, r.score), default=None)
