"""HTTP and websocket endpoints of the command center, and the plugins and lifespan hooks they need."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from litestar import Controller, Request, delete, get, post, websocket
from litestar.connection import WebSocket
from litestar.exceptions import (
    NotAuthorizedException,
    NotFoundException,
    ServiceUnavailableException,
    WebSocketDisconnect,
)
from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.orm import Session

import command.models  # noqa: F401  - registers the board's table on the shared metadata
from command import runtime
from command.access import DEVICE, DEVICE_MANAGERS, Grant, find_device, new_device_token
from command.connection import serve
from command.models import BoardDevice
from command.origin import origin_allowed
from command.schemas import DeviceCreate, DeviceCreated, DevicePassRequest, DeviceRead, PassGrant
from hotline.clock import now
from hotline.dependencies import roles
from hotline.settings import get_settings
from hotline.vocabulary import Role

log = logging.getLogger(__name__)

WS_PATH = "/api/board/ws"
CLOSE_POLICY = 1008


def _runtime(request: Request) -> runtime.BoardRuntime:
    board = runtime.of(request.app)
    if board is None:
        raise ServiceUnavailableException("指挥大屏数据流未启动")
    return board


async def _grant(request: Request, grant: Grant) -> PassGrant:
    board = _runtime(request)
    try:
        board_pass = await board.passes.issue(grant)
    except RedisError as exc:
        raise ServiceUnavailableException("指挥大屏暂不可用，请稍后再试") from exc
    return PassGrant(board_pass=board_pass, expires_in=board.settings.pass_seconds, ws_path=WS_PATH)


def _device_read(device: BoardDevice) -> DeviceRead:
    return DeviceRead(id=device.id, name=device.name, created_at=device.created_at,
                      last_used_at=device.last_used_at, revoked_at=device.revoked_at)


class BoardController(Controller):
    path = "/api/board"
    tags = ["board"]

    @post("/pass", guards=[roles(Role.COMMANDER, Role.AUDITOR, Role.LEADER)], status_code=200)
    async def staff_pass(self, request: Request) -> PassGrant:
        """A one-time websocket pass for a signed-in commander or auditor."""
        user = request.user
        version = request.auth.extras.get("ver", 0)  # closed when the account's tokens are revoked
        return await _grant(request, Grant(role=user.role, subject=user.id, name=user.name or "", version=version))

    @post("/device-pass", opt={"public": True}, status_code=200)
    async def device_pass(self, request: Request, data: DevicePassRequest, db_session: Session) -> PassGrant:
        """A one-time websocket pass for a wall display, in exchange for its device token (sent in the body)."""
        from anyio import to_thread

        def lookup() -> Grant | None:
            device = find_device(db_session, data.token)
            if device is None:
                return None
            db_session.commit()
            return Grant(role=DEVICE, subject=device.id, name=device.name)

        grant = await to_thread.run_sync(lookup)
        if grant is None:
            raise NotAuthorizedException("设备令牌无效或已停用")
        return await _grant(request, grant)

    @get("/devices", guards=[roles(*DEVICE_MANAGERS)], sync_to_thread=True)
    def list_devices(self, db_session: Session) -> list[DeviceRead]:
        return [_device_read(d) for d in db_session.scalars(select(BoardDevice).order_by(BoardDevice.id))]

    @post("/devices", guards=[roles(*DEVICE_MANAGERS)], sync_to_thread=True)
    def create_device(self, data: DeviceCreate, db_session: Session, request: Request) -> DeviceCreated:
        """Register a wall display; its token is shown once here and then only its hash is kept."""
        token, digest = new_device_token()
        device = BoardDevice(name=data.name, token_hash=digest, created_by=request.user.id, created_at=now())
        db_session.add(device)
        db_session.commit()
        return DeviceCreated(device=_device_read(device), token=token)

    @delete("/devices/{device_id:int}", guards=[roles(*DEVICE_MANAGERS)], sync_to_thread=True)
    def revoke_device(self, device_id: int, db_session: Session) -> None:
        device = db_session.get(BoardDevice, device_id)
        if device is None:
            raise NotFoundException("设备不存在")
        if device.revoked_at is None:  # its open sockets close within command.revocation.CHECK_SECONDS
            device.revoked_at = now()
            db_session.commit()


@websocket(WS_PATH, opt={"public": True})
async def board_socket(socket: WebSocket, after: int | None = None) -> None:
    """The live board. The Origin and the pass are checked before the handshake completes: HTTP 403 if either
    fails; a foreign page's attempt does not use the pass up (command/origin.py)."""
    board_pass = socket.query_params.get("pass")  # `?pass=`: a Python keyword, so not a handler parameter
    board = runtime.of(socket.app)
    grant, why = None, "no valid pass"
    origin = socket.headers.get("origin")
    if not origin_allowed(origin, socket.headers.get("host"), get_settings().board_allowed_origins):
        why = f"origin {origin!r} not allowed"
    elif board is None:
        why = "board runtime not started"
    else:
        try:
            grant = await board.passes.redeem(board_pass)
        except RedisError as exc:
            why = f"pass store unavailable ({exc.__class__.__name__})"
    if board is None or grant is None:  # grant is None whenever the Origin or the runtime failed
        log.warning("board connection refused: %s", why)
        await socket.close(CLOSE_POLICY, "pass required")
        return
    try:
        await socket.accept()
        log.info("board connected: %s %s (after=%s)", grant.role, grant.name, after)
        await serve(socket, board, after if after is not None and after >= 0 else None, grant)
    except (WebSocketDisconnect, OSError) as exc:  # the board went away mid-send: nothing to report
        log.debug("board disconnected: %r", exc)


ROUTES: list[Any] = [BoardController, board_socket]
ON_STARTUP: list[Callable[..., Any]] = [runtime.start_board]
ON_SHUTDOWN: list[Callable[..., Any]] = [runtime.stop_board]


