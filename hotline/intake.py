"""Intake: calls recorded by operators and letters sent by citizens become tickets."""

from __future__ import annotations

import time
from contextlib import nullcontext

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotline import abuse, jobs, outbox
from hotline.clock import local, now
from hotline.models import Area, Ticket
from hotline.numbering import new_query_code, next_ticket_numbers
from hotline.schemas import CallCreate, LetterCreate
from hotline.throttle import Throttled
from hotline.vocabulary import Action
from hotline.workflow import CITIZEN_ACTOR, Actor, apply


class DuplicateSubmission(Exception):
    """The same idempotency key was used before: nothing new is written."""

    def __init__(self, number: str) -> None:
        self.number = number
        super().__init__(f"该诉求已经提交过，工单号 {number}，请勿重复提交")


class UnknownPlace(ValueError):
    pass


PLACES_TTL_SECONDS = 300.0
_places: tuple[float, dict[str, frozenset[str]]] = (float("-inf"), {})


def _known_places(session: Session) -> dict[str, frozenset[str]]:
    """Townships and their villages, read at most every few minutes: reference data on every intake's path."""
    global _places
    read_at, places = _places
    if time.monotonic() - read_at > PLACES_TTL_SECONDS:
        townships = dict(session.execute(select(Area.id, Area.name).where(Area.kind == "township")).all())
        villages: dict[str, set[str]] = {name: set() for name in townships.values()}
        for parent_id, name in session.execute(select(Area.parent_id, Area.name).where(Area.parent_id.is_not(None))):
            if parent_id in townships:
                villages[townships[parent_id]].add(name)
        places = {township: frozenset(names) for township, names in villages.items()}
        _places = (time.monotonic(), places)
    return places


def places_named_in(session: Session, text: str | None) -> tuple[str | None, str | None]:
    """The first township named in a free-text address, and the first of its villages named there."""
    if not text:
        return None, None
    for township, villages in _known_places(session).items():
        if township in text:
            return township, next((village for village in villages if village in text), None)
    return None, None


def check_place(session: Session, township: str | None, village: str | None) -> None:
    if not township:
        return
    known = _known_places(session)
    if township in known and (not village or village in known[township]):
        return
    # not in the list read a while ago: the database itself decides (a place added since) and explains
    township_id = session.scalar(select(Area.id).where(Area.kind == "township", Area.name == township))
    if township_id is None:
        raise UnknownPlace(f"乡镇（街道）「{township}」不在本县范围内，请从列表中选择")
    if village and session.scalar(
        select(Area.id).where(Area.parent_id == township_id, Area.name == village)
    ) is None:
        raise UnknownPlace(f"{township}没有「{village}」这个村（社区），请从列表中选择")


def _existing(session: Session, key: str | None) -> Ticket | None:
    if key is None:
        return None
    return session.scalars(select(Ticket).where(Ticket.idempotency_key == key)).first()


# raised before anything is written: the session stays usable
REFUSALS = (DuplicateSubmission, UnknownPlace, abuse.Blocked, Throttled)


def _prepare(session: Session, ticket: Ticket, actor: Actor, *, submit: bool) -> Ticket:
    """Check the ticket and record its first moves; it is numbered and joins the session when it is stored."""
    if (earlier := _existing(session, ticket.idempotency_key)) is not None:
        raise DuplicateSubmission(earlier.number)
    check_place(session, ticket.township, ticket.village)
    moment = now()
    ticket.query_code = new_query_code()
    ticket.created_at = ticket.updated_at = moment
    apply(session, ticket, Action.RECEIVE, actor, data={"channel": ticket.channel})
    if submit:
        apply(session, ticket, Action.SUBMIT, actor)
    return ticket


def store_one(session: Session, ticket: Ticket) -> Ticket:
    """A prepared ticket on its own: a race lost on its idempotency key is told as a duplicate."""
    # Only a ticket with an idempotency key can lose a race (on that key), and only then is a savepoint worth its
    # two round trips: it leaves the session usable for the DuplicateSubmission answer.
    _number(session, [ticket])
    try:
        with session.begin_nested() if ticket.idempotency_key else nullcontext():
            session.add(ticket)
            session.flush()
    except IntegrityError:
        if (earlier := _existing(session, ticket.idempotency_key)) is not None:
            raise DuplicateSubmission(earlier.number) from None
        raise
    _follow_up(session, [ticket])
    return ticket


