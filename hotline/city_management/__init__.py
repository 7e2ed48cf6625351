"""数字城管 intake (issue 21): the city-management platform files its events as tickets and is told how they move.

A platform holds a key an admin issued; its events become letters of channel 数字城管 through hotline's intake,
idempotent on the platform's own event id; each status change of such a ticket is owed back to the platform as
a signed HTTP POST (an outbox row, an RQ job, retries). See docs/city_management.md.
"""

from __future__ import annotations

from typing import Any

from hotline.city_management.admin import CitySystemController
from hotline.city_management.controllers import CityManagementController

ROUTES: list[Any] = [CityManagementController, CitySystemController]
