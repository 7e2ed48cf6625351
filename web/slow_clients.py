"""Slow clients are cut off: a request's headers and body must arrive within a bounded time.

uvicorn closes a connection that sits idle *between* requests (`timeout_keep_alive`), but it has no limit on
how long one request may take to arrive: a client that opens a connection and trickles its headers or its
body a byte at a time holds that connection (and, for a body, the handler waiting on it) for as long as it
likes, and a few hundred such clients use up a worker (slowloris). This protocol is uvicorn's own httptools one
(the C parser; h11, pure Python, cost a twentieth of a web process at the intake benchmark's peak) with one timer
more: armed when a request's first byte arrives (or the connection opens), disarmed once the whole request, body
included, has been received. If it fires first, the client gets a 408 and the connection is closed. A
connection handed over to a WebSocket is left alone.

Use: `uvicorn ... --http web.slow_clients:BoundedHttpToolsProtocol`, or `http=BoundedHttpToolsProtocol` in code.
"""

from __future__ import annotations

import asyncio
import json
import os

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

REQUEST_TIMEOUT = float(os.environ.get("HTTP_REQUEST_TIMEOUT", "30"))  # seconds for headers and body


def _timeout_response() -> bytes:
    body = json.dumps({"status_code": 408, "detail": "请求发送超时，连接已关闭"}, ensure_ascii=False).encode()
    head = ("HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json; charset=utf-8\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n").encode()
    return head + body


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    request_timeout: float = REQUEST_TIMEOUT

    _request_deadline: asyncio.TimerHandle | None = None
    _receiving = False  # from a request's first byte to its last

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self._request_deadline is None and not self._receiving:
            self._arm()  # the first byte of the next request on a kept-alive connection
        super().data_received(data)
        if self._handed_over():
            self._disarm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._receiving = True

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._receiving = False
        self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _handed_over(self) -> bool:
        return self.transport is not None and self.transport.get_protocol() is not self

    def _arm(self) -> None:
        self._disarm()
        self._request_deadline = self.loop.call_later(self.request_timeout, self._request_timed_out)

    def _disarm(self) -> None:
        if self._request_deadline is not None:
            self._request_deadline.cancel()
            self._request_deadline = None

    def _request_timed_out(self) -> None:
        self._request_deadline = None
        if self.transport.is_closing() or self._handed_over():
            return
        cycle = self.cycle  # the previous request's, until this one's headers are in
        if cycle is None or cycle.response_complete or not cycle.response_started:
            self.transport.write(_timeout_response())
        client = f"{self.client[0]}:{self.client[1]}" if self.client else "?"
        self.logger.info("request from %s not received within %.0f s; connection closed", client,
                         self.request_timeout)
        self.transport.close()


def bounded_protocol(seconds: float) -> type[BoundedHttpToolsProtocol]:
    """The same protocol with another limit (tests use a short one)."""
    return type("BoundedHttpToolsProtocol", (BoundedHttpToolsProtocol,), {"request_timeout": seconds})