def store_many(session: Session, tickets: list[Ticket]) -> None:
    """Prepared tickets together: one flush, which sends each table's rows as one multi-row INSERT. Any error
    leaves the whole batch to be rolled back and stored one by one (see hotline.group_commit)."""
    _number(session, tickets)
    session.add_all(tickets)
    session.flush()
    _follow_up(session, tickets)


def _number(session: Session, tickets: list[Ticket]) -> None:
    """Numbers of the day each ticket was received, one round trip per day (a batch may straddle midnight)."""
    by_day: dict[str, list[Ticket]] = {}
    for ticket in tickets:
        by_day.setdefault(local(ticket.created_at).strftime("%Y%m%d"), []).append(ticket)
    for same_day in by_day.values():
        numbers = next_ticket_numbers(session, same_day[0].created_at, len(same_day))
        for ticket, number in zip(same_day, numbers, strict=True):
            ticket.number = number


def _follow_up(session: Session, tickets: list[Ticket]) -> None:
    """Routing for every ticket, and the SMS receipt (number and query code) for those with a phone, within the
    phone's receipt cap (hotline.abuse)."""
    for ticket in tickets:
        jobs.hand_to_followers(session, ticket.id)
    outbox.queue_all(session, [
        outbox.Message("receipt", f"receipt:{ticket.id}", ticket.caller_phone,
                       {"number": ticket.number, "code": ticket.query_code}, ticket_id=ticket.id)
        for ticket in tickets if ticket.caller_phone and abuse.receipt_allowed(ticket.caller_phone)])


def record_call(session: Session, call: CallCreate, operator: Actor) -> Ticket:
    return store_one(session, prepare_call(session, call, operator))


def receive_letter(session: Session, letter: LetterCreate, *, accepted_before: bool = False) -> Ticket:
    """`accepted_before`: a letter a partner's request was already promised a token for; a block added since then
    applies to what arrives after it, not to this one."""
    return store_one(session, prepare_letter(session, letter, accepted_before=accepted_before))


def prepare_call(session: Session, call: CallCreate, operator: Actor) -> Ticket:
    ticket = Ticket(
        channel=call.channel,
        caller_name=call.caller_name,
        caller_phone=call.caller_phone,
        content=call.content,
        township=call.township,
        village=call.village,
        address=call.address,
        latitude=call.latitude,
        longitude=call.longitude,
        type=call.type,
        urgency=call.urgency,
        idempotency_key=call.idempotency_key,
    )
    return _prepare(session, ticket, operator, submit=False)


def prepare_letter(session: Session, letter: LetterCreate, *, public: bool = False,
                   accepted_before: bool = False) -> Ticket:
    """Letters need no operator, so they go straight to the dispatch queue. A phone on the block list is refused;
    a `public` letter (no account, no API key) also waits out its phone's limit (hotline.abuse). A resend with an
    idempotency key already used is told so first: the citizen's retry learns its number, not a wait."""
    if (earlier := _existing(session, letter.idempotency_key)) is not None:
        raise DuplicateSubmission(earlier.number)
    if not accepted_before:
        abuse.refuse_blocked(session, letter.phone)
    if public:
        abuse.admit_phone(letter.phone)
    ticket = Ticket(
        channel=letter.channel,
        caller_name=letter.name,
        caller_phone=letter.phone,
        title=letter.title,
        content=letter.content,
        township=letter.township,
        village=letter.village,
        address=letter.address,
        latitude=letter.latitude,
        longitude=letter.longitude,
        type=letter.type,
        idempotency_key=letter.idempotency_key,
    )
    return _prepare(session, ticket, CITIZEN_ACTOR, submit=True)


def receipt_text(ticket: Ticket) -> str:
    return outbox.TEMPLATES["receipt"].format(number=ticket.number, code=ticket.query_code)


