"""What the platform sends and what it is answered, as msgspec Structs.

Limits are chosen so the ticket's content (the description plus the lines the handler needs: category, reporter,
time, photo links) always fits hotline's 4,000 characters; anything else is refused with a 400 naming the field.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated
from urllib.parse import urlsplit

import msgspec

from hotline import text
from hotline.clock import now

EVENT_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:\-]*$"
EventId = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=EVENT_ID_PATTERN,
                                      description="平台自己的案件编号：半角字母、数字和 _ . : -")]
Description = Annotated[str, msgspec.Meta(max_length=2000, description="问题描述，最多2000字")]
Category = Annotated[str, msgspec.Meta(max_length=64, description="平台的案件类别，如「市容环境/暴露垃圾」")]
PhotoUrl = Annotated[str, msgspec.Meta(max_length=300)]
MAX_PHOTOS = 6
FUTURE_SLACK = timedelta(minutes=10)  # the platform's clock may run a little ahead of ours


class ReporterType(StrEnum):
    INSPECTOR = "inspector"  # 城管监督员
    CITIZEN = "citizen"  # 市民（经平台上报）
    CAMERA = "camera"  # 视频监控、智能识别
    OTHER = "other"

    @property
    def label(self) -> str:
        return REPORTER_LABELS[self]


REPORTER_LABELS = {ReporterType.INSPECTOR: "城管监督员", ReporterType.CITIZEN: "市民",
                   ReporterType.CAMERA: "视频监控", ReporterType.OTHER: "其他"}


class EventCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One 数字城管 event. `reported_at` must carry its offset (2026-12-07T09:30:00+08:00)."""

    event_id: EventId
    description: Description
    reported_at: Annotated[datetime, msgspec.Meta(tz=True)]
    reporter_type: ReporterType
    category: Category | None = None
    address: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    township: Annotated[str, msgspec.Meta(max_length=32, description="乡镇（街道）")] | None = None
    community: Annotated[str, msgspec.Meta(max_length=32, description="村（社区）")] | None = None
    latitude: Annotated[float, msgspec.Meta(ge=-90, le=90)] | None = None
    longitude: Annotated[float, msgspec.Meta(ge=-180, le=180)] | None = None
    photo_urls: Annotated[list[PhotoUrl], msgspec.Meta(max_length=MAX_PHOTOS)] = []

    def __post_init__(self) -> None:
        self.description = text.required(self.description, "description（问题描述）")
        self.category = text.optional(self.category)
        self.address = text.optional(self.address)
        self.township = text.optional(self.township)
        self.community = text.optional(self.community)
        if self.community and not self.township:
            raise ValueError("填写 community（村/社区）时须同时填写 township（乡镇/街道）")
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("latitude 与 longitude 须同时提供")
        if self.reported_at > now() + FUTURE_SLACK:
            raise ValueError("reported_at（上报时间）晚于当前时间，请检查平台时钟与时区（应带 +08:00）")
        for url in self.photo_urls:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError(f"photo_urls 须为 http(s) 地址（收到「{url[:60]}」）")


class StatusStep(msgspec.Struct, kw_only=True):
    status: str
    status_label: str
    action: str
    action_label: str
    occurred_at: datetime


class EventRead(msgspec.Struct, kw_only=True):
    """What the platform reads of its event: our ticket's number and where it stands, never the query code."""

    event_id: str
    ticket_number: str
    status: str
    status_label: str
    finished: bool
    department: str | None
    received_at: datetime
    due_at: datetime | None
    closed_at: datetime | None
    reply: str | None
    history: list[StatusStep]
