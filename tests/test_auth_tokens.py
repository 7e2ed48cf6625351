"""Sign-in tokens are verified once per process, yet an expired or altered token is refused every time."""

from __future__ import annotations

import time
from datetime import timedelta

import jwt

from web.auth import VerifiedOnceToken, _verified


def _token(app, seconds: float) -> str:
    return app.state.jwt_auth.create_token(identifier="1", token_expiration=timedelta(seconds=seconds),
                                           token_extras={"role": "operator", "dept": None, "name": "话务员"})


def test_a_token_seen_before_is_not_decoded_again(app, client):
    token = _token(app, 600)
    first = VerifiedOnceToken.decode(token, app.state.jwt_auth.token_secret, "HS256")
    misses = _verified.cache_info().misses
    assert VerifiedOnceToken.decode(token, app.state.jwt_auth.token_secret, "HS256") is first
    assert _verified.cache_info().misses == misses
    assert client.get("/api/tickets/", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_a_token_accepted_before_is_refused_once_expired(app, client):
    token = _token(app, 1.5)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/tickets/", headers=headers).status_code == 200
    time.sleep(1.6)
    assert client.get("/api/tickets/", headers=headers).status_code == 401


def test_an_altered_token_is_refused_after_the_original_was_accepted(app, client):
    token = _token(app, 600)
    assert client.get("/api/tickets/", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    head, claims, signature = token.split(".")
    forged = ".".join([head, claims, ("A" if signature[0] != "A" else "B") + signature[1:]])
    assert client.get("/api/tickets/", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
    other_claims = claims[:-2] + ("QQ" if claims[-2:] != "QQ" else "Qg")
    altered = ".".join([head, other_claims, signature])
    assert client.get("/api/tickets/", headers={"Authorization": f"Bearer {altered}"}).status_code == 401


def _issued_ahead(app, token: str, seconds: int) -> str:
    """The same token as a host whose clock runs `seconds` ahead would have signed it."""
    secret = app.state.jwt_auth.token_secret
    claims = jwt.decode(token, secret, algorithms=["HS256"], options={"verify_aud": False})
    return jwt.encode(claims | {"iat": claims["iat"] + seconds, "exp": claims["exp"] + seconds}, secret,
                      algorithm="HS256")


def test_a_token_from_a_clock_a_minute_ahead_is_accepted_but_not_one_from_ten_minutes_ahead(app, client):
    token = _token(app, 600)
    ahead = _issued_ahead(app, token, 60)
    assert client.get("/api/tickets/", headers={"Authorization": f"Bearer {ahead}"}).status_code == 200
    far_ahead = _issued_ahead(app, token, 600)
    assert client.get("/api/tickets/", headers={"Authorization": f"Bearer {far_ahead}"}).status_code == 401
