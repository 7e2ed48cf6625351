"""The board snapshot: every count and list the wall needs, read in one consistent view of the database."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from command.board_hotspots import board_hotspots
from command.payloads import NOT_HISTORY, SUPERVISION_ACTIONS, Names, label, summarize
from command.schemas import Board, CardItem, Count, Heat, LatestTicket, Snapshot, SupervisionItem
from hotline.database import get_session_factory
from hotline.models import Area, Ticket, TicketEvent
from hotline.settings import TIME_ZONE
from hotline.vocabulary import Channel, Status, TicketType
from hotline.workflow import OPEN, action_label

log = logging.getLogger(__name__)

OPEN_ORDER = [s for s in Status if s in OPEN]
LATEST = 15
CARDS = 30
SUPERVISION = 10
TOP = 10
DEPARTMENTS = 12
INCLUDED_LIMIT = 1000
LIVE = Ticket.imported_at.is_(None)  # imported history (hotline.history) is never on the wall


@contextmanager
def consistent_read() -> Iterator[Session]:
    """One snapshot of the data for every query: REPEATABLE READ on PostgreSQL, one read transaction on SQLite."""
    session = get_session_factory()()
    try:
        if session.get_bind().dialect.name == "postgresql":
            session.connection(execution_options={"isolation_level": "REPEATABLE READ", "postgresql_readonly": True})
        elif session.get_bind().dialect.name == "sqlite":
            session.connection().exec_driver_sql("BEGIN")
        yield session
    finally:
        session.rollback()
        session.close()


def _day_start(now: datetime) -> datetime:
    return datetime.combine(now.astimezone(TIME_ZONE).date(), time(0), TIME_ZONE)


def _intake(session: Session, start: datetime) -> tuple[int, list[Count], list[int], Counter[str]]:
    rows = session.execute(select(Ticket.channel, Ticket.township, Ticket.created_at)
                           .where(Ticket.created_at >= start, LIVE)).all()
    channels = Counter(row.channel for row in rows)
    hours = [0] * 24
    for row in rows:
        hours[row.created_at.astimezone(TIME_ZONE).hour] += 1
    by_channel = [Count(key=c.value, label=c.label, count=channels.get(c.value, 0)) for c in Channel]
    return len(rows), by_channel, hours, Counter(row.township for row in rows if row.township)


def _open(session: Session, names: Names) -> tuple[int, list[Count], list[Count]]:
    by_status = dict(session.execute(select(Ticket.status, func.count()).where(Ticket.status.in_(OPEN))
                                     .group_by(Ticket.status)).all())
    statuses = [Count(key=s.value, label=s.label, count=by_status.get(s.value, 0)) for s in OPEN_ORDER]
    by_department = session.execute(
        select(Ticket.lead_department_id, func.count().label("n"))
        .where(Ticket.status.in_(OPEN), Ticket.lead_department_id.is_not(None))
        .group_by(Ticket.lead_department_id).order_by(func.count().desc(), Ticket.lead_department_id).limit(DEPARTMENTS)
    ).all()
    departments = [Count(key=str(d), label=names.department(d) or str(d), count=n) for d, n in by_department]
    return sum(by_status.values()), statuses, departments


def _cards(session: Session, names: Names) -> list[CardItem]:
    tickets = session.scalars(
        select(Ticket).where(Ticket.card.in_(("yellow", "red")), Ticket.status.in_(OPEN))
        .order_by((Ticket.card == "red").desc(), Ticket.due_at.asc(), Ticket.id).limit(CARDS)
    ).all()
    return [CardItem(ticket=t.number, card=t.card or "", due_at=t.due_at, department=names.department(
        t.lead_department_id), category_name=names.categories.get(t.category_code or ""), township=t.township,
        escalation=t.escalation or 0, status_label=label(t.status) or t.status) for t in tickets]


def _supervision(session: Session, names: Names) -> list[SupervisionItem]:
    rows = session.execute(
        select(TicketEvent.id, TicketEvent.action, TicketEvent.created_at, TicketEvent.department_id,
               Ticket.number, Ticket.escalation, Ticket.lead_department_id)
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .where(TicketEvent.action.in_(SUPERVISION_ACTIONS)).order_by(TicketEvent.id.desc()).limit(SUPERVISION)
    ).all()
    return [SupervisionItem(event_id=r.id, ticket=r.number, action=r.action, action_label=action_label(r.action),
                            at=r.created_at, department=names.department(r.department_id or r.lead_department_id),
                            escalation=r.escalation or 0) for r in rows]


def _heat(session: Session, month_start: datetime, today: Counter[str]) -> Heat:
    townships = list(session.scalars(select(Area.name).where(Area.kind == "township").order_by(Area.id)))
    counts = session.execute(select(Ticket.township, Ticket.type, func.count())
                             .where(Ticket.created_at >= month_start, LIVE)
                             .group_by(Ticket.township, Ticket.type)).all()
    types = list(TicketType)
    month = [[0] * len(types) for _ in townships]
    rows = {name: i for i, name in enumerate(townships)}
    columns = {t.value: i for i, t in enumerate(types)}
    for township, kind, n in counts:
        if township in rows and kind in columns:
            month[rows[township]][columns[kind]] = n
    return Heat(townships=townships, types=[Count(key=t.value, label=t.label, count=0) for t in types],
                month=month, today=[today.get(name, 0) for name in townships])


def _top_categories(session: Session, month_start: datetime, names: Names) -> list[Count]:
    rows = session.execute(
        select(Ticket.category_code, func.count()).where(Ticket.created_at >= month_start, LIVE,
                                                         Ticket.category_code.is_not(None))
        .group_by(Ticket.category_code).order_by(func.count().desc(), Ticket.category_code).limit(TOP)
    ).all()
    return [Count(key=code, label=names.categories.get(code, code), count=n) for code, n in rows]


def _latest(session: Session) -> list[LatestTicket]:
    # newest received first: history carries old received times, so the index walk meets live tickets at once
    tickets = session.scalars(select(Ticket).where(LIVE).order_by(Ticket.created_at.desc(), Ticket.id.desc())
                              .limit(LATEST)).all()
    return [LatestTicket(ticket=t.number, at=t.created_at, channel_label=label(t.channel) or t.channel, type=t.type,
                         type_label=label(t.type) or t.type, urgency=t.urgency, township=t.township, status=t.status,
                         status_label=label(t.status) or t.status,
                         summary=summarize(t.content, caller_name=t.caller_name, caller_phone=t.caller_phone))
            for t in tickets]


def _measures(session: Session, now: datetime) -> dict[str, dict[str, float | None]]:
    """The center's own definitions (command/measures.py); the board never computes rates itself."""
    try:
        from command.measures import headline
    except ImportError:  # measures land separately; the board still shows everything else
        return {}
    return headline(session, now=now)


