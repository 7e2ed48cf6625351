"""Live hotspots: each new ticket joins (or starts) a cluster as it arrives, and the commander works on them.

A minute's sweep takes the tickets not yet placed, oldest first, once routing has given them a category, and
applies the rule of command.hotspot_mining against the clusters of the ticket's township and catalogue family still in
the window: one indexed query and a few hundred cosines, not a rebuild. The commander merges two clusters,
splits tickets off, and turns a cluster into 督办 of its open tickets or 并单 into one of them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import msgspec
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from classifier.hotspot_terms import add, group, subtract, ticket_terms
from command.hotspot_mining import Figures, Item, best, figures, named, ticket_text
from command.models import HotspotCluster, HotspotMember
from dispatch import actions
from hotline import outbox
from hotline.clock import now
from hotline.database import session_scope
from hotline.models import Department, Staff, Ticket
from hotline.settings import get_settings
from hotline.vocabulary import Role, Status
from hotline.workflow import Actor, allowed_actions

log = logging.getLogger(__name__)
SWEEP_LIMIT = 2000  # tickets placed per sweep; a backlog (a big import) is worked off over a few minutes
ROUTING_WAIT = timedelta(minutes=5)  # how long a ticket waits for routing's category before it is placed without
NAMED_FROM = 50  # the latest members a name is read from


class HotspotRefused(Exception):
    """Answered 409/404 with a message the commander can act on."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.message, self.status = message, status


def _category(ticket: Ticket) -> str | None:
    return ticket.category_code or ticket.suggested_category


def _text(ticket: Ticket) -> str:
    return ticket_text(ticket.title, ticket.content, ticket.village, ticket.address)


_decode = msgspec.json.Decoder(dict[str, float]).decode  # json.loads's floats, bit for bit, in half the time:
# at 100,000 tickets a placement reads ~150 candidate centroids of ~150 terms (docs/hotspots.md «Cost, measured»)


def place(session: Session, ticket: Ticket, at: datetime | None = None, *, announce: bool = True) -> HotspotMember:
    """Put one ticket into the most alike live cluster, or start one. A sweep announces after its whole batch,
    so the commander's text gives the figures as they are once the minute's tickets are in."""
    settings = get_settings().hotspots
    at = at or now()
    category = _category(ticket)
    vector = ticket_terms(_text(ticket), category)
    query = select(HotspotCluster.id, HotspotCluster.centroid).where(
        HotspotCluster.state == "active", HotspotCluster.last_at >= ticket.created_at - timedelta(days=settings.window_days))
    if ticket.township:
        query = query.where(or_(HotspotCluster.township == ticket.township, HotspotCluster.township.is_(None)))
    if category:
        query = query.where(or_(HotspotCluster.category_code.startswith(group(category), autoescape=True),
                                HotspotCluster.category_code.is_(None)))
    match = best(vector, ((cid, _decode(centroid)) for cid, centroid in session.execute(query)), settings.threshold)
    if match is None:
        cluster = HotspotCluster(name="", township=ticket.township, category_code=category, state="active", size=0,
                                 callers=0, first_at=ticket.created_at, last_at=ticket.created_at, centroid="{}")
        session.add(cluster)
        session.flush()
    else:
        cluster = session.get(HotspotCluster, match[0])
    member = HotspotMember(ticket_id=ticket.id, cluster_id=cluster.id, terms=json.dumps(vector, ensure_ascii=False),
                           added_at=at)
    session.add(member)
    cluster.centroid = json.dumps(add(_decode(cluster.centroid), vector), ensure_ascii=False)
    cluster.township = cluster.township or ticket.township
    cluster.category_code = cluster.category_code or category
    session.flush()
    refresh(session, cluster)
    if announce:
        _announce_if_emerging(session, cluster, at)
    return member


def refresh(session: Session, cluster: HotspotCluster) -> None:
    """Size, callers, time span and name from the members as they are now."""
    size, callers, first, last = session.execute(
        select(func.count(), func.count(func.distinct(Ticket.caller_phone)), func.min(Ticket.created_at),
               func.max(Ticket.created_at))
        .select_from(HotspotMember).join(Ticket, Ticket.id == HotspotMember.ticket_id)
        .where(HotspotMember.cluster_id == cluster.id)).one()
    cluster.size, cluster.callers = size, callers
    if size:
        cluster.first_at, cluster.last_at = first, last
    latest = session.execute(
        select(Ticket.title, Ticket.content, Ticket.village, Ticket.address).join(
            HotspotMember, HotspotMember.ticket_id == Ticket.id).where(HotspotMember.cluster_id == cluster.id)
        .order_by(Ticket.created_at.desc()).limit(NAMED_FROM)).all()
    cluster.name = named(_decode(cluster.centroid), (" ".join(p for p in (v, a) if p) for _, _, v, a in latest),
                         (ticket_text(*row) for row in latest), cluster.township)


