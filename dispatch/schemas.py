"""Payloads of the workflow actions, one Struct per action that needs more than a click."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

from dispatch.gate import Standing
from hotline import text
from hotline.vocabulary import EmergencyLine, Satisfaction, Solved

Reason = Annotated[str, msgspec.Meta(max_length=1000)]
Reply = Annotated[str, msgspec.Meta(max_length=4000)]
Note = Annotated[str, msgspec.Meta(max_length=1000)]


class DispatchRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    department_id: int | None = None
    co_department_ids: Annotated[list[int], msgspec.Meta(max_length=10)] = msgspec.field(default_factory=list)
    category_code: Annotated[str, msgspec.Meta(max_length=16)] | None = None
    note: Note | None = None

    def __post_init__(self) -> None:
        if self.department_id is None and self.category_code is None:
            raise ValueError("请选择主办部门，或选择诉求分类由派单目录确定部门")
        if self.department_id in self.co_department_ids:
            raise ValueError("主办部门不能同时作为协办部门")
        self.note = text.optional(self.note)


class ReasonRequest(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason

    def __post_init__(self) -> None:
        self.reason = text.required(self.reason, "理由")


class NoteRequest(msgspec.Struct, forbid_unknown_fields=True):
    note: Note | None = None

    def __post_init__(self) -> None:
        self.note = text.optional(self.note)


class ReplyRequest(msgspec.Struct, forbid_unknown_fields=True):
    reply: Reply

    def __post_init__(self) -> None:
        self.reply = text.required(self.reply, "答复内容")


class AnswerRequest(msgspec.Struct, forbid_unknown_fields=True):
    """直接答复: the answer read to the caller, and the knowledge-base article it came from, if any."""

    reply: Reply
    article_id: int | None = None

    def __post_init__(self) -> None:
        self.reply = text.required(self.reply, "答复内容")


class ExtensionRequest(msgspec.Struct, forbid_unknown_fields=True):
    days: Annotated[int, msgspec.Meta(ge=1, le=30)]
    reason: Reason

    def __post_init__(self) -> None:
        self.reason = text.required(self.reason, "延期理由")


class ExtensionDecision(msgspec.Struct, forbid_unknown_fields=True):
    approve: bool
    note: Note | None = None


class WaitRequest(msgspec.Struct, forbid_unknown_fields=True):
    message: Reason

    def __post_init__(self) -> None:
        self.message = text.required(self.message, "需要群众补充的内容")


class TransferRequest(msgspec.Struct, forbid_unknown_fields=True):
    line: EmergencyLine
    note: Note | None = None


class MergeRequest(msgspec.Struct, forbid_unknown_fields=True):
    parent_number: Annotated[str, msgspec.Meta(max_length=20)]
    note: Note | None = None


class CategoryRequest(msgspec.Struct, forbid_unknown_fields=True):
    category_code: Annotated[str, msgspec.Meta(min_length=4, max_length=16)]

    def __post_init__(self) -> None:
        from classifier.taxonomy import leaf

        try:
            leaf(self.category_code)
        except KeyError:
            raise ValueError(f"诉求分类「{self.category_code}」不存在") from None


class SuggestRequest(msgspec.Struct, forbid_unknown_fields=True):
    text: Annotated[str, msgspec.Meta(max_length=4000)]
    township: Annotated[str, msgspec.Meta(max_length=32)] | None = None
    phone: Annotated[str, msgspec.Meta(max_length=32)] | None = None

    def __post_init__(self) -> None:
        self.text = text.required(self.text, "诉求内容")
        if self.phone:
            from hotline.privacy import normalize_phone

            self.phone = normalize_phone(self.phone)


class SupplementRequest(msgspec.Struct, forbid_unknown_fields=True):
    number: Annotated[str, msgspec.Meta(max_length=20)]
    query_code: Annotated[str, msgspec.Meta(max_length=20)]
    content: Reply

    def __post_init__(self) -> None:
        self.content = text.required(self.content, "补充内容")


class DepartmentRead(msgspec.Struct):
    id: int
    code: str
    name: str
    kind: str
    township: str | None


class SuperviseRequest(msgspec.Struct, forbid_unknown_fields=True):
    message: Reason
    respond_within_days: Annotated[int, msgspec.Meta(ge=1, le=10)] | None = None  # None: the county's policy

    def __post_init__(self) -> None:
        self.message = text.required(self.message, "督办要求")


class NoticeResponse(msgspec.Struct, forbid_unknown_fields=True):
    response: Reply

    def __post_init__(self) -> None:
        self.response = text.required(self.response, "督办回复")


class NoticeRead(msgspec.Struct):
    id: int
    ticket_number: str
    kind: str
    message: str
    department: str | None
    respond_by: datetime | None
    response: str | None
    responded_at: datetime | None
    created_at: datetime
    document_number: str | None = None  # 督〔2026〕第0001号 for a 督办; 催办 and 升级 notes have none
    overdue: bool = False  # 督办逾期: the reply date passed without a written reply
    reminded_at: datetime | None = None  # when the one 催复 went out


class QueueItem(msgspec.Struct):
    """A ticket waiting on the command center, with what the center needs to decide."""

    number: str
    status: str
    content: str
    township: str | None
    created_at: datetime
    department: str | None
    suggested_category: str | None
    confidence: float | None
    manual_review: bool
    emergency_kind: str | None
    reason: str | None = None
    extension_days: int | None = None
    duplicate_of: str | None = None  # 待人工分拨: the open ticket routing found this one most like (疑似重复件)


class PolicyRead(msgspec.Struct):
    version: int
    rules: dict
    created_at: datetime


class CalendarDay(msgspec.Struct, forbid_unknown_fields=True):
    is_workday: bool
    note: Annotated[str, msgspec.Meta(max_length=64)] | None = None


class CalendarDayRead(msgspec.Struct):
    day: date
    is_workday: bool
    note: str | None


class GateRead(msgspec.Struct, kw_only=True):
    """The auto-dispatch gate for the commander: the rule and each category's standing."""

    family: str  # the promoted model's evidence family (corpus, history, csv:<file>)
    target_precision: float
    min_judged: int
    z: float
    categories: list[Standing]


