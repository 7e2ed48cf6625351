"""Litestar dependencies and guards shared by every package's controllers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

from litestar.connection import ASGIConnection
from litestar.di import Provide
from litestar.exceptions import PermissionDeniedException
from litestar.handlers import BaseRouteHandler
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from hotline.database import get_session_factory
from hotline.vocabulary import Role


async def provide_session() -> AsyncIterator[Session]:
    """A session per request; handlers commit explicitly, anything uncommitted is rolled back.

    Async on purpose: the clean-up, which hands the connection back to the pool, then runs on the event loop.
    A sync generator's clean-up runs in the same small thread pool as the sync handlers, and under overload every
    thread ended up waiting for a connection that only a queued clean-up could return (all stalled until the pool
    timeout, then a burst of 503s). Closing is quick: no query, just the pool's reset of the connection.
    """
    session = get_session_factory()()
    try:
        yield session
    finally:
        try:
            session.close()  # rolls back whatever was not committed and hands the connection back
        except SQLAlchemyError:  # the connection broke (the database restarting): the handler's error is the answer
            session.invalidate()


DEPENDENCIES = {"db_session": Provide(provide_session)}  # declared once, for the whole app (web.app)


def roles(*allowed: Role) -> Callable[[ASGIConnection, BaseRouteHandler], None]:
    names = "、".join(role.label for role in allowed)

    def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        user = connection.scope.get("user")  # absent, not None, where sign-in let the request through
        if user is None or user.role not in allowed:
            raise PermissionDeniedException(f"无权访问：仅限{names}")

    return guard
