"""The wall's hotspot panel: the hottest clusters of command.hotspots, reduced to masked names and counts.

A cluster's name is already masked when it is made; here it is masked once more against its own members' callers
(their names and phones), since the wall is seen by people who are no staff of those tickets.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from command.hotspots import Ranked, ranked
from command.models import HotspotMember
from command.schemas import HotspotItem
from hotline.models import Ticket
from hotline.redaction import redact

SHOWN = 8  # what fits the panel, legible from across the room


def _callers(session: Session, cluster_ids: list[int]) -> dict[int, tuple[set[str], set[str]]]:
    """Each cluster's callers' names and phones, in one query for all the shown clusters."""
    known: dict[int, tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
    if not cluster_ids:
        return known
    rows = session.execute(select(HotspotMember.cluster_id, Ticket.caller_name, Ticket.caller_phone)
                           .join(Ticket, Ticket.id == HotspotMember.ticket_id)
                           .where(HotspotMember.cluster_id.in_(cluster_ids)).distinct())
    for cluster_id, caller_name, caller_phone in rows:
        names, phones = known[cluster_id]
        names.update([caller_name] if caller_name else [])
        phones.update([caller_phone] if caller_phone else [])
    return known


def _item(r: Ranked, names: set[str], phones: set[str]) -> HotspotItem:
    c, f = r.cluster, r.figures
    return HotspotItem(id=c.id, name=redact(c.name, names=names, phones=phones) or "未命名热点", township=c.township,
                       tickets=f.size, callers=f.callers, last_day=f.last_day, repeats=f.repeats, heat=f.heat,
                       first_at=c.first_at, last_at=c.last_at, units=r.units)


def board_hotspots(session: Session, at: datetime, limit: int = SHOWN) -> list[HotspotItem]:
    """The window's clusters of two or more tickets, hottest first, as of ``at``."""
    top = ranked(session, at, limit)
    known = _callers(session, [r.cluster.id for r in top])
    return [_item(r, *known[r.cluster.id]) for r in top]
