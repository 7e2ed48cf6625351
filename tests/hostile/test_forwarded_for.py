"""X-Forwarded-For over real HTTP, both sides of TRUSTED_PROXIES.

Written down before the code: with no trusted proxy (the default) a client that sends a different
X-Forwarded-For each time still shares one bucket, so 40 wrong query codes meet 429s (the look-up limit is 10 a
minute), and Open311's anonymous limit holds the same way. With the proxy listed, two citizens behind it with
different X-Forwarded-For get a bucket each, and what a citizen puts in front of the proxy's own entry is ignored
(the right-most address that is not a trusted proxy counts).
"""

from __future__ import annotations

import time

import httpx
import pytest

WRONG = {"number": "2026010100001", "query_code": "00000000"}


def _early_in_a_minute() -> None:
    """Open311's windows are the clock's minutes: start a count where the next minute is not seconds away."""
    while time.time() % 60 > 40:
        time.sleep(0.5)


def _lookup(base: str, forwarded: str | None) -> int:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return httpx.post(f"{base}/api/public/lookup", json=WRONG, headers=headers, timeout=30).status_code


def test_a_varying_forwarded_for_gets_no_fresh_bucket(live_server):
    """Old main: 40 of 40 answered 404 (uvicorn trusted the header from loopback)."""
    codes = [_lookup(live_server, f"10.1.{n // 250}.{n % 250 + 1}") for n in range(40)]
    assert codes[:10] == [404] * 10
    assert codes[10:] == [429] * 30, codes


def test_open311_anonymous_limit_holds_against_a_varying_forwarded_for(live_server, environ):
    environ(OPEN311_ANONYMOUS_LIMIT_PER_MINUTE="5")
    _early_in_a_minute()
    codes = [httpx.get(f"{live_server}/open311/v2/services.json", headers={"X-Forwarded-For": f"10.2.0.{n + 1}"},
                       timeout=30).status_code for n in range(10)]
    assert codes == [200] * 5 + [429] * 5, codes


@pytest.fixture
def behind_proxy(environ) -> None:
    environ(TRUSTED_PROXIES="127.0.0.1, 10.9.0.0/16")  # the test client is the proxy; 10.9/16 a second tier


def test_citizens_behind_a_trusted_proxy_get_a_bucket_each(live_server, behind_proxy):
    """Old main: the Litestar limit keyed on uvicorn's rewrite, which happens to split too; the second half of
    this test (a forged left-hand entry) is what the right-most rule adds."""
    first = [_lookup(live_server, "203.0.113.7") for _ in range(11)]
    assert first == [404] * 10 + [429]
    assert _lookup(live_server, "198.51.100.9") == 404  # another citizen behind the same proxy
    assert _lookup(live_server, "198.51.100.77, 203.0.113.7") == 429  # a forged entry left of the proxy's own
    assert _lookup(live_server, "203.0.113.7, 10.9.3.4") == 429  # a second trusted tier is skipped


def test_open311_anonymous_buckets_are_per_citizen_behind_the_proxy(live_server, behind_proxy, environ):
    """Old main: Open311 keyed on request.client as uvicorn had rewritten it from loopback, which split these
    citizens too, but took a second proxy tier (10.9/16 here) for the client: a fresh bucket per proxy hop."""
    environ(OPEN311_ANONYMOUS_LIMIT_PER_MINUTE="3")
    _early_in_a_minute()
    url = f"{live_server}/open311/v2/services.json"
    one = [httpx.get(url, headers={"X-Forwarded-For": "203.0.113.7"}).status_code for _ in range(4)]
    assert one == [200, 200, 200, 429]
    assert httpx.get(url, headers={"X-Forwarded-For": "198.51.100.9"}).status_code == 200
    assert httpx.get(url, headers={"X-Forwarded-For": "1.1.1.1, 203.0.113.7"}).status_code == 429
    assert httpx.get(url, headers={"X-Forwarded-For": "203.0.113.7, 10.9.3.4"}).status_code == 429


def test_letters_key_on_the_address_the_proxy_gives(live_server, behind_proxy, environ):
    """The letter limit uses the same address: a citizen behind the proxy fills only their own."""
    environ(THROTTLE_LETTERS_PER_ADDRESS="2/hour")
    letter = {"title": "路灯", "content": "路灯坏了", "township": "城关街道"}
    codes = [httpx.post(f"{live_server}/api/public/letters", json={**letter, "phone": f"1350000000{n}"},
                        headers={"X-Forwarded-For": "203.0.113.7"}).status_code for n in range(3)]
    assert codes == [201, 201, 429]
    other = httpx.post(f"{live_server}/api/public/letters", json={**letter, "phone": "13500000009"},
                       headers={"X-Forwarded-For": "198.51.100.9"})
    assert other.status_code == 201
