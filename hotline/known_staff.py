"""Which account ids exist, learned from the database once per id per process.

Why: a signed token is trusted for its claims without a database read, but a token can outlive its account's row
(a database restored or rebuilt under a running server, an id from another installation signed with the same key).
Acting as an account that is not there wrote events with a dangling actor (a 500 on PostgreSQL, an unattributed
audit row on SQLite). Accounts are deactivated, never deleted, so an id once found stays known; only an id not
found costs a read each time, and only a token signed with our key can name one.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from hotline.database import get_session_factory
from hotline.models import Staff


def _exists(staff_id: int) -> bool:
    session = get_session_factory()()
    try:
        return session.scalar(select(Staff.id).where(Staff.id == staff_id)) is not None
    finally:
        session.close()


class KnownStaff:
    def __init__(self) -> None:
        self._ids: set[int] = set()

    async def exists(self, staff_id: int) -> bool:
        if staff_id in self._ids:
            return True
        if await asyncio.to_thread(_exists, staff_id):
            self._ids.add(staff_id)
            return True
        return False
