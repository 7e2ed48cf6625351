"""The status changes owed to a platform, written in the transaction of the step that made them.

Every step on a ticket appends a `ticket_event` (hotline.workflow.apply) in its own transaction. After each flush,
the new events that moved a 数字城管 ticket to another status become `city_management_callback` rows in that same
transaction, so a step is never committed without its callback nor a callback without its step; the send is an
RQ job after the commit (hotline.city_management.delivery). Registered once per process (web.process.prepare),
like routing's follower.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from hotline import jobs
from hotline.city_management.delivery import deliver
from hotline.city_management.models import CityCallback, CityEvent, CitySystem
from hotline.clock import local, now
from hotline.models import Department, Ticket, TicketEvent
from hotline.vocabulary import Action, Channel, Status
from hotline.workflow import OPEN, action_label


def payload(event_id: str, ticket: Ticket, step: TicketEvent, department: str | None) -> dict[str, Any]:
    """What the platform is told, as it is told it (times in +08:00)."""
    return {"event_id": event_id, "ticket_number": ticket.number, "status": step.to_status,
            "status_label": Status(step.to_status).label, "finished": step.to_status not in OPEN,
            "action": step.action, "action_label": action_label(step.action), "department": department,
            "occurred_at": local(step.created_at).isoformat(timespec="seconds"), "sequence": step.id}


def _moves(session: Session) -> list[tuple[TicketEvent, Ticket]]:
    """New events that changed the status of a 数字城管 ticket; the ticket is in the session (apply had it)."""
    found = []
    for item in session.new:
        if not isinstance(item, TicketEvent) or item.from_status == item.to_status or item.action == Action.RECEIVE:
            continue
        ticket = session.identity_map.get(identity_key(Ticket, item.ticket_id))
        if ticket is not None and ticket.channel == Channel.CITY_MANAGEMENT:
            found.append((item, ticket))
    return found


def _owe(session: Session, _flush_context: Any) -> None:
    moves = _moves(session)
    if not moves:
        return
    connection = session.connection()
    links = {ticket_id: (link_id, event_id) for ticket_id, link_id, event_id in connection.execute(
        select(CityEvent.ticket_id, CityEvent.id, CityEvent.event_id)
        .join(CitySystem, CitySystem.id == CityEvent.system_id)
        .where(CityEvent.ticket_id.in_({ticket.id for _, ticket in moves}),
               CitySystem.callback_url.is_not(None), CitySystem.revoked_at.is_(None)))}
    if not links:
        return
    wanted = {step.department_id for step, _ in moves if step.department_id is not None}
    names = dict(connection.execute(select(Department.id, Department.name).where(Department.id.in_(wanted))).all()) \
        if wanted else {}
    moment = now()
    for step, ticket in sorted(moves, key=lambda move: move[0].id):
        if ticket.id not in links:
            continue
        link_id, event_id = links[ticket.id]
        callback_id = connection.execute(insert(CityCallback).returning(CityCallback.id), {
            "city_event_id": link_id, "ticket_event_id": step.id, "state": "pending", "attempts": 0,
            "payload": payload(event_id, ticket, step, names.get(step.department_id)),
            "next_attempt_at": moment, "created_at": moment}).scalar_one()
        jobs.after_commit_each(session, deliver, callback_id)


def watch_tickets() -> None:
    """Write a platform's callbacks with every step of its tickets, in every process that takes steps."""
    if not event.contains(Session, "after_flush", _owe):
        event.listen(Session, "after_flush", _owe)
