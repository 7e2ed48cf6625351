"""A dependency that is down is a 503 with a Chinese sentence and Retry-After, never a 500.

Redis away (killed, restarting, paused past the client's timeout) or the database away (restarting, refusing
connections, a connection cut mid-request): the request could not be served now and may simply be sent again.
Intake sends an idempotency key, so a retry after a 503 either stores the ticket or answers that it was stored.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from redis.exceptions import BusyLoadingError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

log = logging.getLogger("web.outage")

RETRY_AFTER_SECONDS = 5
REDIS_DOWN = "系统繁忙：缓存服务暂时不可用，请稍后重试"
DATABASE_DOWN = "系统繁忙：数据库暂时不可用，请稍后重试"


def _unavailable(detail: str, what: str, request: Request, exc: Exception) -> Response[dict[str, Any]]:
    log.warning("503 for %s %s: %s unavailable (%s)", request.method, request.url.path, what, type(exc).__name__)
    return Response({"status_code": 503, "detail": detail}, status_code=503,
                    headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def redis_unavailable(request: Request, exc: Exception) -> Response[dict[str, Any]]:
    return _unavailable(REDIS_DOWN, "Redis", request, exc)


def database_unavailable(request: Request, exc: Exception) -> Response[dict[str, Any]]:
    return _unavailable(DATABASE_DOWN, "database", request, exc)


OUTAGE_HANDLERS: dict[type[Exception], Any] = {
    RedisConnectionError: redis_unavailable,
    RedisTimeoutError: redis_unavailable,
    BusyLoadingError: redis_unavailable,
    OperationalError: database_unavailable,
    InterfaceError: database_unavailable,
    PoolTimeout: database_unavailable,
}
