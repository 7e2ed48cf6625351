"""Closing the boards whose right to watch was taken away: a revoked device token, or a staff account that was
deactivated, given a new role or unit, or had its password reset (its token version raised).

Each web process looks every `CHECK_SECONDS`, while boards are connected, with one database read for the
connected boards' staff and devices (the database is the truth; a board is long-lived, a read per second per
process is nothing beside it). A revoked board gets a `revoked` frame and close code 4003 within
`CHECK_SECONDS` plus the read, so within 2 s; the page then asks for a pass again, is refused, and asks to sign in.
"""

from __future__ import annotations

import asyncio
import logging

import msgspec
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from command.access import DEVICE
from command.hub import CLOSE_REVOKED, Hub
from command.models import BoardDevice
from command.schemas import Revoked
from hotline.database import get_session_factory
from hotline.models import Staff

log = logging.getLogger(__name__)

CHECK_SECONDS = 1.0
REVOKED_TEXT = msgspec.json.encode(Revoked(reason="登录已失效或设备已停用，请重新登录")).decode()


def revoked(staff: dict[int, int | None], devices: set[int]) -> tuple[set[int], set[int]]:
    """Of the watching staff (id -> token version of their grant) and devices, those no longer allowed."""
    session = get_session_factory()()
    try:
        current = {row.id: row for row in session.execute(
            select(Staff.id, Staff.token_version, Staff.active).where(Staff.id.in_(list(staff))))} if staff else {}
        gone_staff = {i for i, version in staff.items()
                      if i not in current or not current[i].active or (version or 0) < current[i].token_version}
        alive = set(session.scalars(select(BoardDevice.id).where(
            BoardDevice.id.in_(list(devices)), BoardDevice.revoked_at.is_(None)))) if devices else set()
        return gone_staff, devices - alive
    finally:
        session.close()


def sweep(hub: Hub, gone_staff: set[int], gone_devices: set[int]) -> int:
    closed = 0
    for client in list(hub.clients):
        grant = client.grant
        if grant is None:
            continue
        if (grant.subject in gone_devices) if grant.role == DEVICE else (grant.subject in gone_staff):
            client.push(None, REVOKED_TEXT, CLOSE_REVOKED)
            closed += 1
    return closed


async def watch(hub: Hub, every: float = CHECK_SECONDS) -> None:
    """The runtime's task: look, close the revoked, sleep."""
    while True:
        await asyncio.sleep(every)
        grants = [c.grant for c in hub.clients if c.grant is not None]
        if not grants:
            continue
        staff = {g.subject: g.version for g in grants if g.role != DEVICE}
        devices = {g.subject for g in grants if g.role == DEVICE}
        try:
            gone_staff, gone_devices = await asyncio.to_thread(revoked, staff, devices)
        except SQLAlchemyError as exc:
            log.warning("board revocation check skipped: database unavailable (%s)", exc.__class__.__name__)
            continue
        if closed := sweep(hub, gone_staff, gone_devices):
            log.info("board: %s connection(s) closed, their access was revoked", closed)
