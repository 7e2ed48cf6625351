"""Input and output Structs of hotline/: intake, staff views, the citizen's view, login."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from hotline import text
from hotline.privacy import normalize_phone
from hotline.vocabulary import CITIZEN_CHANNELS, Channel, Satisfaction, Solved, TicketType, Urgency

Content = Annotated[str, msgspec.Meta(max_length=4000, description="诉求内容，最多4000字")]
Title = Annotated[str, msgspec.Meta(max_length=100)]
ShortText = Annotated[str, msgspec.Meta(max_length=32)]
Address = Annotated[str, msgspec.Meta(max_length=200)]
Phone = Annotated[str, msgspec.Meta(max_length=32)]
Latitude = Annotated[float, msgspec.Meta(ge=-90, le=90)]
Longitude = Annotated[float, msgspec.Meta(ge=-180, le=180)]
IdempotencyKey = Annotated[str, msgspec.Meta(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]
TicketNumber = Annotated[str, msgspec.Meta(max_length=20)]
# Ids a client may send: within the database's integer columns (PostgreSQL integer, bigint for tickets and
# events), so an absurd number is a 400 from validation, never an overflow inside the driver.
MAX_ROW_ID = 2**31 - 1
MAX_BIG_ID = 2**63 - 1
RowId = Annotated[int, msgspec.Meta(ge=1, le=MAX_ROW_ID)]
QueryCode = Annotated[str, msgspec.Meta(max_length=20)]


class _Location(msgspec.Struct, kw_only=True):
    township: ShortText | None = None
    village: ShortText | None = None
    address: Address | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None

    def _clean_location(self) -> None:
        self.township = text.optional(self.township)
        self.village = text.optional(self.village)
        self.address = text.optional(self.address)
        if self.village and not self.township:
            raise ValueError("填写村（社区）时请同时选择所属乡镇")
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("经纬度需要同时填写")


class CallCreate(_Location, forbid_unknown_fields=True, kw_only=True):
    """What an operator types while the caller is on the line."""

    content: Content
    channel: Channel = Channel.CALL_12345
    type: TicketType = TicketType.CONSULTATION
    urgency: Urgency = Urgency.NORMAL
    caller_name: ShortText | None = None
    caller_phone: Phone | None = None
    idempotency_key: IdempotencyKey | None = None

    def __post_init__(self) -> None:
        self.content = text.required(self.content, "诉求内容")
        self.caller_name = text.optional(self.caller_name)
        if self.caller_phone and text.clean(self.caller_phone):
            self.caller_phone = normalize_phone(self.caller_phone)
        else:
            self.caller_phone = None
        self._clean_location()


class LetterCreate(_Location, forbid_unknown_fields=True, kw_only=True):
    """A 县长信箱 letter or a web/app message, sent by a citizen without an account."""

    title: Title
    content: Content
    phone: Phone
    channel: Channel = Channel.WEB
    type: TicketType = TicketType.CONSULTATION
    name: ShortText | None = None
    idempotency_key: IdempotencyKey | None = None

    def __post_init__(self) -> None:
        if self.channel not in CITIZEN_CHANNELS:
            raise ValueError("留言渠道只能是县长信箱、网站留言或移动应用")
        self.title = text.required(self.title, "标题")
        self.content = text.required(self.content, "留言内容")
        self.name = text.optional(self.name)
        self.phone = normalize_phone(self.phone) if self.phone is not None else None  # None: PartnerLetter
        self._clean_location()


class PartnerLetter(LetterCreate, kw_only=True):
    """A report filed by a civic-report app through an API key (Open311). The phone is optional there: the
    citizen follows the ticket in the app, so no receipt SMS is needed when none is given."""

    phone: Phone | None = None  # type: ignore[assignment]


class Receipt(msgspec.Struct):
    """Given once, at intake: the number and the code the citizen needs to follow the ticket."""

    number: str
    query_code: str
    status: str
    status_label: str
    message: str


class DepartmentRef(msgspec.Struct):
    id: int
    name: str


class CoUnitRead(msgspec.Struct):
    """联办: one co-unit's part of the current dispatch (hotline.co_units)."""

    department: DepartmentRef
    due_at: datetime | None
    reported: bool
    reported_at: datetime | None
    report: str | None
    on_time: bool | None
    overdue: bool


class EventRead(msgspec.Struct):
    id: int
    action: str
    action_label: str
    from_status: str | None
    to_status: str | None
    actor_role: str
    actor_id: int | None
    department: str | None
    note: str | None
    data: dict
    created_at: datetime


