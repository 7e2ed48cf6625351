"""Ticket search for staff: the filters a person types, checked and turned into one keyset-paged query.

Every filter narrows (AND). Results are newest first, by id; `before_id` pages on, and one row more than asked
tells whether there is more (a count of a common word's matches at a million tickets costs more than the page).
Who sees what is hotline.access.visible_tickets, as for the list.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from litestar.exceptions import PermissionDeniedException, ValidationException
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from hotline import text
from hotline.access import visible_tickets
from hotline.models import Department, Ticket
from hotline.privacy import PhoneError, normalize_phone
from hotline.search_index import matches
from hotline.search_text import query_words
from hotline.settings import TIME_ZONE
from hotline.vocabulary import Role
from hotline.workflow import Actor

MAX_QUERY = 50  # characters of free text: a search box, not a letter
MAX_SPAN_DAYS = 366 * 5
DAY_PREFIX = 8  # YYYYMMDD: a number prefix this long holds one day's tickets at most
WINDOW = 20_000  # newest tickets a word search tries first on PostgreSQL (fetch); about two weeks of a county
_NUMBER = re.compile(r"[0-9A-Za-z-]{1,20}")
_CODE = re.compile(r"[0-9A-Za-z]{1,16}")


@dataclass(frozen=True)
class Filters:
    """The checked filters; the raw ones come in as query parameters (hotline.search_controllers)."""

    words: tuple[str, ...] = ()
    phone: str | None = None
    number: str | None = None
    unit: int | None = None
    category: str | None = None
    status: str | None = None
    channel: str | None = None
    received_from: date | None = None
    received_to: date | None = None


def _refuse(key: str, message: str) -> ValidationException:
    return ValidationException(message, extra=[{"key": key, "message": message}])


def _has_symbols(value: str) -> bool:
    """Emoji and pictographs (category So, or outside the basic plane: no county text needs them in a search)."""
    return any(unicodedata.category(c) == "So" or ord(c) > 0xFFFF for c in value)


def _half_width(value: str) -> str:
    """Full-width digits and letters to ASCII, control and invisible characters dropped (hotline.text)."""
    return text.clean(unicodedata.normalize("NFKC", value))


def check(session: Session, actor: Actor, *, q: str | None, phone: str | None, number: str | None,
          unit: int | None, category: str | None, status: str | None, channel: str | None,
          received_from: date | None, received_to: date | None) -> Filters:
    """Turn what was typed into Filters, or refuse with a message the person can act on."""
    words: tuple[str, ...] = ()
    if q is not None and (q := _half_width(q)):
        if len(q) > MAX_QUERY:
            raise _refuse("q", f"搜索内容过长（{len(q)} 字），请控制在 {MAX_QUERY} 字以内")
        if _has_symbols(q):
            raise _refuse("q", "搜索内容不能包含表情符号或图形符号，请只输入文字、数字或字母")
        words = tuple(query_words(q))
        if not words:
            raise _refuse("q", "搜索内容里没有可检索的字词（常用虚词和标点不参与检索），请换用具体的词语")
    if phone is not None and (phone := phone.strip()):
        if _has_symbols(phone):
            raise _refuse("phone", "电话号码只能包含数字，请检查后重新输入")
        try:
            phone = normalize_phone(phone)
        except PhoneError as exc:
            raise _refuse("phone", str(exc)) from exc
    else:
        phone = None
    if number is not None and (number := _half_width(number)):
        if not _NUMBER.fullmatch(number):
            raise _refuse("number", "工单编号只能包含数字、字母和连字符，最长 20 位，可只输入开头几位")
    else:
        number = None
    if category is not None and (category := _half_width(category)):
        if not _CODE.fullmatch(category) or not _known_category(session, category):
            raise _refuse("category", f"类别代码 {category} 不存在，请从类别列表中选择")
    else:
        category = None
    if unit is not None:
        if session.get(Department, unit) is None:
            raise _refuse("unit", f"承办单位编号 {unit} 不存在，请从单位列表中选择")
        if actor.role == Role.HANDLER and unit != actor.department_id:
            raise PermissionDeniedException("只能查询本单位的工单")
    if received_from and received_to:
        if received_from > received_to:
            raise _refuse("received_from", "开始日期晚于结束日期，请检查受理日期范围")
        if (received_to - received_from).days > MAX_SPAN_DAYS:
            raise _refuse("received_to", "受理日期范围最长 5 年，请缩小范围")
    filters = Filters(words, phone, number, unit, category, status, channel, received_from, received_to)
    if filters == Filters():
        raise _refuse("q", "请至少填写一个搜索条件：关键词、来电号码、工单编号、承办单位、类别、状态、渠道或受理日期")
    return filters


def _known_category(session: Session, code: str) -> bool:
    """A leaf of the shipped tree, or a code tickets carry (a county's own codes come in with its history)."""
    from classifier.taxonomy import LEAVES

    if any(leaf.code == code for leaf in LEAVES):
        return True
    return bool(session.scalar(select(exists().where(Ticket.category_code == code))))


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), TIME_ZONE)


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def fetch(session: Session, actor: Actor, filters: Filters, before_id: int | None, limit: int) -> list[Ticket]:
    """Up to limit + 1 tickets, newest first.

    Words on PostgreSQL take two steps, because the planner cannot know how often two words occur together:
    a common pair is found fastest by walking the newest tickets and testing each, a rare one by the GIN index,
    and a wrong guess either way cost seconds at a million tickets. So the newest WINDOW tickets first (either
    plan is cheap within them), and only when they do not fill the page the older ones, with the ordering
    written so that only the index can serve it (an expression, `id + 0`, no index is sorted by).
    """
    dialect = session.get_bind().dialect.name
    if not filters.words or dialect != "postgresql":
        return list(session.scalars(query(dialect, actor, filters, before_id, limit, order=_order(filters))))
    top = before_id if before_id is not None else (session.scalar(select(func.max(Ticket.id))) or 0) + 1
    floor = top - WINDOW
    stmt = query(dialect, actor, filters, before_id, limit)
    rows = list(session.scalars(stmt.where(Ticket.id >= floor)))
    if len(rows) > limit or floor <= 1:
        return rows
    older = query(dialect, actor, filters, floor, limit - len(rows), order=(Ticket.id + 0).desc())
    return rows + list(session.scalars(older))