def build_board(session: Session, now: datetime, names: Names) -> Board:
    names.refresh(session)
    today = _day_start(now)
    month = today.replace(day=1)
    intake_total, by_channel, by_hour, townships_today = _intake(session, today)
    open_total, by_status, by_department = _open(session, names)
    return Board(
        day=today.date().isoformat(),
        intake_today=intake_total,
        intake_by_channel=by_channel,
        intake_by_hour=by_hour,
        open_total=open_total,
        open_by_status=by_status,
        open_by_department=by_department,
        cards=_cards(session, names),
        supervision=_supervision(session, names),
        measures=_measures(session, now),
        top_categories=_top_categories(session, month, names),
        hotspots=board_hotspots(session, now),  # moved by the minute's sweep, not by events: each snapshot reads it
        heat=_heat(session, month, townships_today),
        latest=_latest(session),
    )


def take_snapshot(position: int, now: datetime, names: Names) -> Snapshot:
    """The board as of event `position`; events past it that the view already saw are listed in `included`."""
    with consistent_read() as session:
        included = list(session.scalars(select(TicketEvent.id).where(TicketEvent.id > position, NOT_HISTORY)
                                        .order_by(TicketEvent.id).limit(INCLUDED_LIMIT)))
        board = build_board(session, now, names)
    if len(included) == INCLUDED_LIMIT:
        log.warning("board snapshot at %s: more than %s newer events already visible", position, INCLUDED_LIMIT)
    return Snapshot(last_event_id=position, included=included, at=now, board=board)

