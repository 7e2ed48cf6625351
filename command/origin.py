"""Which pages may open the board's websocket: this server's own, and those listed in BOARD_ALLOWED_ORIGINS.

Why: a browser sends its page's Origin with every websocket handshake and lets any page connect anywhere; a page on
another site that got hold of a pass (a leaked link, a shared screen) must not stream the board into itself. A
handshake without an Origin is not a browser (the terminal client, a wall device's player): no cross-site page can
send one, and a non-browser client could write any Origin it likes, so refusing it would protect nothing; the
one-time pass is what admits it. "Own" compares the Origin's host and port with the Host the handshake came to;
behind a proxy that rewrites Host, list the public origin in BOARD_ALLOWED_ORIGINS.
"""

from __future__ import annotations

from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def _host_port(netloc: str, scheme: str) -> tuple[str, int | None]:
    parts = urlsplit(f"//{netloc}")
    try:
        port = parts.port
    except ValueError:
        return "", None
    return (parts.hostname or "").lower(), port or DEFAULT_PORTS.get(scheme)


def listed(setting: str) -> set[str]:
    """BOARD_ALLOWED_ORIGINS: comma-separated origins such as https://wall.example.gov.cn."""
    return {origin.strip().rstrip("/").lower() for origin in setting.split(",") if origin.strip()}


def origin_allowed(origin: str | None, host: str | None, allowed: str) -> bool:
    if origin is None:
        return True  # not a browser; see above
    origin = origin.strip().rstrip("/").lower()
    if origin in listed(allowed):
        return True
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.netloc or not host:
        return False  # "null" (a sandboxed frame, a file:// page) and anything that is not a web origin
    # The Host names no scheme; the one a browser used is the Origin's, so default ports compare alike.
    return _host_port(parts.netloc, parts.scheme) == _host_port(host, parts.scheme)
