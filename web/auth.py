"""JWT sign-in wiring: staff claims travel in the token, so a request costs no database read.

The token also carries the account's token version (`ver`); one older than the account's current version
(`hotline.token_versions`: an in-memory map per process, refreshed from Redis at most every second) is refused
with 401: the account was deactivated, given a new role or unit, or had its password reset.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

import jwt
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.security.jwt import JWTAuth, Token

from hotline.known_staff import KnownStaff
from hotline.redis_conn import redis_url
from hotline.settings import Settings
from hotline.token_versions import Versions
from hotline.vocabulary import Role
from hotline.workflow import Actor

VERSIONS_KEY = "token_versions"  # on app.state, made on startup (its Redis client belongs to the running loop)
REVOKED = "登录已失效（账号已停用、角色或单位已变更，或密码已重置），请重新登录"
UNUSABLE = "登录已失效（登录信息不完整或账号不存在），请重新登录"
ROLES = frozenset(role.value for role in Role)
_known_staff = KnownStaff()  # per process, like the verified tokens

# Litestar *searches* these regexes anywhere in the path, hence the anchors.
PUBLIC_PATHS = [
    "^/api/auth/login$",
    "^/api/public/",
    "^/open311/",
    "^/api/reference/areas$",
    "^/schema",
    "^/health$",
    "^/ready$",
    "^/metrics$",
    "^/static/",
    "^/$",
]


CLOCK_SKEW = timedelta(minutes=2)  # how far ahead another web host's clock may run (docs/golive.md: NTP)


class VerifiedOnceToken(Token):
    """A token's signature and claims are checked the first time a process sees it, its expiry on every request.

    Staff send the same token with every request for hours; decoding it each time (HMAC, base64, JSON, claim
    conversion) was a twentieth of a web process at the intake benchmark's peak. Only tokens that verified are
    remembered, keyed by their full text, so a changed byte is a new token and is verified again. The decode
    options are part of the key too, so they must stay hashable (`make_jwt_auth` passes only the defaults).
    """

    def __post_init__(self) -> None:
        """Litestar refuses a token whose `iat` is later than this process's clock. A token another host signed a
        second ahead, or one signed just before this machine's clock stepped back, would then fail the first
        request after sign-in with a 401; up to CLOCK_SKEW ahead counts as issued now."""
        if isinstance(self.iat, datetime) and self.iat.tzinfo is not None:
            moment = datetime.now(UTC)
            if moment < self.iat <= moment + CLOCK_SKEW:
                self.iat = moment
        super().__post_init__()

    @classmethod
    def decode_payload(cls, encoded_token: str, secret: str, algorithms: list[str], issuer: Any = None,
                       audience: Any = None, options: Any = None) -> Any:
        """PyJWT's own `iat` check, with the same skew; expiry stays exact (`decode` checks it on every request)."""
        return jwt.decode(encoded_token, secret, algorithms=algorithms, issuer=issuer, audience=audience,
                          options=options, leeway=CLOCK_SKEW)

    @classmethod
    def decode(cls, encoded_token: str, secret: str, algorithm: str, **options: Any) -> VerifiedOnceToken:
        token = _verified(cls, encoded_token, secret, algorithm, **options)
        if options.get("verify_exp", True) and token.exp <= datetime.now(UTC):
            raise NotAuthorizedException("Invalid token")  # what Token.decode says of an expired token
        return token


@lru_cache(maxsize=4096)  # a county's staff signed in at once, with room to spare
def _verified(cls: type[VerifiedOnceToken], encoded_token: str, secret: str, algorithm: str,
              **options: Any) -> VerifiedOnceToken:
    return super(VerifiedOnceToken, cls).decode(encoded_token, secret, algorithm, **options)


async def actor_from_token(token: Token, connection: ASGIConnection) -> Actor | None:
    """The actor a verified token names. A token we signed but that names no role we have, or no account that
    exists (see hotline/known_staff.py), is refused like a revoked one: a 401, never a 500."""
    extras = token.extras
    if extras.get("role") not in ROLES or not token.sub.isdigit() or not isinstance(extras.get("ver", 0), int):
        raise NotAuthorizedException(UNUSABLE)
    staff_id = int(token.sub)
    versions: Versions = connection.app.state[VERSIONS_KEY]
    if extras.get("ver", 0) < await versions.current(staff_id):
        raise NotAuthorizedException(REVOKED)
    if not await _known_staff.exists(staff_id):
        raise NotAuthorizedException(UNUSABLE)
    return Actor(role=extras["role"], id=staff_id, department_id=extras.get("dept"), name=extras.get("name"))


def make_jwt_auth(settings: Settings) -> JWTAuth[Actor]:
    return JWTAuth[Actor](
        retrieve_user_handler=actor_from_token,
        token_cls=VerifiedOnceToken,
        token_secret=settings.secret_key,
        exclude=PUBLIC_PATHS,
        exclude_opt_key="public",
    )


async def start_versions(app: Any) -> None:
    from redis.asyncio import Redis

    app.state[VERSIONS_KEY] = Versions(Redis.from_url(redis_url(), socket_timeout=2, socket_connect_timeout=2))


async def stop_versions(app: Any) -> None:
    versions = app.state.pop(VERSIONS_KEY, None)
    if versions is not None:
        await versions.close()