def _announce_if_emerging(session: Session, cluster: HotspotCluster, at: datetime) -> None:
    """Text every commander with a phone, once per cluster, when it crosses the size and callers thresholds."""
    settings = get_settings().hotspots
    if cluster.notified_at or cluster.size < settings.notify_size or cluster.callers < settings.notify_callers:
        return
    cluster.notified_at = at
    days = max(1, (cluster.last_at - cluster.first_at).days + 1)
    phones = session.scalars(select(Staff.phone).where(Staff.role == Role.COMMANDER, Staff.active.is_(True),
                                                       Staff.phone.is_not(None))).all()
    for phone in phones:
        outbox.queue(session, "staff_hotspot", dedupe_key=f"hotspot:{cluster.id}:{phone}", phone=phone,
                     place=cluster.township or "", name=cluster.name, days=days, size=cluster.size,
                     callers=cluster.callers)
    log.info("hotspot %s emerged: %s tickets from %s callers", cluster.id, cluster.size, cluster.callers)


def waiting(session: Session, at: datetime, limit: int = SWEEP_LIMIT) -> Sequence[Ticket]:
    """Live tickets of the window not yet placed, oldest first; a ticket still being routed waits its turn."""
    window = at - timedelta(days=get_settings().hotspots.window_days)
    placed = select(HotspotMember.ticket_id).where(HotspotMember.ticket_id == Ticket.id).exists()
    routed = or_(Ticket.classified_at.is_not(None), Ticket.category_code.is_not(None),
                 Ticket.created_at < at - ROUTING_WAIT)
    return session.scalars(select(Ticket).where(Ticket.imported_at.is_(None), Ticket.created_at >= window, ~placed,
                                                routed).order_by(Ticket.created_at, Ticket.id).limit(limit)).all()


def sweep(at: datetime | None = None) -> int:
    """The scheduled job: place every waiting ticket; returns how many."""
    at = at or now()
    with session_scope() as session:
        tickets = waiting(session, at)
        touched = {place(session, ticket, at, announce=False).cluster_id for ticket in tickets}
        for cluster_id in sorted(touched):
            cluster = session.get(HotspotCluster, cluster_id)
            if cluster is not None and cluster.state == "active":
                _announce_if_emerging(session, cluster, at)
    return len(tickets)


SCHEDULE = [(sweep, "* * * * *")]


# ---- what the board and the commander see -------------------------------------------------------------------

@dataclass(frozen=True)
class Ranked:
    cluster: HotspotCluster
    figures: Figures
    units: list[str]


def ranked(session: Session, at: datetime, limit: int, min_size: int = 2) -> list[Ranked]:
    """The window's clusters of ``min_size`` or more, hottest first (heat among the ``3 × limit`` largest)."""
    since = at - timedelta(days=get_settings().hotspots.window_days)
    clusters = session.scalars(select(HotspotCluster).where(
        HotspotCluster.state == "active", HotspotCluster.size >= min_size, HotspotCluster.last_at >= since)
        .order_by(HotspotCluster.size.desc(), HotspotCluster.last_at.desc()).limit(limit * 3)).all()
    out = _rank_all(session, clusters, at)
    out.sort(key=lambda r: (-r.figures.heat, -r.cluster.last_at.timestamp()))
    return out[:limit]


def rank(session: Session, cluster: HotspotCluster, at: datetime) -> Ranked:
    return _rank_all(session, [cluster], at)[0]


def _rank_all(session: Session, clusters: Sequence[HotspotCluster], at: datetime) -> list[Ranked]:
    """Figures and units of each cluster: one query for all their members, one for the units' names."""
    rows_of: dict[int, list[Any]] = {c.id: [] for c in clusters}
    if rows_of:
        for row in session.execute(select(HotspotMember.cluster_id, Ticket.number, Ticket.created_at,
                                          Ticket.closed_at, Ticket.caller_phone, Ticket.lead_department_id)
                                   .join(HotspotMember, HotspotMember.ticket_id == Ticket.id)
                                   .where(HotspotMember.cluster_id.in_(rows_of))):
            rows_of[row.cluster_id].append(row)
    unit_ids = {r.lead_department_id for rows in rows_of.values() for r in rows if r.lead_department_id}
    names = dict(session.execute(select(Department.id, Department.name).where(Department.id.in_(unit_ids))).all()) \
        if unit_ids else {}
    out = []
    for cluster in clusters:
        rows = rows_of[cluster.id]
        items = [Item(key=r.number, at=r.created_at, text="", township=None, category=None, caller=r.caller_phone,
                      closed_at=r.closed_at) for r in rows]
        units = sorted(names[i] for i in {r.lead_department_id for r in rows if r.lead_department_id} if i in names)
        out.append(Ranked(cluster, figures(items, at), units))
    return out


def members(session: Session, cluster_id: int) -> Sequence[Ticket]:
    return session.scalars(select(Ticket).join(HotspotMember, HotspotMember.ticket_id == Ticket.id)
                           .where(HotspotMember.cluster_id == cluster_id).order_by(Ticket.created_at)).all()