class AttachmentRead(msgspec.Struct):
    """A photo or recording of a ticket (hotline.attachments); ``url``/``thumb_url`` are signed links that work
    for a while (ATTACHMENT_LINK_MINUTES), None once the file was purged by retention."""

    id: int
    ticket_number: str  # a merged ticket's files are listed with the survivor, under their own number
    kind: str
    content_type: str
    name: str
    size: int
    width: int | None
    height: int | None
    source: str
    created_at: datetime
    purged: bool
    url: str | None
    thumb_url: str | None


class TicketRead(msgspec.Struct):
    """The staff view; personal data is masked unless the reader's role needs it."""

    id: int
    number: str
    channel: str
    channel_label: str
    type: str
    type_label: str
    urgency: str
    status: str
    status_label: str
    title: str | None
    content: str
    caller_name: str | None
    caller_phone: str | None
    township: str | None
    village: str | None
    address: str | None
    latitude: float | None
    longitude: float | None
    category_code: str | None
    lead_department: DepartmentRef | None
    co_departments: list[DepartmentRef]
    created_at: datetime
    dispatched_at: datetime | None
    sign_deadline: datetime | None
    due_at: datetime | None
    closed_at: datetime | None
    reply: str | None
    satisfaction: str | None
    solved: str | None
    parent_number: str | None
    transferred_to: str | None
    extension_used: bool
    suggested_category: str | None
    confidence: float | None
    manual_review: bool
    emergency_kind: str | None
    card: str | None
    escalation: int
    version: int
    allowed_actions: list[str]
    events: list[EventRead] | None = None
    co_units: list[CoUnitRead] | None = None  # the single-ticket view only
    attachments: list[AttachmentRead] | None = None  # the single-ticket view only


class PublicEvent(msgspec.Struct):
    time: datetime
    text: str


class PublicTicket(msgspec.Struct):
    """What a citizen sees: status and a public timeline, nothing internal, nothing of others."""

    number: str
    status: str
    status_label: str
    title: str | None
    content: str
    caller_phone: str | None
    created_at: datetime
    due_at: datetime | None
    reply: str | None
    can_rate: bool
    can_supplement: bool
    satisfaction: str | None
    timeline: list[PublicEvent]
    # 承诺办结时间 in words (Asia/Shanghai) while the ticket is being handled; None once answered or while paused
    due_text: str | None = None
    # 待补充: by when the citizen is asked to answer
    supplement_due_at: datetime | None = None
    supplement_due_text: str | None = None
    attachments: list[AttachmentRead] = []


class LookupRequest(msgspec.Struct, forbid_unknown_fields=True):
    number: TicketNumber
    query_code: QueryCode


class RatingCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    number: TicketNumber
    query_code: QueryCode
    satisfaction: Satisfaction
    solved: Solved
    comment: Annotated[str, msgspec.Meta(max_length=500)] | None = None

    def __post_init__(self) -> None:
        self.comment = text.optional(self.comment)


class SupplementCreate(msgspec.Struct, forbid_unknown_fields=True):
    number: TicketNumber
    query_code: QueryCode
    content: Content

    def __post_init__(self) -> None:
        self.content = text.required(self.content, "补充内容")


class CallbackCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """An operator's callback (回访) recording the citizen's rating by phone."""

    satisfaction: Satisfaction
    solved: Solved
    comment: Annotated[str, msgspec.Meta(max_length=500)] | None = None
    contacted: bool | None = None  # 承办单位是否联系过来电人


class LoginRequest(msgspec.Struct, forbid_unknown_fields=True):
    username: Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]


class StaffRead(msgspec.Struct):
    id: int
    username: str
    display_name: str
    role: str
    role_label: str
    department: DepartmentRef | None


class LoginResponse(msgspec.Struct):
    access_token: str
    token_type: str
    expires_at: datetime
    staff: StaffRead


class LoginEventRead(msgspec.Struct):
    """One sign-in attempt for the auditor; outcome: success, failure, locked, or unlocked (by an admin)."""

    id: int
    at: datetime
    username: str  # an unknown name is masked: it may be a password typed in the wrong box
    staff_id: int | None
    address: str
    outcome: str


class AreaRead(msgspec.Struct):
    township: str
    villages: list[str]


class AccessRead(msgspec.Struct):
    """One access record: a staff member's request returned this ticket's caller fields in full."""

    id: int
    at: datetime
    ticket: str
    staff_id: int
    staff: str
    staff_name: str
    staff_role: str
    view: str  # detail, action, list, inbox, caller_history, search, phone_search


class TicketSearchPage(msgspec.Struct):
    """One page of a search: the list's own ticket shape, newest first, and how to ask for the next page."""

    items: list[TicketRead]
    has_more: bool  # more matches past this page: ask again with before_id = next_before_id
    next_before_id: int | None
    summaries: dict[str, str]  # by number: the first words with personal data masked, for a results list
    categories: dict[str, str]  # code -> name, for the codes on this page
