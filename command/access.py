"""Who may watch the board, and how a browser proves it without putting a lasting secret in a URL.

Staff sign in as usual (JWT); a wall display holds a device token that a commander issued. Either is exchanged,
over a POST, for a one-time websocket ticket that lives 30 seconds in Redis and is consumed on connect. A ticket
that leaks into an access log is already spent.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

import msgspec
from redis.asyncio import Redis
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from command.models import BoardDevice
from hotline.clock import now
from hotline.vocabulary import Role

DEVICE = "device"
BOARD_ROLES = frozenset({Role.COMMANDER.value, Role.AUDITOR.value, DEVICE})
DEVICE_MANAGERS = (Role.COMMANDER, Role.ADMIN)
TICKET_PREFIX = "hotline:board:wsticket:"
DEVICE_TOKEN_PREFIX = "bd_"


class Grant(msgspec.Struct, frozen=True):
    """What a websocket ticket stands for."""

    role: str
    subject: int  # staff id, or device id
    name: str


def _digest(secret: str) -> str:
    """Tokens and tickets are random and long, so a plain SHA-256 is enough to keep only a digest."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_device_token() -> tuple[str, str]:
    token = DEVICE_TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, _digest(token)


def find_device(session: Session, token: str) -> BoardDevice | None:
    device = session.scalars(select(BoardDevice).where(BoardDevice.token_hash == _digest(token),
                                                       BoardDevice.revoked_at.is_(None))).first()
    if device is not None:
        session.execute(update(BoardDevice).where(BoardDevice.id == device.id).values(last_used_at=now()))
    return device


@dataclass(frozen=True)
class TicketOffice:
    redis: Redis
    lifetime: int

    async def issue(self, grant: Grant) -> str:
        if grant.role not in BOARD_ROLES:
            raise PermissionError(grant.role)
        ticket = secrets.token_urlsafe(32)
        await self.redis.set(TICKET_PREFIX + _digest(ticket), msgspec.json.encode(grant), ex=self.lifetime)
        return ticket

    async def redeem(self, ticket: str | None) -> Grant | None:
        """The grant behind a ticket, once: GETDEL makes a second use (or a replay from a log) find nothing."""
        if not ticket or len(ticket) > 128:
            return None
        raw = await self.redis.getdel(TICKET_PREFIX + _digest(ticket))
        if raw is None:
            return None
        grant = msgspec.json.decode(raw, type=Grant)
        return grant if grant.role in BOARD_ROLES else None