def get_active(session: Session, cluster_id: int) -> HotspotCluster:
    cluster = session.get(HotspotCluster, cluster_id)
    if cluster is None:
        raise HotspotRefused(f"热点 {cluster_id} 不存在", status=404)
    if cluster.state != "active":
        raise HotspotRefused(f"热点 {cluster_id} 已并入热点 {cluster.merged_into_id}，请在该热点上操作")
    return cluster


# ---- the commander's hand -----------------------------------------------------------------------------------

def merge(session: Session, keep_id: int, other_id: int) -> HotspotCluster:
    """Two clusters are one problem: the other's tickets move to ``keep``, the other is marked merged."""
    if keep_id == other_id:
        raise HotspotRefused("不能把热点与自己合并", status=400)
    keep, other = get_active(session, keep_id), get_active(session, other_id)
    for member in session.scalars(select(HotspotMember).where(HotspotMember.cluster_id == other.id)):
        member.cluster_id, member.by_hand = keep.id, True
    keep.centroid = json.dumps(add(json.loads(keep.centroid), json.loads(other.centroid)), ensure_ascii=False)
    other.state, other.merged_into_id, other.size, other.callers = "merged", keep.id, 0, 0
    keep.by_hand = True
    session.flush()
    refresh(session, keep)
    return keep


def split(session: Session, cluster_id: int, numbers: Sequence[str]) -> HotspotCluster:
    """These tickets are another problem: they leave for a new cluster of their own."""
    cluster = get_active(session, cluster_id)
    wanted = set(numbers)
    moving = session.execute(select(HotspotMember, Ticket.number).join(Ticket, Ticket.id == HotspotMember.ticket_id)
                             .where(HotspotMember.cluster_id == cluster.id)).all()
    found = {number for _, number in moving if number in wanted}
    if missing := sorted(wanted - found):
        raise HotspotRefused(f"工单 {'、'.join(missing)} 不在热点 {cluster.id} 中", status=400)
    if len(found) >= len(moving):
        raise HotspotRefused("拆分后原热点不能为空：请至少留下一件工单", status=400)
    first = min(m.added_at for m, n in moving if n in found)
    new = HotspotCluster(name="", township=cluster.township, category_code=cluster.category_code, state="active",
                         size=0, callers=0, first_at=first, last_at=first, centroid="{}", by_hand=True)
    session.add(new)
    session.flush()
    centroid, rest = {}, json.loads(cluster.centroid)
    for member, number in moving:
        if number in found:
            terms = json.loads(member.terms)
            member.cluster_id, member.by_hand = new.id, True
            centroid, rest = add(centroid, terms), subtract(rest, terms)
    new.centroid, cluster.centroid, cluster.by_hand = json.dumps(centroid, ensure_ascii=False), json.dumps(rest, ensure_ascii=False), True
    session.flush()
    refresh(session, cluster)
    refresh(session, new)
    return new


@dataclass(frozen=True)
class Outcome:
    done: list[str]
    skipped: dict[str, str]  # number → why not


def supervise(session: Session, cluster_id: int, commander: Actor, message: str,
              respond_within_days: float | None) -> Outcome:
    """督办 every member ticket whose clock is running; the others are listed with their state."""
    cluster = get_active(session, cluster_id)
    done, skipped = [], {}
    for ticket in members(session, cluster.id):
        if "supervise" not in allowed_actions(ticket.status, commander.role):
            skipped[ticket.number] = f"状态为「{Status(ticket.status).label}」，不能督办"
            continue
        actions.supervise(session, ticket, commander, message, respond_within_days)
        done.append(ticket.number)
    if not done:
        raise HotspotRefused("热点中没有可督办的工单（都已办结、并单或尚未派单）")
    return Outcome(done, skipped)


def merge_tickets(session: Session, cluster_id: int, parent_number: str, commander: Actor, note: str | None) -> Outcome:
    """并单: every other member that may still be merged follows ``parent_number``, which must be in the cluster."""
    cluster = get_active(session, cluster_id)
    tickets = members(session, cluster.id)
    parent = next((t for t in tickets if t.number == parent_number), None)
    if parent is None:
        raise HotspotRefused(f"主工单 {parent_number} 不在热点 {cluster.id} 中", status=400)
    done, skipped = [], {}
    for ticket in tickets:
        if ticket.id == parent.id:
            continue
        if "merge" not in allowed_actions(ticket.status, commander.role):
            skipped[ticket.number] = f"状态为「{Status(ticket.status).label}」，不能并单"
            continue
        actions.merge(session, ticket, parent, commander, note or f"热点「{cluster.name}」并单")
        done.append(ticket.number)
    if not done:
        raise HotspotRefused("热点中没有可并入的工单（都已派出办理、办结或已并单）")
    return Outcome(done, skipped)

