"""One way to start any process (web, RQ worker, scheduler, benchmark): the same wiring, in one place.

What a process needs beyond its own job: personal data masked and secrets blanked in every log record, every new or submitted
ticket handed to routing, and citizens' messages held through the county's quiet hours. Hotline cannot import dispatch,
so routing and the quiet hours come in through registrations; a process that skipped them would store tickets nobody
routes and text citizens at 03:00, which is why every entry point calls `prepare`.
"""

from __future__ import annotations

import logging
from typing import Any

from dispatch.jobs import route
from dispatch.quiet_hours import hold_until
from hotline.city_management.callbacks import watch_tickets
from hotline.jobs import follow_intake, hold_messages_with
from hotline.logs import configure_logging
from hotline.privacy import install_log_masking
from hotline.settings import Settings, get_settings

# uvicorn must not rewrite the client address from X-Forwarded-For (by default it does, for a loopback peer):
# hotline/client_address.py decides, from TRUSTED_PROXIES. Every uvicorn we start takes these.
UVICORN_OPTIONS: dict[str, Any] = {"proxy_headers": False}
UVICORN_FLAGS = ["--no-proxy-headers"]


def prepare(*, own_logging: bool = True) -> Settings:
    """Wire this process. `own_logging=False` in the web app, whose handlers Litestar's logging config sets."""
    if own_logging:
        configure_logging(logging.INFO)
    install_log_masking()
    follow_intake(route)  # every new ticket is classified and, when sure, dispatched by a worker
    hold_messages_with(hold_until)  # citizens' SMS wait out the county's quiet hours (dispatch.quiet_hours)
    watch_tickets()  # a 数字城管 ticket's steps are owed back to its platform (hotline.city_management)
    return get_settings()
