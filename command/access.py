"""Who may watch the board, and how a browser proves it without putting a lasting secret in a URL.

Staff sign in as usual (JWT); a wall display holds a device token that a commander issued. Either is exchanged,
over a POST, for a one-time websocket pass that lives 30 seconds in Redis and is consumed on connect. A pass that
leaks into an access log is already spent. (A "pass", so that "ticket" only ever means a ticket, 工单.)
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
BOARD_ROLES = frozenset({Role.COMMANDER.value, Role.AUDITOR.value, Role.LEADER.value, DEVICE})
DEVICE_MANAGERS = (Role.COMMANDER, Role.ADMIN)
PASS_PREFIX = "hotline:board:pass:"
DEVICE_TOKEN_PREFIX = "bd_"


class Grant(msgspec.Struct, frozen=True):
    """What a websocket pass stands for."""

    role: str
    subject: int  # staff id, or device id
    name: str
    version: int | None = None  # a staff grant: the token version of the sign-in it came from (command.revocation)


def _digest(secret: str) -> str:
    """Tokens and passes are random and long, so a plain SHA-256 is enough to keep only a digest."""
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
class PassOffice:
    redis: Redis
    lifetime: int

    async def issue(self, grant: Grant) -> str:
        if grant.role not in BOARD_ROLES:
            raise PermissionError(grant.role)
        board_pass = secrets.token_urlsafe(32)
        await self.redis.set(PASS_PREFIX + _digest(board_pass), msgspec.json.encode(grant), ex=self.lifetime)
        return board_pass

    async def redeem(self, board_pass: str | None) -> Grant | None:
        """The grant behind a pass, once: GETDEL makes a second use (or a replay from a log) find nothing."""
        if not board_pass or len(board_pass) > 128:
            return None
        raw = await self.redis.getdel(PASS_PREFIX + _digest(board_pass))
        if raw is None:
            return None
        grant = msgspec.json.decode(raw, type=Grant)
        return grant if grant.role in BOARD_ROLES else None
