"""Payloads of the workflow actions, one Struct per action that needs more than a click."""

from __future__ import annotations

from typing import Annotated

import msgspec

from hotline import text
from hotline.vocabulary import EmergencyLine

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
