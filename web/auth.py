"""JWT sign-in wiring: staff claims travel in the token, so a request costs no database read."""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.security.jwt import JWTAuth, Token

from hotline.settings import Settings
from hotline.workflow import Actor

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


async def actor_from_token(token: Token, _: ASGIConnection) -> Actor | None:
    extras = token.extras
    return Actor(role=extras["role"], id=int(token.sub), department_id=extras.get("dept"), name=extras.get("name"))


def make_jwt_auth(settings: Settings) -> JWTAuth[Actor]:
    return JWTAuth[Actor](
        retrieve_user_handler=actor_from_token,
        token_secret=settings.secret_key,
        exclude=PUBLIC_PATHS,
        exclude_opt_key="public",
    )
