"""Open311 settings, read from the environment at call time so one process can serve either mode."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Open311Settings:
    base_url: str  # public root of this server (behind a proxy the request's own URL may be wrong)
    contact: str
    key_service: str
    service_type: str  # realtime: the id comes back at once; batch: a token, the ticket is filed by a worker
    key_limit_per_minute: int  # default for new API keys
    anonymous_limit_per_minute: int  # GETs without a key, per client address


def open311_settings() -> Open311Settings:
    service_type = os.environ.get("OPEN311_SERVICE_TYPE", "realtime").strip().lower()
    if service_type not in ("realtime", "batch"):
        raise ValueError("OPEN311_SERVICE_TYPE must be realtime or batch")
    return Open311Settings(
        base_url=os.environ.get("OPEN311_BASE_URL", "").rstrip("/"),
        contact=os.environ.get("OPEN311_CONTACT", "12345 政务服务便民热线综合指挥中心，电话 12345"),
        key_service=os.environ.get("OPEN311_KEY_SERVICE", "API 密钥由热线管理员发放，请联系综合指挥中心"),
        service_type=service_type,
        key_limit_per_minute=int(os.environ.get("OPEN311_KEY_LIMIT_PER_MINUTE", "60")),
        anonymous_limit_per_minute=int(os.environ.get("OPEN311_ANONYMOUS_LIMIT_PER_MINUTE", "120")),
    )
