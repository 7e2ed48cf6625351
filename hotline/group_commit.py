"""Group commit: the calls and letters that arrive together in one web process share one transaction.

Why: at the intake peak every ticket paid alone for what a batch pays once: the hand-off to a thread, the unit of
work's flush, the commit (a WAL flush in the database), the Redis round trip that enqueues its jobs and the board
nudge. Nothing is acknowledged before its commit: each request waits for the commit of the batch it joined, and
a request that arrives alone is a batch of one, written exactly as before.

A batch is what queued up while the previous one was being written, plus what arrives within GATHER_SECONDS of
its first ticket, so it grows with the load and adds at most 2 ms when there is none. If anything goes wrong in a
batch before its commit (a race lost on an idempotency key, a value the database refuses), the batch is rolled
back and each ticket is written on its own, so one bad ticket never fails the others and each gets its own
answer. If the commit itself fails, nobody is told 201: the outcome is as unknown as a lone request's failed
commit, and each request gets that error.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from anyio import to_thread
from litestar.exceptions import ServiceUnavailableException
from sqlalchemy.orm import Session

from hotline import intake
from hotline.database import get_session_factory
from hotline.models import Ticket

MAX_BATCH = 100
# After the first arrival, wait this long for the others. The answers to one batch go out together, so their
# clients' next requests come back together too, and without the wait the first of them was written alone.
GATHER_SECONDS = 0.002
STOPPING = "系统正在重启，工单未保存，请稍后重新提交"
Prepare = Callable[[Session], Ticket]
Outcome = tuple[Ticket | None, BaseException | None]


@dataclass(slots=True)
class _Waiting:
    prepare: Prepare
    answer: asyncio.Future[Ticket]


class GroupCommit:
    """One per web process, started and stopped with the app (it belongs to the app's event loop)."""

    def __init__(self, max_batch: int = MAX_BATCH) -> None:
        self._max_batch = max_batch
        self._waiting: deque[_Waiting] = deque()
        self._arrived: asyncio.Event | None = None
        self._writer: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._arrived = asyncio.Event()
        # one writer: a second one per process, writing while the first waits on the database, was no faster
        self._writer = asyncio.create_task(self._write_batches(), name="group-commit")

    async def stop(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
            await asyncio.gather(self._writer, return_exceptions=True)
            self._writer = None
        while self._waiting:  # only if the server stopped without waiting for its requests: tell them, not hang
            if not (item := self._waiting.popleft()).answer.done():
                item.answer.set_exception(ServiceUnavailableException(STOPPING))

    async def submit(self, prepare: Prepare) -> Ticket:
        """Store the ticket that `prepare` builds in the caller's batch; returns it once committed."""
        if self._arrived is None:
            raise RuntimeError("GroupCommit.start() was not awaited: the app's startup hook did not run")
        answer: asyncio.Future[Ticket] = asyncio.get_running_loop().create_future()
        self._waiting.append(_Waiting(prepare, answer))
        self._arrived.set()
        return await answer

    async def _write_batches(self) -> None:
        assert self._arrived is not None
        while True:
            await self._arrived.wait()
            await asyncio.sleep(GATHER_SECONDS)
            batch = [self._waiting.popleft() for _ in range(min(self._max_batch, len(self._waiting)))]
            if not self._waiting:
                self._arrived.clear()
            if not batch:
                continue
            outcomes = await to_thread.run_sync(write, [item.prepare for item in batch])
            for item, (ticket, error) in zip(batch, outcomes, strict=True):
                if item.answer.done():  # the client went away; its ticket is stored all the same
                    continue
                if error is not None:
                    item.answer.set_exception(error)
                else:
                    item.answer.set_result(ticket)


def write(prepares: list[Prepare]) -> list[Outcome]:
    """Runs on a worker thread: it must not touch the event loop's futures."""
    if len(prepares) == 1:
        return [_write_one(prepares[0])]
    refused: dict[int, BaseException] = {}
    stored: list[tuple[int, Ticket]] = []
    with get_session_factory()() as session:
        try:
            for index, prepare in enumerate(prepares):
                try:
                    stored.append((index, prepare(session)))
                except intake.REFUSALS as refusal:
                    refused[index] = refusal
            if stored:
                intake.store_many(session, [ticket for _, ticket in stored])
        except Exception:
            session.rollback()
            failed = True
        else:
            failed = False
            try:
                session.commit()
            except Exception as error:
                return [(None, refused.get(index, error)) for index in range(len(prepares))]
    if failed:  # before the commit, so nothing of the batch is stored: one by one
        return [_write_one(prepare) for prepare in prepares]
    outcomes: list[Outcome] = [(None, refused.get(index)) for index in range(len(prepares))]
    for index, ticket in stored:
        outcomes[index] = (ticket, None)
    return outcomes


def _write_one(prepare: Prepare) -> Outcome:
    with get_session_factory()() as session:
        try:
            ticket = intake.store_one(session, prepare(session))
            session.commit()
        except Exception as error:  # the session's close rolls back
            return None, error
    return ticket, None
