"""Hotspots over HTTP: the live list and one cluster for the command center, a past window mined on demand,
and the commander's merge, split, 督办 and 并单."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.exceptions import HTTPException, ValidationException
from litestar.params import Parameter
from sqlalchemy import select
from sqlalchemy.orm import Session

from command import hotspots
from command.hotspot_mining import Figures, Item, figures, mine, named, ticket_text
from command.hotspot_schemas import (
    HistoryTable,
    HotspotDetail,
    HotspotMergeTickets,
    HotspotRead,
    HotspotTicket,
    MergeRequest,
    Outcome,
    SplitRequest,
)
from dispatch.schemas import SuperviseRequest
from hotline.clock import now
from hotline.dependencies import roles
from hotline.models import Ticket
from hotline.redaction import redact
from hotline.settings import TIME_ZONE, get_settings
from hotline.views import known_people
from hotline.vocabulary import Role, Status

READERS = roles(Role.COMMANDER, Role.AUDITOR, Role.LEADER)
HISTORY_MAX_DAYS = 92
HISTORY_MAX_TICKETS = 100_000
SUMMARY = 60


@contextmanager
def _answered() -> Iterator[None]:
    try:
        yield
    except hotspots.HotspotRefused as refused:
        raise HTTPException(status_code=refused.status, detail=refused.message) from None


def _figures(f: Figures) -> dict[str, float]:
    return {"size": f.size, "callers": f.callers, "last_day": f.last_day, "repeats": f.repeats, "heat": f.heat}


def _read(r: hotspots.Ranked) -> HotspotRead:
    c = r.cluster
    return HotspotRead(id=c.id, name=c.name, township=c.township, category_code=c.category_code,
                       first_at=c.first_at, last_at=c.last_at, units=r.units, by_hand=c.by_hand,
                       notified_at=c.notified_at, **_figures(r.figures))


def _ticket(ticket: Ticket) -> HotspotTicket:
    summary = redact(ticket.content[:SUMMARY], **known_people(ticket)) or ""
    return HotspotTicket(number=ticket.number, created_at=ticket.created_at, status=ticket.status,
                         status_label=Status(ticket.status).label, category_code=ticket.category_code,
                         address=redact(ticket.address, **known_people(ticket)), summary=summary,
                         unit=ticket.lead_department.name if ticket.lead_department else None)


def _detail(session: Session, cluster_id: int) -> HotspotDetail:
    cluster = hotspots.get_active(session, cluster_id)
    ranked = _read(hotspots.rank(session, cluster, now()))
    return HotspotDetail(**{f: getattr(ranked, f) for f in HotspotRead.__struct_fields__},
                         tickets=[_ticket(t) for t in hotspots.members(session, cluster.id)])


class HotspotController(Controller):
    path = "/api/hotspots"
    tags = ["hotspots"]

    @get("/", guards=[READERS], sync_to_thread=True)
    def live(self, db_session: Session, limit: Annotated[int, Parameter(ge=1, le=200)] = 20) -> list[HotspotRead]:
        """The window's clusters of two tickets or more, hottest first."""
        return [_read(r) for r in hotspots.ranked(db_session, now(), limit)]

    @get("/history", guards=[READERS], sync_to_thread=True)
    def history(self, db_session: Session, start: date, end: date,
                limit: Annotated[int, Parameter(ge=1, le=200)] = 50) -> HistoryTable:
        """Hotspots of a past window, imported history included, mined now by the live rule (nothing stored)."""
        if end < start:
            raise ValidationException("结束日期不能早于开始日期")
        if (end - start).days + 1 > HISTORY_MAX_DAYS:
            raise ValidationException(f"一次最多挖掘 {HISTORY_MAX_DAYS} 天，请缩短日期范围")
        begin = datetime.combine(start, time(0), TIME_ZONE)
        finish = datetime.combine(end + timedelta(days=1), time(0), TIME_ZONE)
        rows = db_session.execute(
            select(Ticket.number, Ticket.created_at, Ticket.closed_at, Ticket.title, Ticket.content, Ticket.village,
                   Ticket.address, Ticket.township, Ticket.category_code, Ticket.suggested_category,
                   Ticket.caller_phone)
            .where(Ticket.created_at >= begin, Ticket.created_at < finish, Ticket.status != Status.TRANSFERRED)
            .order_by(Ticket.created_at).limit(HISTORY_MAX_TICKETS + 1)).all()
        if len(rows) > HISTORY_MAX_TICKETS:
            raise ValidationException(f"该范围内工单超过 {HISTORY_MAX_TICKETS} 件，请缩短日期范围")
        items = [Item(key=r.number, at=r.created_at, text=ticket_text(r.title, r.content, r.village, r.address),
                      township=r.township, category=r.category_code or r.suggested_category, caller=r.caller_phone,
                      closed_at=r.closed_at, places=tuple(p for p in (r.village, r.address) if p)) for r in rows]
        settings = get_settings().hotspots
        clusters = [c for c in mine(items, settings.threshold, timedelta(days=settings.window_days)) if len(c.items) > 1]
        table = []
        for c in clusters:  # "the last 24 hours" of a past cluster: those before its own last ticket
            table.append(HotspotRead(
                id=None, name=named(c.centroid, (" ".join(i.places) for i in c.items), (i.text for i in c.items),
                                    c.township), township=c.township,
                category_code=c.category, first_at=c.items[0].at, last_at=c.last_at, units=[],
                **_figures(figures(c.items, c.last_at))))
        table.sort(key=lambda h: (-h.heat, h.first_at))
        return HistoryTable(start=start, end=end, tickets=len(items), hotspots=table[:limit])

    @get("/{cluster_id:int}", guards=[READERS], sync_to_thread=True)
    def one(self, db_session: Session, cluster_id: int) -> HotspotDetail:
        with _answered():
            return _detail(db_session, cluster_id)

    @post("/{cluster_id:int}/merge", guards=[roles(Role.COMMANDER)], sync_to_thread=True, status_code=200)
    def merge(self, db_session: Session, cluster_id: int, data: MergeRequest) -> HotspotDetail:
        """Two clusters are one problem: ``other``'s tickets join this one."""
        with _answered():
            hotspots.merge(db_session, cluster_id, data.other)
            db_session.commit()
            return _detail(db_session, cluster_id)

    @post("/{cluster_id:int}/split", guards=[roles(Role.COMMANDER)], sync_to_thread=True, status_code=200)
    def split(self, db_session: Session, cluster_id: int, data: SplitRequest) -> HotspotDetail:
        """These tickets are another problem: they become a cluster of their own (answered)."""
        with _answered():
            new = hotspots.split(db_session, cluster_id, data.numbers)
            db_session.commit()
            return _detail(db_session, new.id)

    @post("/{cluster_id:int}/supervise", guards=[roles(Role.COMMANDER)], sync_to_thread=True, status_code=200)
    def supervise(self, db_session: Session, request: Request, cluster_id: int, data: SuperviseRequest) -> Outcome:
        """督办 each ticket of the cluster whose clock runs; the others are listed with why not."""
        with _answered():
            outcome = hotspots.supervise(db_session, cluster_id, request.user, data.message, data.respond_within_days)
            db_session.commit()
            return Outcome(hotspot=_detail(db_session, cluster_id), done=outcome.done, skipped=outcome.skipped)

    @post("/{cluster_id:int}/merge-tickets", guards=[roles(Role.COMMANDER)], sync_to_thread=True, status_code=200)
    def merge_tickets(self, db_session: Session, request: Request, cluster_id: int,
                      data: HotspotMergeTickets) -> Outcome:
        """并单: the cluster's other tickets that may still be merged follow ``parent_number``."""
        with _answered():
            outcome = hotspots.merge_tickets(db_session, cluster_id, data.parent_number, request.user, data.note)
            db_session.commit()
            return Outcome(hotspot=_detail(db_session, cluster_id), done=outcome.done, skipped=outcome.skipped)


ROUTES = [HotspotController]
