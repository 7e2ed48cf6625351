"""Every refusal as a 4xx a person can act on, in Chinese, in one JSON shape: {status_code, detail, ...}."""

from __future__ import annotations

import re
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
    HTTP_429_TOO_MANY_REQUESTS,
)
from sqlalchemy.exc import DataError
from sqlalchemy.orm.exc import StaleDataError

from dispatch.actions import UnknownArticle, UnknownDepartment
from dispatch.complaints import ReviewNotFound
from dispatch.instructions import InstructionNotFound
from dispatch.supervision import NoticeNotFound
from hotline.abuse import Blocked
from hotline.access import TicketNotFound
from hotline.attachments import LinkInvalid, upload_too_large
from hotline.citizen import LookupFailed
from hotline.intake import DuplicateSubmission, UnknownPlace
from hotline.throttle import Throttled
from hotline.uploads import UploadRefused
from hotline.workflow import ActionForbidden, TransitionRefused

FIELD_LABELS = {
    "content": "诉求内容", "title": "标题", "caller_name": "来电人姓名", "name": "姓名",
    "caller_phone": "来电号码", "phone": "联系电话", "channel": "来源渠道", "type": "诉求类型",
    "urgency": "紧急程度", "township": "乡镇（街道）", "village": "村（社区）", "address": "详细地址",
    "latitude": "纬度", "longitude": "经度", "idempotency_key": "提交编号", "number": "工单号",
    "query_code": "查询码", "satisfaction": "满意度", "solved": "解决情况", "comment": "评价意见",
    "reason": "理由", "reply": "答复内容", "department_id": "主办部门", "co_department_ids": "协办部门",
    "category_code": "诉求分类", "days": "延期天数", "note": "备注", "message": "补充要求", "line": "转接线路",
    "parent_number": "主工单号", "approve": "审批意见", "username": "用户名", "password": "密码",
    "limit": "条数", "after_id": "起始编号", "status": "状态", "answer": "答复口径", "keywords": "关键词",
    "valid_until": "有效期至", "active": "是否启用", "q": "搜索词", "include_inactive": "含停用条目",
    "article_id": "知识库条目",
}
TYPE_NAMES = {"str": "文字", "int": "整数", "float": "数字", "bool": "是/否", "array": "列表", "object": "对象"}

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"Expected `str` of length <= (\d+)"), "{label}过长，最多 {0} 个字"),
    (re.compile(r"Expected `str` of length >= (\d+)"), "{label}太短，至少 {0} 个字"),
    (re.compile(r"Expected `array` of length <= (\d+)"), "{label}最多 {0} 项"),
    (re.compile(r"Expected `str` matching regex"), "{label}格式不正确"),
    (re.compile(r"Expected `(?:int|float)` (?:>=|>) (\S+)"), "{label}不能小于 {0}"),
    (re.compile(r"Expected `(?:int|float)` (?:<=|<) (\S+)"), "{label}不能大于 {0}"),
    (re.compile(r"Invalid enum value '?([^'`]*)'?"), "{label}的取值「{0}」无效"),
    (re.compile(r"Expected `(\w+)(?: \| \w+)*`, got `(\w+)`"), "{label}应填写{type}"),
    (re.compile(r"Object missing required field `(\w+)`"), "缺少必填项：{missing}"),
    (re.compile(r"Object contains unknown field `(\w+)`"), "不认识的字段：{0}"),
    (re.compile(r"Invalid RFC3339 encoded (?:date|datetime)"), "{label}的日期格式不正确，应如 2026-11-24"),
    (re.compile(r"Missing required (?:query|path|header) parameter '?(\w+)'?"), "缺少必填项：{missing}"),
    (re.compile(r"JSON is malformed|Input data was truncated|invalid json", re.I), "请求内容不是有效的 JSON，请检查格式"),
]


def _field(message: str, key: str | None) -> str | None:
    if key and key != "data":
        return key
    match = re.search(r"at `\$\.(\w+)", message)
    return match.group(1) if match else None


def translate(message: str, key: str | None = None) -> str:
    """msgspec's English validation message → a Chinese sentence naming the field."""
    field = _field(message, key)
    label = FIELD_LABELS.get(field or "", field or "内容")
    for pattern, template in _PATTERNS:
        if match := pattern.search(message):
            groups = match.groups()
            missing = FIELD_LABELS.get(groups[0], groups[0]) if groups else ""
            type_name = TYPE_NAMES.get(groups[0], groups[0]) if groups else ""
            return template.format(*groups, label=label, missing=missing, type=type_name)
    return re.sub(r" - at `\$[^`]*`$", "", message)  # our own __post_init__ messages are Chinese already


