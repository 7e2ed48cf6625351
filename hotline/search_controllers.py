"""GET /api/tickets/search: operators, commanders and the other staff find tickets (hotline.search).

A search returns callers' fields in full to the roles that see them, so it leaves access records as the list
does. A search by phone leaves them for every role: which tickets a number called about is itself personal data,
even when the page shows the number masked.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Controller, Request, get
from litestar.params import Parameter
from sqlalchemy.orm import Session

from hotline import access_log, search
from hotline.dependencies import roles
from hotline.redaction import redact
from hotline.schemas import MAX_BIG_ID, TicketSearchPage
from hotline.views import sees_personal_data, ticket_read
from hotline.vocabulary import Channel, Role, Status

STAFF = (Role.OPERATOR, Role.HANDLER, Role.COMMANDER, Role.ADMIN, Role.AUDITOR, Role.LEADER)
SUMMARY_CHARS = 60
Text = Annotated[str, Parameter(max_length=200)]  # longer than any filter; each is checked in hotline.search


def _summary(ticket) -> str:
    words = redact(ticket.title or ticket.content, names=[ticket.caller_name], phones=[ticket.caller_phone]) or ""
    return words if len(words) <= SUMMARY_CHARS else words[:SUMMARY_CHARS] + "…"


def _category_names(codes: set[str]) -> dict[str, str]:
    from classifier.taxonomy import LEAVES

    return {leaf.code: leaf.name for leaf in LEAVES if leaf.code in codes}


class TicketSearchController(Controller):
    path = "/api/tickets/search"
    tags = ["tickets"]

    @get("/", guards=[roles(*STAFF)], sync_to_thread=True)
    def search(
        self,
        db_session: Session,
        request: Request,
        q: Text | None = None,
        phone: Text | None = None,
        number: Text | None = None,
        unit: Annotated[int, Parameter(ge=1, le=MAX_BIG_ID)] | None = None,
        category: Text | None = None,
        status: Status | None = None,
        channel: Channel | None = None,
        received_from: date | None = None,
        received_to: date | None = None,
        before_id: Annotated[int, Parameter(ge=1, le=MAX_BIG_ID)] | None = None,
        limit: Annotated[int, Parameter(ge=1, le=100)] = 20,
    ) -> TicketSearchPage:
        """Filters narrow together; q is cut by jieba and every word must occur in title, content or address;
        number matches from its start; received_from/received_to are Asia/Shanghai dates, both included."""
        actor = request.user
        filters = search.check(db_session, actor, q=q, phone=phone, number=number, unit=unit, category=category,
                               status=status, channel=channel, received_from=received_from,
                               received_to=received_to)
        rows = search.fetch(db_session, actor, filters, before_id, limit)
        tickets, more = rows[:limit], len(rows) > limit
        if filters.phone or sees_personal_data(actor):
            view = access_log.PHONE_SEARCH if filters.phone else access_log.SEARCH
            access_log.record(db_session, actor, [t.id for t in tickets], view)
            db_session.commit()
        return TicketSearchPage(
            items=[ticket_read(t, actor) for t in tickets],
            has_more=more,
            next_before_id=tickets[-1].id if more else None,
            summaries={t.number: _summary(t) for t in tickets},
            categories=_category_names({t.category_code for t in tickets if t.category_code}),
        )


ROUTES = [TicketSearchController]
