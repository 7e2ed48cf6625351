"""The request session's clean-up: a connection that broke under it must not turn a 503 into a 500."""

from __future__ import annotations

import asyncio

from sqlalchemy.exc import OperationalError

from hotline.dependencies import provide_session


def test_a_broken_connection_at_clean_up_is_dropped_not_raised(app, monkeypatch):
    dropped = []

    async def one_request() -> None:
        sessions = provide_session()
        session = await anext(sessions)

        def close() -> None:
            raise OperationalError("ROLLBACK", {}, Exception("server closed the connection unexpectedly"))

        monkeypatch.setattr(session, "close", close)
        monkeypatch.setattr(session, "invalidate", lambda: dropped.append(True))
        await sessions.aclose()

    asyncio.run(one_request())
    assert dropped == [True]
