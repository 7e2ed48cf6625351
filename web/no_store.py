"""`Cache-Control: no-store` on every /api/ and /open311/ answer.

Why one rule for the whole API rather than a list of endpoints with personal data: tickets, look-ups, receipts
with their query code and Open311 requests carry names, phones and addresses, and a list would miss the next
endpoint. A shared or browser cache that kept one would show it to the next person on the machine or behind the
proxy. Pages and static files (/board, /static/...) keep their own caching.
"""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

PREFIXES = ("/api/", "/open311/")


async def no_store(message: Message, scope: Scope) -> None:
    """A `before_send` hook."""
    if message["type"] == "http.response.start" and scope["path"].startswith(PREFIXES):
        headers = MutableScopeHeaders.from_message(message)
        headers["Cache-Control"] = "no-store"
