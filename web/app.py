"""The composition root: one Litestar app wiring every package's controllers, auth, errors and stores."""

from __future__ import annotations

from litestar import Litestar, Request, get
from litestar.logging import LoggingConfig
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.stores.redis import RedisStore
from redis.asyncio import Redis as AsyncRedis

from command import callback_report_controllers, hotspot_controllers, leadership_controllers, report_controllers
from command import controllers as command
from dispatch import controllers as dispatch
from dispatch import grid_controllers
from hotline import controllers as hotline
from hotline import grid_admin_controllers, knowledge
from hotline.city_management import ROUTES as CITY_MANAGEMENT_ROUTES
from hotline.client_address import client_address
from hotline.dependencies import DEPENDENCIES
from hotline.group_commit import GroupCommit
from hotline.logs import make_formatter
from hotline.redis_conn import redis_url
from hotline.settings import BODY_LIMIT, Settings
from open311 import ROUTES as OPEN311_ROUTES
from web import api_docs, county_import, ops, pages, people_pages
from web.answer_log import log_answer, remember_exception
from web.auth import make_jwt_auth, start_versions, stop_versions
from web.errors import EXCEPTION_HANDLERS
from web.no_store import no_store
from web.outage import OUTAGE_HANDLERS
from web.process import prepare
from web.request_checks import check_request

GUESSABLE_PATHS = ("/api/public/lookup", "/api/public/rating", "/api/public/supplement")


def _is_code_check(request: Request) -> bool:
    """Only the endpoints that take a query code are throttled against guessing."""
    return request.scope["path"] in GUESSABLE_PATHS  # not request.url: building it costs every request


@get("/health", opt={"public": True}, sync_to_thread=False)
def health() -> dict[str, str]:
    return {"status": "ok"}


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or prepare(own_logging=False)  # the handlers are Litestar's (logging_config below)
    jwt_auth = make_jwt_auth(settings)
    redis = AsyncRedis.from_url(redis_url())
    rate_limit = RateLimitConfig(
        rate_limit=("minute", settings.lookup_limit_per_minute),
        check_throttle_handler=_is_code_check,
        identifier_for_request=client_address,  # X-Forwarded-For only from TRUSTED_PROXIES
        store="rate_limit",
    )
    group_commit = GroupCommit()  # intake's calls and letters, written together when they arrive together
    app = Litestar(
        route_handlers=[health, *ops.ROUTES, *hotline.ROUTES, *dispatch.ROUTES, *command.ROUTES, *report_controllers.ROUTES,
                        *callback_report_controllers.ROUTES, *leadership_controllers.ROUTES, *hotspot_controllers.ROUTES,
                        *knowledge.ROUTES, *pages.ROUTES, *people_pages.ROUTES, *api_docs.ROUTES,
                        *county_import.ROUTES, *OPEN311_ROUTES, *CITY_MANAGEMENT_ROUTES,
                        *grid_controllers.ROUTES, *grid_admin_controllers.ROUTES],
        dependencies=DEPENDENCIES,
        on_startup=[group_commit.start, start_versions, *command.ON_STARTUP],
        on_app_init=[jwt_auth.on_app_init],
        middleware=[rate_limit.middleware],
        stores={"rate_limit": RedisStore(redis, namespace="hotline:ratelimit")},
        exception_handlers={**EXCEPTION_HANDLERS, **OUTAGE_HANDLERS},  # a service down: 503, not 500
        openapi_config=api_docs.openapi_config(),  # Swagger UI and Redoc from this server, not a CDN
        request_max_body_size=BODY_LIMIT,
        logging_config=LoggingConfig(log_exceptions="always", formatters={"standard": {"()": make_formatter}},
                                     exception_logging_handler=remember_exception,  # web/answer_log.py
                                     disable_stack_trace=set(OUTAGE_HANDLERS)),  # logged by web/outage.py
        before_send=[log_answer, no_store],
        before_request=check_request,  # sane paths; JSON bodies that are JSON and not too deep
        on_shutdown=[*command.ON_SHUTDOWN, group_commit.stop, stop_versions, redis.aclose],
    )
    app.state.jwt_auth = jwt_auth
    app.state.group_commit = group_commit
    return app
