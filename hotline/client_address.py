"""The client's address, which every per-address limit keys on: X-Forwarded-For counts only from a trusted proxy.

uvicorn is started with its own proxy-header handling off (web/process.py, UVICORN_OPTIONS), so the ASGI peer is
the TCP peer. Only when that peer is one of TRUSTED_PROXIES is X-Forwarded-For read, from the right: the first hop
that is not itself a trusted proxy is the client (the hops to its left are whatever the client chose to send).
"""

from __future__ import annotations

from collections.abc import Iterable
from ipaddress import IPv4Network, IPv6Network, ip_address
from typing import Any

from hotline.settings import get_settings

UNKNOWN = "unknown"
MAX_CHARS = 64  # an address, not an essay: what a client sends must not make long Redis keys


def _trusted(host: str, networks: Iterable[IPv4Network | IPv6Network]) -> bool:
    try:
        address = ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in networks)


def resolve(peer: str | None, forwarded: Iterable[str], networks: tuple[IPv4Network | IPv6Network, ...]) -> str:
    """The client address from the TCP peer and the X-Forwarded-For values (in header order)."""
    peer = peer or UNKNOWN
    if not networks or not _trusted(peer, networks):
        return peer[:MAX_CHARS]
    hops = [hop.strip() for value in forwarded for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            return hop[:MAX_CHARS]
    return (hops[0] if hops else peer)[:MAX_CHARS]  # every hop a proxy of ours: the far end is the best we know


def client_address(connection: Any) -> str:
    """For a Litestar request or websocket (also Litestar's RateLimitConfig.identifier_for_request)."""
    client = connection.client
    return resolve(client.host if client else None, connection.headers.getall("x-forwarded-for", []),
                   get_settings().trusted_proxies)
