"""A platform event becomes a letter of channel 数字城管 through hotline's intake, once per (platform, event id).

So it gets the same numbering, event log, classification and dispatch as every other letter. A resend, or two
submissions racing, meet the unique (system, event id): the loser's whole transaction (its ticket included) is
rolled back and it answers the winner's ticket.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotline import intake
from hotline.city_management.models import CityEvent, CitySystem
from hotline.city_management.schemas import EventCreate
from hotline.clock import local
from hotline.models import Ticket
from hotline.schemas import PartnerLetter
from hotline.vocabulary import Channel, TicketType

DEFAULT_TITLE = "数字城管案件"


def find(session: Session, system: CitySystem, event_id: str) -> tuple[CityEvent, Ticket] | None:
    row = session.execute(select(CityEvent, Ticket).join(Ticket, Ticket.id == CityEvent.ticket_id)
                          .where(CityEvent.system_id == system.id, CityEvent.event_id == event_id)).first()
    return (row[0], row[1]) if row else None


def _content(event: EventCreate) -> str:
    """The platform's words first, then what a handler needs and a ticket has no field for."""
    lines = [event.description, f"【数字城管案件号】{event.event_id}"]
    if event.category:
        lines.append(f"【案件类别】{event.category}")
    lines.append(f"【上报人】{event.reporter_type.label}")
    lines.append(f"【上报时间】{local(event.reported_at):%Y-%m-%d %H:%M}")
    lines += [f"【图片】{url}" for url in event.photo_urls]
    return "\n".join(lines)


def letter_of(session: Session, event: EventCreate) -> PartnerLetter:
    """No phone: the platform follows the ticket, so no receipt SMS goes anywhere. Without a township the
    address may name one, so that the township's own dispatch-catalogue entry applies."""
    township, village = event.township, event.community
    if township is None:
        township, village = intake.places_named_in(session, event.address)
    address = event.address or (f"{township}{village or ''}" if township else None)
    letter = PartnerLetter(title=(event.category or DEFAULT_TITLE)[:100], content=_content(event), phone=None,
                           channel=Channel.APP, type=TicketType.HELP, township=township,
                           village=village, address=address, latitude=event.latitude,
                           longitude=event.longitude)
    # LetterCreate admits only the citizens' own channels (its check guards the public form); a partner system's
    # report is a letter of its own channel, set once the letter is checked.
    letter.channel = Channel.CITY_MANAGEMENT
    return letter


def file_event(session: Session, system: CitySystem, event: EventCreate) -> tuple[CityEvent, Ticket, bool]:
    """(link, ticket, created). Committed here: the answer must not promise a ticket that is not stored."""
    if (found := find(session, system, event.event_id)) is not None:
        session.commit()  # the key's last use
        return (*found, False)
    ticket = intake.receive_letter(session, letter_of(session, event))
    link = CityEvent(system_id=system.id, event_id=event.event_id, ticket_id=ticket.id, category=event.category,
                     reporter_type=event.reporter_type, reported_at=event.reported_at,
                     photo_urls=list(event.photo_urls), created_at=ticket.created_at)
    session.add(link)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()  # the same event filed a moment ago by a concurrent request: its ticket is the answer
        if (found := find(session, system, event.event_id)) is None:
            raise
        return (*found, False)
    return link, ticket, True