class ReviewChecks(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """办结审核's four 是/否 checks (工单质检); each must be answered, the score follows from them."""

    answers_request: bool  # 针对诉求
    complete: bool  # 内容完整
    courteous: bool  # 文明规范
    cites_basis: bool  # 依据明确


class ReviewReturn(ReviewChecks, kw_only=True):
    """A reply returned to its unit: the checks and the reason the handler reads."""

    reason: Reason

    def __post_init__(self) -> None:
        self.reason = text.required(self.reason, "退回理由")


class ReviewRead(msgspec.Struct, kw_only=True):
    """One reviewed (or waiting) reply with its checks and score."""

    id: int
    ticket_number: str
    department: str | None
    replied_at: datetime
    reply: str
    on_time: bool
    due_at: datetime
    overdue: bool
    reviewed_at: datetime | None = None
    outcome: str | None = None
    reason: str | None = None
    checks: dict[str, bool] | None = None
    score: int | None = None


class ReviewItem(msgspec.Struct, kw_only=True):
    """A reply in the review queue, next to the citizen's request it answers (the caller masked)."""

    review: ReviewRead
    number: str
    type: str
    type_label: str
    title: str | None
    content: str
    caller_name: str | None
    caller_phone: str | None
    township: str | None
    created_at: datetime
    ticket_due_at: datetime | None


class CallbackAttemptCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One 回访 call: its outcome, a note, and when reached the survey (满意度, 解决情况, 是否联系)."""

    outcome: Literal["no_answer", "busy", "refused", "reached"]
    note: Note | None = None
    satisfaction: Satisfaction | None = None
    solved: Solved | None = None
    contacted: bool | None = None

    def __post_init__(self) -> None:
        self.note = text.optional(self.note)
        if self.outcome == "reached":
            if self.satisfaction is None or self.solved is None or self.contacted is None:
                raise ValueError("已接通的回访须填写满意度、解决情况和承办单位是否联系过来电人")
        elif self.satisfaction is not None or self.solved is not None or self.contacted is not None:
            raise ValueError("未接通的回访不能填写评价")


class CallbackItem(msgspec.Struct, kw_only=True):
    number: str
    title: str | None
    content: str
    reply: str | None
    department: str | None
    caller_name: str | None
    caller_phone: str | None
    closed_at: datetime
    due_at: datetime
    overdue: bool
    attempts: int
    failed_attempts: int
    last_outcome: str | None


class ReviewDecision(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """合理 with a remedy (整改 or 重办), or 不合理 with the reason it is dismissed."""

    verdict: Literal["reasonable", "unreasonable"]
    remedy: Literal["rectify", "reopen"] | None = None
    note: Note | None = None

    def __post_init__(self) -> None:
        self.note = text.optional(self.note)
        if self.verdict == "reasonable" and self.remedy is None:
            raise ValueError("差评合理时请选择整改或重办")
        if self.verdict == "unreasonable":
            if self.remedy is not None:
                raise ValueError("差评不合理时不能选择整改或重办")
            if self.note is None:
                raise ValueError("认定差评不合理须写明理由")


class RectificationReport(msgspec.Struct, forbid_unknown_fields=True):
    report: Reason

    def __post_init__(self) -> None:
        self.report = text.required(self.report, "整改情况")


class AppealDecision(msgspec.Struct, forbid_unknown_fields=True):
    grant: bool
    note: Note | None = None

    def __post_init__(self) -> None:
        self.note = text.optional(self.note)


class ComplaintReviewRead(msgspec.Struct, kw_only=True):
    id: int
    ticket_number: str
    department_id: int | None
    department: str | None
    satisfaction: str
    solved: str
    contradictory: bool
    opened_at: datetime
    due_at: datetime
    status: str
    status_label: str
    verdict: str | None
    remedy: str | None
    decision_note: str | None
    rectify_due_at: datetime | None
    rectification: str | None
    rectified_at: datetime | None
    appeal_due_at: datetime | None
    appeal_status: str | None
    appeal_reason: str | None
    appeal_note: str | None
    counts: bool
    content: str
    reply: str | None
    rating_comment: str | None


Instruction = Annotated[str, msgspec.Meta(max_length=500)]


class InstructionCreate(msgspec.Struct, forbid_unknown_fields=True):
    """领导批示: the leader's words, kept as written (full-width punctuation, emoji and all)."""

    text: Instruction

    def __post_init__(self) -> None:
        self.text = text.required(self.text, "批示内容")


class InstructionReply(msgspec.Struct, forbid_unknown_fields=True):
    reply: Reply

    def __post_init__(self) -> None:
        self.reply = text.required(self.reply, "落实情况")


class InstructionRead(msgspec.Struct):
    id: int
    ticket_number: str
    document_number: str | None  # the 督办单 it was given on, if any
    department: str | None
    leader: str | None
    text: str
    reply_by: datetime
    status: str  # pending / replied
    status_label: str  # 待落实 / 已回复
    overdue: bool
    reply: str | None
    replied_at: datetime | None
    created_at: datetime


class CoReport(msgspec.Struct, forbid_unknown_fields=True):
    """联办: a co-unit's part, as long as a reply may be (the lead unit may quote it)."""

    report: Reply

    def __post_init__(self) -> None:
        self.report = text.required(self.report, "协办意见")