def _json(status: int, detail: str, **extra: Any) -> Response[dict[str, Any]]:
    return Response({"status_code": status, "detail": detail, **extra}, status_code=status)


def validation_error(_: Request, exc: ValidationException) -> Response[dict[str, Any]]:
    problems = exc.extra if isinstance(exc.extra, list) else []
    errors = [
        {"field": _field(str(p.get("message", "")), p.get("key")), "message": translate(str(p.get("message", "")),
                                                                                       p.get("key"))}
        for p in problems if isinstance(p, dict)
    ]
    if not errors:
        errors = [{"field": None, "message": translate(str(exc.detail))}]
    return _json(HTTP_400_BAD_REQUEST, "；".join(e["message"] for e in errors), errors=errors)


def transition_refused(_: Request, exc: TransitionRefused) -> Response[dict[str, Any]]:
    return _json(HTTP_409_CONFLICT, exc.message, current_status=exc.status, allowed_actions=exc.allowed)


def stale(_: Request, __: StaleDataError) -> Response[dict[str, Any]]:
    return _json(HTTP_409_CONFLICT, "工单刚刚已被其他人处理，请刷新后查看最新状态")


def duplicate(_: Request, exc: DuplicateSubmission) -> Response[dict[str, Any]]:
    return _json(HTTP_409_CONFLICT, str(exc), number=exc.number)


def not_found(_: Request, exc: Exception) -> Response[dict[str, Any]]:
    message = LookupFailed.message if isinstance(exc, LookupFailed) else str(exc)
    return _json(HTTP_404_NOT_FOUND, message)


def bad_value(_: Request, exc: ValueError) -> Response[dict[str, Any]]:
    return _json(HTTP_400_BAD_REQUEST, str(exc))


def out_of_range(_: Request, exc: Exception) -> Response[dict[str, Any]]:
    """A number the database cannot hold (SQLite: OverflowError; PostgreSQL: SQLSTATE 22003) is the client's
    mistake; inputs are bounded where they are declared, this catches whatever slips past. Any other data
    error is still ours: a 500 (logged with its traceback by web/answer_log.py)."""
    if isinstance(exc, DataError) and (getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)) != "22003":
        return _json(500, "服务器内部错误")
    return _json(HTTP_400_BAD_REQUEST, "数值超出允许范围")


def forbidden(_: Request, exc: ActionForbidden) -> Response[dict[str, Any]]:
    return _json(403, str(exc))


def throttled(_: Request, exc: Throttled) -> Response[dict[str, Any]]:
    response = _json(HTTP_429_TOO_MANY_REQUESTS, exc.detail, retry_after=exc.retry_after)
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


def refused_quietly(_: Request, exc: Blocked) -> Response[dict[str, Any]]:
    return _json(403, exc.detail)


def http_error(request: Request, exc: HTTPException) -> Response[dict[str, Any]]:
    detail = exc.detail
    if exc.status_code == HTTP_400_BAD_REQUEST:
        detail = translate(detail)
    elif exc.status_code == HTTP_429_TOO_MANY_REQUESTS:
        detail = "查询过于频繁，请稍后再试"
    elif exc.status_code == 401:
        detail = detail if detail not in ("", "Unauthorized") and not detail.startswith("No JWT") else "请先登录"
    elif exc.status_code == HTTP_404_NOT_FOUND and detail in ("Not Found", ""):
        detail = "请求的地址不存在"
    elif exc.status_code == 405:
        detail = "不支持该请求方法"
    elif exc.status_code == 413 and "attachments" in request.url.path:
        detail = upload_too_large()
    elif exc.status_code == 413:
        detail = "提交的内容过大"
    response = _json(exc.status_code, detail)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def upload_refused(_: Request, exc: UploadRefused) -> Response[dict[str, Any]]:
    return _json(exc.status, exc.message)


def link_invalid(_: Request, exc: LinkInvalid) -> Response[dict[str, Any]]:
    return _json(HTTP_404_NOT_FOUND, exc.message)


EXCEPTION_HANDLERS = {
    UploadRefused: upload_refused,
    LinkInvalid: link_invalid,
    ValidationException: validation_error,
    TransitionRefused: transition_refused,
    StaleDataError: stale,
    DuplicateSubmission: duplicate,
    TicketNotFound: not_found,
    NoticeNotFound: not_found,
    ReviewNotFound: not_found,
    InstructionNotFound: not_found,
    LookupFailed: not_found,
    UnknownPlace: bad_value,
    UnknownDepartment: bad_value,
    UnknownArticle: bad_value,
    ActionForbidden: forbidden,
    OverflowError: out_of_range,
    DataError: out_of_range,
    HTTPException: http_error,
    Throttled: throttled,
    Blocked: refused_quietly,
}
