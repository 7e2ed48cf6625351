"""Open311 GeoReport v2 facade (issue 8): discovery, services, requests, tokens, servicerequestupdates.

Wire with `*open311.ROUTES` in web/app.py. The GeoReport router is public by its own opt (GETs need no
key, POSTs check an api_key); the key admin endpoints use the staff JWT and the admin role.
"""

from __future__ import annotations

from typing import Any

from open311.admin import Open311KeyController
from open311.controllers import open311_router

ROUTES: list[Any] = [open311_router, Open311KeyController]
