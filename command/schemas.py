"""What travels: frames on the Redis stream and the websocket, the board snapshot, and the API bodies.

Nothing here carries a caller's name or phone, a query code or an internal note: the board is shown on a wall.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

# -- frames on the stream (relay -> every web process) and on the socket (web process -> board) --------------


class EventFrame(msgspec.Struct, tag="event", tag_field="type", kw_only=True, omit_defaults=True):
    """One committed ticket event as the board sees it; `prev` is the id published just before it."""

    id: int
    prev: int
    at: datetime
    ticket: str
    action: str
    action_label: str
    from_status: str | None = None
    to_status: str | None = None
    status_label: str | None = None
    channel: str | None = None
    channel_label: str | None = None
    ticket_type: str | None = None  # `type` is the frame kind
    ticket_type_label: str | None = None
    urgency: str | None = None
    township: str | None = None
    department: str | None = None
    category: str | None = None
    category_name: str | None = None
    card: str | None = None
    escalation: int = 0
    due_at: datetime | None = None
    summary: str | None = None  # only on `receive`: shortened, personal details masked
    detail: dict[str, str | int | bool] = msgspec.field(default_factory=dict)


class Mark(msgspec.Struct, tag="mark", tag_field="type"):
    """The relay's position when idle; `reset` means the event log was emptied and numbering restarted."""

    last: int
    reset: bool = False


class Resync(msgspec.Struct, tag="resync", tag_field="type"):
    """An event committed after the relay had given up waiting for it: every board must resnapshot."""

    reason: str


StreamFrame = EventFrame | Mark | Resync


# -- the snapshot -----------------------------------------------------------------------------------------------


class Count(msgspec.Struct):
    key: str
    label: str
    count: int


class CardItem(msgspec.Struct, kw_only=True):
    ticket: str
    card: str
    due_at: datetime | None
    department: str | None
    category_name: str | None
    township: str | None
    escalation: int
    status_label: str


class SupervisionItem(msgspec.Struct, kw_only=True):
    event_id: int
    ticket: str
    action: str
    action_label: str
    at: datetime
    department: str | None
    escalation: int


class LatestTicket(msgspec.Struct, kw_only=True):
    ticket: str
    at: datetime
    channel_label: str
    type: str
    type_label: str
    urgency: str
    township: str | None
    status: str
    status_label: str
    summary: str


class Heat(msgspec.Struct, kw_only=True):
    """This month's tickets by township (rows) and type (columns); today's per township beside it."""

    townships: list[str]
    types: list[Count]  # count unused: the labels in column order
    month: list[list[int]]
    today: list[int]


class HotspotItem(msgspec.Struct, kw_only=True):
    """A cluster as the wall shows it: its masked name and counts, never a ticket, a caller or a text."""

    id: int
    name: str
    township: str | None
    tickets: int
    callers: int
    last_day: int  # tickets of the 24 hours before the snapshot
    repeats: int  # tickets received after a member was closed
    heat: float
    first_at: datetime
    last_at: datetime
    units: list[str]  # the lead units the members were dispatched to


class Board(msgspec.Struct, kw_only=True):
    day: str  # the Asia/Shanghai date the "today" figures are for
    intake_today: int
    intake_by_channel: list[Count]
    intake_by_hour: list[int]
    open_total: int
    open_by_status: list[Count]
    open_by_department: list[Count]
    cards: list[CardItem]
    supervision: list[SupervisionItem]
    measures: dict[str, dict[str, float | None]]
    top_categories: list[Count]
    hotspots: list[HotspotItem]  # command.board_hotspots: the hottest clusters, hottest first
    heat: Heat
    latest: list[LatestTicket]


class Snapshot(msgspec.Struct, tag="snapshot", tag_field="type", kw_only=True):
    """The board as of `last_event_id`, plus any later events already counted (`included`): skip those."""

    last_event_id: int
    included: list[int]
    at: datetime
    refresh: bool = False
    board: Board


class Resumed(msgspec.Struct, tag="resumed", tag_field="type"):
    after: int
    last_event_id: int
    replayed: int


class Resnapshot(msgspec.Struct, tag="resnapshot", tag_field="type"):
    """Reconnect without `after`: the client fell too far behind or the log was reset."""

    reason: str


class Reauth(msgspec.Struct, tag="reauth", tag_field="type"):
    """The connection reached its age limit: fetch a new pass and resume with `after`."""

    reason: str


class Revoked(msgspec.Struct, tag="revoked", tag_field="type"):
    """The sign-in or device token behind this connection was revoked; the socket closes with 4003."""

    reason: str


# -- API bodies -------------------------------------------------------------------------------------------------

DeviceName = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
DeviceToken = Annotated[str, msgspec.Meta(min_length=16, max_length=128)]


class PassGrant(msgspec.Struct):
    board_pass: str = msgspec.field(name="pass")  # `pass` on the wire, as in the socket's `?pass=`
    expires_in: int
    ws_path: str


class DevicePassRequest(msgspec.Struct, forbid_unknown_fields=True):
    token: DeviceToken


class DeviceCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: DeviceName


class DeviceRead(msgspec.Struct):
    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class DeviceCreated(msgspec.Struct):
    device: DeviceRead
    token: str  # shown once; only its hash is stored
