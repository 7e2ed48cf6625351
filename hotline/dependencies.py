"""Litestar dependencies and guards shared by every package's controllers."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from litestar.connection import ASGIConnection
from litestar.exceptions import PermissionDeniedException
from litestar.handlers import BaseRouteHandler
from sqlalchemy.orm import Session

from hotline.database import get_session_factory
from hotline.vocabulary import Role


def provide_session() -> Iterator[Session]:
    """A session per request; handlers commit explicitly, anything uncommitted is rolled back."""
    session = get_session_factory()()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def roles(*allowed: Role) -> Callable[[ASGIConnection, BaseRouteHandler], None]:
    names = "、".join(role.label for role in allowed)

    def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        user = connection.scope.get("user")  # absent, not None, where sign-in let the request through
        if user is None or user.role not in allowed:
            raise PermissionDeniedException(f"无权访问：仅限{names}")

    return guard