def _order(filters: Filters):
    """The planner does not know that ids grow with received time and with the number: for a unit's old month, or
    a day's numbers, it walked the newest ids by primary key (918,583 rows and 1 s; 168,018 rows and 118 ms, at a
    million tickets). `id + 0` is an ordering no index serves, so the date or number index is used and at most a
    month of one unit's tickets, or a day's, is sorted. A shorter number prefix (a year) is left to the planner."""
    if filters.unit is not None and (filters.received_from or filters.received_to):
        return (Ticket.id + 0).desc()
    if filters.number and len(filters.number) >= DAY_PREFIX:
        return (Ticket.id + 0).desc()
    return None


def query(dialect: str, actor: Actor, filters: Filters, before_id: int | None, limit: int, order=None):
    """The page's select: limit + 1 rows, newest first."""
    stmt = visible_tickets(actor)
    if filters.words:
        stmt = stmt.where(matches(dialect, list(filters.words)))
    if filters.phone:
        stmt = stmt.where(Ticket.caller_phone == filters.phone)
    if filters.number:
        stmt = stmt.where(Ticket.number.like(_escape_like(filters.number) + "%", escape="\\"))
    if filters.unit is not None:
        stmt = stmt.where(Ticket.lead_department_id == filters.unit)
    if filters.category:
        stmt = stmt.where(Ticket.category_code == filters.category)
    if filters.status:
        stmt = stmt.where(Ticket.status == filters.status)
    if filters.channel:
        stmt = stmt.where(Ticket.channel == filters.channel)
    if filters.received_from:
        stmt = stmt.where(Ticket.created_at >= _day_start(filters.received_from))
    if filters.received_to:
        stmt = stmt.where(Ticket.created_at < _day_start(filters.received_to + timedelta(days=1)))
    if before_id is not None:
        stmt = stmt.where(Ticket.id < before_id)
    return stmt.order_by(order if order is not None else Ticket.id.desc()).limit(limit + 1)
