"""Intake at a fixed concurrency over HTTP, recording every answer: what was acknowledged, what was refused."""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import httpx

from classifier.corpus.places import TOWNSHIPS

PASSWORD = "demo12345"
OPERATORS = ("operator1", "operator2")
REFUSED_PAUSE = 0.05  # seconds a client waits after a refusal (a 503 while a service is down)


def messages() -> list[str]:
    raw = resources.files("classifier.corpus").joinpath("messages.jsonl").read_text(encoding="utf-8")
    return [json.loads(line)["text"] for line in raw.splitlines() if line.strip()]


@dataclass
class Answer:
    kind: str  # "call" or "letter"
    key: str  # the idempotency key sent
    status: int  # HTTP status, 0 when no answer came (connection refused or reset)
    number: str | None = None
    body: str = ""
    submitted: int | None = None  # a call's submit answer
    sent_at: float = 0.0  # time.monotonic() when the request went out
    answered_at: float = 0.0  # and when its answer came


@dataclass
class Intake:
    base: str
    tokens: dict[str, str] = field(default_factory=dict)
    answers: list[Answer] = field(default_factory=list)
    seed: int = 12345

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._texts = messages()
        self._places = [(town, village) for town, villages in TOWNSHIPS.items() for village in villages]

    def login(self) -> None:
        """Once per operator: argon2 makes sign-in deliberately slow."""
        for username in OPERATORS:
            response = httpx.post(f"{self.base}/api/auth/login", json={"username": username, "password": PASSWORD},
                                  timeout=30)
            response.raise_for_status()
            self.tokens[username] = response.json()["access_token"]

    def _payload(self, kind: str, key: str) -> dict[str, Any]:
        town, village = self._rng.choice(self._places)
        text = self._rng.choice(self._texts)
        phone = f"139{self._rng.randrange(10**8):08d}"
        if kind == "letter":
            return {"title": text[:20], "content": text, "phone": phone, "township": town, "village": village,
                    "channel": "mailbox", "type": "help", "idempotency_key": key}
        return {"content": text, "caller_phone": phone, "township": town, "village": village,
                "type": "complaint", "idempotency_key": key}

    async def _one(self, client: httpx.AsyncClient, index: int, tag: str, call_share: float) -> Answer:
        kind = "call" if self._rng.random() < call_share else "letter"
        key = f"{tag}-{index:06d}"
        payload = self._payload(kind, key)
        if kind == "letter":
            url, headers = "/api/public/letters", {}
        else:
            operator = OPERATORS[index % len(OPERATORS)]
            url, headers = "/api/tickets", {"Authorization": f"Bearer {self.tokens[operator]}"}
        sent_at = time.monotonic()
        try:
            response = await client.post(url, json=payload, headers=headers)
        except httpx.HTTPError as exc:
            return Answer(kind, key, 0, body=type(exc).__name__, sent_at=sent_at, answered_at=time.monotonic())
        answer = Answer(kind, key, response.status_code, body=response.text[:300], sent_at=sent_at,
                        answered_at=time.monotonic())
        if response.status_code == 201:
            answer.number = response.json()["number"]
            if kind == "call":  # the operator hands the call on to dispatch, as at the end of a real call
                try:
                    submitted = await client.post(f"/api/tickets/{answer.number}/submit", headers=headers)
                    answer.submitted = submitted.status_code
                except httpx.HTTPError:
                    answer.submitted = 0
        return answer

    async def run(self, count: int, *, concurrency: int = 16, tag: str = "t", call_share: float = 0.2,
                  during: Callable[[asyncio.Event], Awaitable[None]] | None = None,
                  outlast: bool = False) -> list[Answer]:
        """Post `count` tickets with `concurrency` requests in flight. `during(finished)` runs alongside (the fault),
        and `finished` is set once every ticket has had its answer.

        `outlast`: go on posting past `count` until `during` has ended, so that a fault that breaks and mends by
        itself falls inside the intake however fast the machine is (800 tickets once took 7 s, and 3.4 s on a
        faster machine: the fault, 4 s in, then found nothing to break)."""
        queue: asyncio.Queue[int] = asyncio.Queue()
        for index in range(count):
            queue.put_nowait(index)
        results: list[Answer] = []
        extra = itertools.count(count)
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx.AsyncClient(base_url=self.base, timeout=httpx.Timeout(60, connect=5), limits=limits) as client:
            async def worker() -> None:
                while True:
                    try:
                        index = queue.get_nowait()
                    except asyncio.QueueEmpty:
                        if not (outlast and side is not None and not side.done()):
                            return
                        index = next(extra)
                    answer = await self._one(client, index, tag, call_share)
                    results.append(answer)
                    if answer.status != 201:
                        await asyncio.sleep(REFUSED_PAUSE)  # as a console would, rather than at once

            finished = asyncio.Event()
            side = asyncio.create_task(during(finished)) if during is not None else None
            await asyncio.gather(*[asyncio.create_task(worker()) for _ in range(concurrency)])
            finished.set()
            if side is not None:
                await side
        self.answers.extend(results)
        return results


def summary(answers: list[Answer], seconds: float | None = None) -> str:
    counts = Counter((a.kind, a.status) for a in answers)
    text = ", ".join(f"{kind} {status}: {n}" for (kind, status), n in sorted(counts.items()))
    if seconds:
        text += f" in {seconds:.1f} s ({len(answers) / seconds:.0f}/s)"
    return text


def timed(coroutine: Any) -> tuple[Any, float]:
    started = time.monotonic()
    result = asyncio.run(coroutine)
    return result, time.monotonic() - started
