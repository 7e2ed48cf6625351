"""The platform's callback endpoint is a boundary we do not own: one small interface, signed HTTP behind it.

Signature: HMAC-SHA256 with the platform's signing secret over `<timestamp>.<body>`, hex, sent as
`X-Hotline-Signature: sha256=<hex>` with `X-Hotline-Timestamp` (Unix seconds), so the platform can check both that
we sent it and that it is not an old message replayed (docs/city_management.md).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Protocol

import httpx

TIMEOUT_SECONDS = 10.0
SIGNATURE_HEADER = "X-Hotline-Signature"
TIMESTAMP_HEADER = "X-Hotline-Timestamp"
DELIVERY_HEADER = "X-Hotline-Delivery"


class DeliveryFailed(Exception):
    pass


class Transport(Protocol):
    def post(self, url: str, body: bytes, headers: dict[str, str]) -> None:
        """Deliver, or raise DeliveryFailed."""


def signature(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body,
                                hashlib.sha256).hexdigest()


def signed_headers(secret: str, body: bytes, delivery_id: int) -> dict[str, str]:
    timestamp = str(int(time.time()))
    return {"Content-Type": "application/json; charset=utf-8", TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: signature(secret, timestamp, body), DELIVERY_HEADER: str(delivery_id)}


class HttpTransport:
    """A POST; any answer but 2xx, a redirect included, is a failure to retry."""

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> None:
        try:
            response = httpx.post(url, content=body, headers=headers, timeout=TIMEOUT_SECONDS,
                                  follow_redirects=False)
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"callback unreachable: {type(exc).__name__}: {exc}") from exc
        if not response.is_success:
            raise DeliveryFailed(f"callback answered {response.status_code}")


_transport: Transport = HttpTransport()


def get_transport() -> Transport:
    return _transport


def set_transport(transport: Transport | None) -> None:
    """Swap the transport (a county's own gateway); None goes back to plain HTTP."""
    global _transport
    _transport = transport or HttpTransport()
