"""The client address rule (hotline.client_address.resolve), case by case: no database, no server."""

from __future__ import annotations

import pytest

from hotline.client_address import resolve
from hotline.settings import trusted_proxies

pytestmark = pytest.mark.pure
PROXIES = trusted_proxies("10.0.0.5, 192.168.0.0/16, ::1")


@pytest.mark.parametrize(("peer", "forwarded", "networks", "expected"), [
    ("203.0.113.7", ["1.2.3.4"], (), "203.0.113.7"),  # the default: the header means nothing
    ("127.0.0.1", ["1.2.3.4"], (), "127.0.0.1"),  # not even from loopback
    ("203.0.113.7", ["1.2.3.4"], PROXIES, "203.0.113.7"),  # a peer that is not a proxy of ours
    ("10.0.0.5", ["1.2.3.4"], PROXIES, "1.2.3.4"),
    ("10.0.0.5", ["6.6.6.6, 1.2.3.4"], PROXIES, "1.2.3.4"),  # the client's own left-hand entry is ignored
    ("10.0.0.5", ["6.6.6.6", "1.2.3.4, 192.168.3.9"], PROXIES, "1.2.3.4"),  # two headers, two proxy tiers
    ("10.0.0.5", ["garbage, 1.2.3.4"], PROXIES, "1.2.3.4"),
    ("10.0.0.5", ["1.2.3.4, garbage"], PROXIES, "garbage"),  # what our proxy wrote is the client, however odd
    ("10.0.0.5", [], PROXIES, "10.0.0.5"),
    ("10.0.0.5", ["192.168.1.1"], PROXIES, "192.168.1.1"),  # only proxies: the far end
    ("::1", ["2001:db8::7"], PROXIES, "2001:db8::7"),
    (None, ["1.2.3.4"], PROXIES, "unknown"),
    ("10.0.0.5", ["x" * 500], PROXIES, "x" * 64),
])
def test_right_most_untrusted_hop(peer, forwarded, networks, expected):
    assert resolve(peer, forwarded, networks) == expected


def test_a_bad_setting_is_refused_at_start():
    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        trusted_proxies("10.0.0.5, not-an-address")
