"""The hotspot API's shapes: what the commander reads and sends."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec

from dispatch.schemas import Note

Number = Annotated[str, msgspec.Meta(min_length=1, max_length=20)]


class HotspotRead(msgspec.Struct, kw_only=True):
    id: int | None  # None in a history table: nothing stored to act on
    name: str
    township: str | None
    category_code: str | None
    size: int
    callers: int
    last_day: int  # tickets of the last 24 hours
    repeats: int  # tickets received after a member was closed
    heat: float
    first_at: datetime
    last_at: datetime
    units: list[str]
    by_hand: bool = False
    notified_at: datetime | None = None


class HotspotTicket(msgspec.Struct, kw_only=True):
    number: str
    created_at: datetime
    status: str
    status_label: str
    category_code: str | None
    address: str | None
    summary: str  # the first words of the content, personal data masked
    unit: str | None = None  # the lead unit it was dispatched to, for the commander's list of a cluster's tickets


class HotspotDetail(HotspotRead, kw_only=True):
    tickets: list[HotspotTicket]


class HistoryTable(msgspec.Struct, kw_only=True):
    start: date
    end: date
    tickets: int
    hotspots: list[HotspotRead]


class MergeRequest(msgspec.Struct, forbid_unknown_fields=True):
    other: Annotated[int, msgspec.Meta(ge=1)]


class SplitRequest(msgspec.Struct, forbid_unknown_fields=True):
    numbers: Annotated[list[Number], msgspec.Meta(min_length=1, max_length=500)]


class HotspotMergeTickets(msgspec.Struct, forbid_unknown_fields=True):
    parent_number: Number
    note: Note | None = None


class Outcome(msgspec.Struct, kw_only=True):
    hotspot: HotspotRead
    done: list[str]
    skipped: dict[str, str]
