"""A county's earlier tickets (历史工单) become archived tickets, one `import` event each, batch by batch.

Rows come in as plain cells by field (read from CSV or xlsx by `web/history_file.py`); each is checked here on
its own and, if sound, written with the others of its batch in one transaction. A bad row is reported (row,
column, what is wrong) and skipped; the rest go on. Re-running the same file continues where an interrupted run
stopped: every imported ticket carries the idempotency key `import:<original number>`, and a key already stored
is skipped. Imported tickets are archived at once, with no deadline, card or routing job, and a query code that
was never given to anyone. The column mapping and every rule are in docs/history.md.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from itertools import islice
from typing import Any, get_args

from sqlalchemy import func, insert, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from hotline import search_text, text
from hotline.clock import now
from hotline.intake import places_named_in
from hotline.models import Ticket, TicketEvent
from hotline.numbering import new_query_code
from hotline.privacy import PhoneError, normalize_phone
from hotline.redaction import redact
from hotline.schemas import Content
from hotline.settings import TIME_ZONE
from hotline.vocabulary import Action, Channel, Satisfaction, Solved, TicketType
from hotline.workflow import SYSTEM_ACTOR, apply

KEY_PREFIX = "import:"
NUMBER_CHARS = Ticket.__table__.c.number.type.length  # 20
KEY_CHARS = Ticket.__table__.c.idempotency_key.type.length  # 64
ORIGINAL_NUMBER_CHARS = KEY_CHARS - len(KEY_PREFIX)  # 57
OUR_NUMBERS = re.compile(r"\d{13,}")  # what hotline.numbering hands out: YYYYMMDD + a daily sequence of 5+ digits
SCIENTIFIC = re.compile(r"\d(\.\d+)?[Ee][+]\d+")
CONTENT_CHARS = next(m.max_length for m in get_args(Content)[1:])  # live intake's own limit, 4000
LIMITS = {"title": 100, "address": 200, "caller_name": 32, "reply": CONTENT_CHARS, "status": 32, "unit": 64,
          "category": 64, "township": 64}
FUTURE_SLACK = timedelta(minutes=5)

CHANNEL_WORDS: tuple[tuple[str, Channel], ...] = (  # first match wins: the numbered lines before the generic words
    ("12315", Channel.CALL_12315), ("12369", Channel.CALL_12369), ("12333", Channel.CALL_12333),
    ("12329", Channel.CALL_12329), ("110", Channel.FROM_110), ("119", Channel.FROM_119),
    ("120", Channel.FROM_120), ("122", Channel.FROM_122), ("12345", Channel.CALL_12345),
    ("数字城管", Channel.CITY_MANAGEMENT), ("城管", Channel.CITY_MANAGEMENT),
    ("信箱", Channel.MAILBOX), ("来信", Channel.MAILBOX), ("信件", Channel.MAILBOX),
    ("微信", Channel.APP), ("小程序", Channel.APP), ("公众号", Channel.APP), ("app", Channel.APP),
    ("客户端", Channel.APP), ("移动", Channel.APP),
    ("网站", Channel.WEB), ("网上", Channel.WEB), ("网络", Channel.WEB), ("留言", Channel.WEB), ("门户", Channel.WEB),
    ("电话", Channel.CALL_12345), ("热线", Channel.CALL_12345), ("来电", Channel.CALL_12345),
)
TYPE_WORDS: dict[str, TicketType] = {"求决": TicketType.HELP, "意见": TicketType.SUGGESTION,
                                     "意见建议": TicketType.SUGGESTION, "感谢": TicketType.PRAISE,
                                     "表扬感谢": TicketType.PRAISE, "检举": TicketType.REPORT}
RATING_WORDS: dict[str, Satisfaction | None] = {
    "非常满意": Satisfaction.SATISFIED, "很满意": Satisfaction.SATISFIED, "比较满意": Satisfaction.BASICALLY,
    "一般": Satisfaction.BASICALLY, "非常不满意": Satisfaction.UNSATISFIED,
    "未评价": None, "未回访": None, "无": None, "-": None,
}
SOLVED_WORDS: dict[str, Solved] = {"解决": Solved.SOLVED, "是": Solved.SOLVED, "基本解决": Solved.PARTLY,
                                   "否": Solved.UNSOLVED, "未能解决": Solved.UNSOLVED}
DEFAULT_CHANNEL, DEFAULT_TYPE = Channel.CALL_12345, TicketType.HELP  # for an empty cell (docs/history.md)


@dataclass(frozen=True)
class Catalogue:
    """What rows are resolved against: the county's units and its own catalogue (given by the composition root,
    which reads dispatch's catalogue; hotline does not import dispatch)."""

    unit_codes: Mapping[str, int]
    unit_names: Mapping[str, int]
    category_names: Mapping[str, str]  # code -> name, the county's catalogue codes only
    leads: Mapping[tuple[str, str | None], int]  # (code, township or None) -> lead unit id

    @cached_property
    def _codes_by_name(self) -> dict[str, list[str]]:
        named: dict[str, list[str]] = {}
        for code, name in self.category_names.items():
            named.setdefault(name, []).append(code)
        return named

    @cached_property
    def _led(self) -> dict[tuple[int, str | None], str | None]:
        return {}

    def code_of(self, value: str) -> str | None:
        if value in self.category_names:
            return value
        named = self._codes_by_name.get(value, [])
        if len(named) == 1:
            return named[0]
        first = re.split(r"[\s:：\-]", value, maxsplit=1)[0]
        return first if first in self.category_names else None

    def unit_of(self, value: str) -> int | None:
        return self.unit_codes.get(value, self.unit_names.get(value))

    def lead_for(self, code: str, township: str | None) -> int | None:
        return self.leads.get((code, township), self.leads.get((code, None)))

    def only_category_of(self, unit_id: int, township: str | None) -> str | None:
        """The catalogue code this unit leads, where it leads exactly one here; else None (ambiguous or none)."""
        if (unit_id, township) not in self._led:
            codes = {code for (code, place), lead in self.leads.items()
                     if lead == unit_id and place in (None, township) and self.lead_for(code, township) == unit_id}
            self._led[unit_id, township] = codes.pop() if len(codes) == 1 else None
        return self._led[unit_id, township]


@dataclass(frozen=True, order=True)
class RowProblem:
    row: int  # as the county sees it: the header is row 1
    column: str  # the file's own header ("" for the row as a whole)
    message: str
    number: str = ""


@dataclass
class Summary:
    read: int = 0
    imported: int = 0
    skipped: int = 0  # imported by an earlier run
    rejected: int = 0  # rows, not problems
    no_category: int = 0
    no_unit: int = 0
    phone_dropped: int = 0
    batches: int = 0
    problems_by_column: dict[str, int] = field(default_factory=dict)


@dataclass
class _Ready:
    row: int
    original: str
    number: str
    fields: dict[str, Any]
    data: dict[str, Any]


class BatchFailed(Exception):
    """The database refused a batch: it was rolled back, every earlier one stays; running again resumes."""

    def __init__(self, first_row: int, last_row: int, cause: Exception) -> None:
        self.first_row, self.last_row, self.cause = first_row, last_row, cause
        reason = (str(getattr(cause, "orig", None) or cause).splitlines() or [type(cause).__name__])[0][:300]
        super().__init__(f"第 {first_row}–{last_row} 行这一批写入失败（已回滚，之前的批次已写入）：{reason}")


# -- cells --------------------------------------------------------------------------------------------------------

def _plain(value: Any) -> str | None:
    """A cell as trimmed text (numbers as Excel shows them), None when empty."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return text.clean(str(value)) or None


def _shown(value: Any) -> str:
    """A cell echoed in a problem: shortened, and personal data in it redacted (a column typed in the wrong place)."""
    shown = redact(_plain(value) or "") or ""
    return shown if len(shown) <= 30 else shown[:29] + "…"


def _folded(value: str) -> str:
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", value)).lower()


def original_number(value: Any) -> tuple[str | None, str | None]:
    raw = _plain(value)
    if raw is None:
        return None, "工单编号不能为空（重新导入时靠它识别已导入的工单）"
    number = unicodedata.normalize("NFKC", raw).strip()
    if SCIENTIFIC.fullmatch(number):
        return None, f"Excel 把工单编号存成了科学计数法（{number}），请把该列设为「文本」格式后重新导出"
    if len(number) > ORIGINAL_NUMBER_CHARS:
        return None, f"工单编号最长 {ORIGINAL_NUMBER_CHARS} 个字符"
    return number, None


def stored_number(original: str) -> str:
    """The original number when it fits and cannot meet one of ours; else a fixed stand-in derived from it, so
    that every run gives the same one (docs/history.md)."""
    if len(original) <= NUMBER_CHARS and not OUR_NUMBERS.fullmatch(original):
        return original
    if OUR_NUMBERS.fullmatch(original) and len(original) < NUMBER_CHARS:
        return "H" + original
    return "H" + hashlib.sha1(original.encode()).hexdigest()[:15].upper()


TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H", "%Y-%m-%d", "%Y%m%d%H%M%S", "%Y%m%d%H%M",
                "%Y%m%d")


def parse_time(value: Any) -> datetime | None:
    """A received or closed time as written in the county's files; naive times are Asia/Shanghai."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, int | float) and not isinstance(value, bool) and 20000 < value < 80000:
        moment = datetime(1899, 12, 30) + timedelta(days=float(value))  # an Excel date serial
    else:
        raw = _plain(value)
        if raw is None:
            return None
        cleaned = unicodedata.normalize("NFKC", raw)
        for old, new in (("年", "-"), ("月", "-"), ("日", " "), ("号", " "), ("时", ":"), ("点", ":"), ("分", ":"),
                         ("秒", ""), ("/", "-"), (".", "-"), ("T", " ")):
            cleaned = cleaned.replace(old, new)
        cleaned = re.sub(r"\s+", " ", cleaned).strip().rstrip(":")
        try:
            moment = datetime.fromisoformat(cleaned)
        except ValueError:
            for pattern in TIME_FORMATS:
                try:
                    moment = datetime.strptime(cleaned, pattern)
                    break
                except ValueError:
                    continue
            else:
                raise ValueError(raw) from None
    return moment.replace(tzinfo=TIME_ZONE) if moment.tzinfo is None else moment


def _channel(raw: str) -> Channel | None:
    folded = _folded(raw)
    for channel in Channel:
        if folded in (channel.value, _folded(channel.label)):
            return channel
    return next((channel for word, channel in CHANNEL_WORDS if word in folded), None)


def _type(raw: str) -> TicketType | None:
    folded = _folded(raw)
    for kind in TicketType:
        if folded in (kind.value, kind.label, kind.label + "类"):
            return kind
    if folded in TYPE_WORDS:
        return TYPE_WORDS[folded]
    found = {kind for kind in TicketType if kind.label in folded}
    return found.pop() if len(found) == 1 else None


def _rating(raw: str) -> tuple[Satisfaction | None, bool]:
    folded = _folded(raw)
    for level in Satisfaction:
        if folded in (level.value, level.label):
            return level, True
    return RATING_WORDS.get(folded), folded in RATING_WORDS


def _solved(raw: str) -> Solved | None:
    folded = _folded(raw)
    for level in Solved:
        if folded in (level.value, level.label):
            return level
    return SOLVED_WORDS.get(folded)


# -- one row ------------------------------------------------------------------------------------------------------

def prepare(session: Session, line: int, cells: Mapping[str, Any], headers: Mapping[str, str], catalogue: Catalogue,
            *, strict: bool, moment: datetime) -> tuple[_Ready | None, list[RowProblem]]:
    """Check one row and turn it into a ticket's fields; every problem of the row at once."""
    problems: list[RowProblem] = []

    def refuse(name: str, message: str) -> None:
        problems.append(RowProblem(line, headers.get(name, name), message, number or ""))

    number, problem = original_number(cells.get("number"))
    if problem:
        refuse("number", problem)
    values = {name: _plain(cells.get(name)) for name in ("channel", "type", "township", "content", "unit", "category",
                                                        "status", "reply", "rating", "solved", "title", "address",
                                                        "caller_name", "caller_phone")}
    for name, limit in LIMITS.items():
        if values[name] is not None and len(values[name]) > limit:
            refuse(name, f"超过 {limit} 个字（此列最长 {limit} 个字）")
    content = values["content"]
    if content is None:
        refuse("content", "诉求内容不能为空")
    elif len(content) > CONTENT_CHARS:
        refuse("content", f"诉求内容有 {len(content)} 个字，超过 {CONTENT_CHARS} 个字的上限，请分拆或删减后重新导入")
    received = closed = None
    try:
        received = parse_time(cells.get("received"))
        if received is None:
            refuse("received", "受理时间不能为空")
        elif received > moment + FUTURE_SLACK:
            refuse("received", "受理时间晚于现在，请核对")
    except ValueError:
        refuse("received", f"无法识别的受理时间「{_shown(cells.get('received'))}」，应如 2023-05-06 14:30 或 2023年5月6日")
    try:
        closed = parse_time(cells.get("closed"))
        if closed is not None and received is not None and closed < received:
            refuse("closed", "办结时间早于受理时间")
    except ValueError:
        refuse("closed", f"无法识别的办结时间「{_shown(cells.get('closed'))}」")
    channel = _channel(values["channel"]) if values["channel"] else DEFAULT_CHANNEL
    if channel is None:
        refuse("channel", f"未知的来源渠道「{_shown(values['channel'])}」，应为："
                          f"{'、'.join(c.label for c in Channel)}（或电话、网站、微信、信箱等）")
    kind = _type(values["type"]) if values["type"] else DEFAULT_TYPE
    if kind is None:
        refuse("type", f"未知的诉求类型「{_shown(values['type'])}」，应为：{'、'.join(t.label for t in TicketType)}")
    satisfaction, known = _rating(values["rating"]) if values["rating"] else (None, True)
    if not known:
        refuse("rating", f"未知的满意度「{_shown(values['rating'])}」，应为：满意、基本满意、不满意（或留空）")
    solved = _solved(values["solved"]) if values["solved"] else None
    if values["solved"] and solved is None:
        refuse("solved", f"未知的解决情况「{_shown(values['solved'])}」，应为：已解决、部分解决、未解决（或留空）")
    township, village = places_named_in(session, values["township"] or values["address"])
    unresolved: list[str] = []
    unit_id = catalogue.unit_of(unicodedata.normalize("NFKC", values["unit"])) if values["unit"] else None
    if values["unit"] and unit_id is None:
        if strict:
            refuse("unit", f"承办单位「{_shown(values['unit'])}」不在本县承办单位中（按单位编码或全称）")
        unresolved.append("unit")
    code = catalogue.code_of(unicodedata.normalize("NFKC", values["category"])) if values["category"] else None
    if values["category"] and code is None and strict:
        refuse("category", f"分类「{_shown(values['category'])}」不在本县派单目录中（按分类编码或名称）")
    if code is None and unit_id is not None:
        code = catalogue.only_category_of(unit_id, township)
    if code is None:
        unresolved.append("category")
    if unit_id is None and code is not None:
        unit_id = catalogue.lead_for(code, township)
    phone = None
    if values["caller_phone"]:
        try:
            phone = normalize_phone(values["caller_phone"])
        except PhoneError:
            unresolved.append("caller_phone")
    if problems or number is None or received is None:
        return None, problems
    data: dict[str, Any] = {"original_number": number}
    for name in ("status", "unit", "category", "township"):
        if values[name] is not None:
            data[f"original_{name}"] = values[name]
    if unresolved:
        data["unresolved"] = unresolved
    fields = {
        "channel": channel, "type": kind, "content": content, "title": values["title"], "township": township,
        "village": village, "address": values["address"], "caller_name": values["caller_name"],
        "caller_phone": phone, "category_code": code, "lead_department_id": unit_id, "reply": values["reply"],
        "satisfaction": satisfaction, "solved": solved, "created_at": received, "closed_at": closed,
    }
    return _Ready(line, number, stored_number(number), fields, data), []


# -- batches ------------------------------------------------------------------------------------------------------

def _batches(records: Iterable[tuple[int, Mapping[str, Any]]], size: int) -> Iterator[list[tuple[int, Mapping[str, Any]]]]:
    iterator = iter(records)
    while batch := list(islice(iterator, size)):
        yield batch


def _digest(number: str) -> int:
    return int.from_bytes(hashlib.blake2b(number.encode(), digest_size=8).digest(), "big")


def import_rows(factory: sessionmaker[Session], records: Iterable[tuple[int, Mapping[str, Any]]],
                headers: Mapping[str, str], catalogue: Catalogue, *, dry_run: bool = False, strict: bool = False,
                batch_size: int = 1000, report: Callable[[RowProblem], None] = lambda _: None,
                after_batch: Callable[[Summary], None] = lambda _: None) -> Summary:
    """Every row, batch by batch, each batch its own transaction (rolled back in a dry run). Memory holds one
    batch plus 8 bytes of digest per number read (the in-file duplicate check). `report` gets each problem as it
    is found; `after_batch` runs after each commit (progress, and the tests' interruption)."""
    summary = Summary()
    seen: dict[int, int] = {}  # digest of an original or stored number -> the row it was first read on
    moment = now()  # one run, one imported_at
    for batch in _batches(records, batch_size):
        summary.read += len(batch)
        with factory() as session:
            ready = _checked(session, batch, headers, catalogue, strict, moment, seen, summary, report)
            try:
                _write(session, ready, moment, summary, report, dry_run=dry_run)
                session.rollback() if dry_run else session.commit()
            except Exception as exc:
                session.rollback()
                raise BatchFailed(batch[0][0], batch[-1][0], exc) from exc
        summary.batches += 1
        after_batch(summary)
    return summary


def _checked(session: Session, batch: list[tuple[int, Mapping[str, Any]]], headers: Mapping[str, str],
             catalogue: Catalogue, strict: bool, moment: datetime, seen: dict[int, int], summary: Summary,
             report: Callable[[RowProblem], None]) -> list[_Ready]:
    ready: list[_Ready] = []
    for line, cells in batch:
        row, problems = prepare(session, line, cells, headers, catalogue, strict=strict, moment=moment)
        if row is not None:
            keys = {_digest(row.original), _digest("\0" + row.number)}
            first = next((seen[key] for key in keys if key in seen), None)
            if first is not None:
                problems = [RowProblem(line, headers.get("number", "number"),
                                       f"工单编号与本文件第 {first} 行重复", row.original)]
            else:
                seen.update(dict.fromkeys(keys, line))
        if problems:
            _refused(summary, problems, report)
        elif row is not None:
            ready.append(row)
    return ready


def _refused(summary: Summary, problems: list[RowProblem], report: Callable[[RowProblem], None]) -> None:
    summary.rejected += 1
    for problem in problems:
        summary.problems_by_column[problem.column] = summary.problems_by_column.get(problem.column, 0) + 1
        report(problem)


def _write(session: Session, ready: list[_Ready], moment: datetime, summary: Summary,
           report: Callable[[RowProblem], None], *, dry_run: bool) -> None:
    """Skip what an earlier run imported, refuse a number another ticket holds, add the rest (unless dry)."""
    if not ready:
        return
    keys = [KEY_PREFIX + row.original for row in ready]
    done = set(session.scalars(select(Ticket.idempotency_key).where(Ticket.idempotency_key.in_(keys))))
    held = dict(session.execute(select(Ticket.number, Ticket.idempotency_key)
                                .where(Ticket.number.in_([row.number for row in ready]))).all())
    tickets: list[Ticket] = []
    events: list[TicketEvent] = []
    added: list[_Ready] = []
    for row in ready:
        key = KEY_PREFIX + row.original
        if key in done:
            summary.skipped += 1
            continue
        if row.number in held:
            _refused(summary, [RowProblem(row.row, "", f"编号 {row.number} 已被系统中另一张工单使用，未导入",
                                          row.original)], report)
            continue
        ticket = Ticket(number=row.number, query_code=new_query_code(), idempotency_key=key, imported_at=moment,
                        urgency="normal", **row.fields)
        events.append(apply(session, ticket, Action.IMPORT, SYSTEM_ACTOR, data=row.data))
        ticket.created_at = row.fields["created_at"]  # the received time, whatever apply stamped
        tickets.append(ticket)
        added.append(row)
    if tickets and not dry_run:
        _store(session, tickets, events)
    for row in added:  # counted once the batch is in: a failed flush leaves the counts as they were
        unresolved = row.data.get("unresolved", ())
        summary.imported += 1
        summary.no_category += row.fields["category_code"] is None
        summary.no_unit += "unit" in unresolved
        summary.phone_dropped += "caller_phone" in unresolved


def _store(session: Session, tickets: list[Ticket], events: list[TicketEvent]) -> None:
    """Insert the batch. SQLite: the unit of work. PostgreSQL: the row ids taken from the tables' own sequences in
    one query each, then one INSERT per table for all rows (executemany, pipelined by psycopg). The unit of work
    sent each batch as a 1,000-row INSERT ... RETURNING of almost a megabyte, which psycopg parsed afresh every
    time: 1,066 rows/s for 100,000 rows, against 1,774 this way (docs/history.md)."""
    if session.get_bind().dialect.name != "postgresql":
        session.add_all(tickets)
        session.flush()
        return
    for table, rows in ((Ticket.__table__, tickets), (TicketEvent.__table__, events)):
        sequence = func.pg_get_serial_sequence(table.name, "id")
        ids = session.scalars(select(func.nextval(sequence)).select_from(func.generate_series(1, len(rows)))).all()
        for row, row_id in zip(rows, sorted(ids), strict=True):
            row.id = row_id
    for ticket, event in zip(tickets, events, strict=True):
        event.ticket_id = ticket.id
        search_text.refresh(ticket)  # the mapper's insert hook is not run for a Core insert
    for model, rows in ((Ticket, tickets), (TicketEvent, events)):
        session.execute(insert(model.__table__), [_columns(model, row) for row in rows])


def _columns(model: type[Ticket] | type[TicketEvent], row: Ticket | TicketEvent) -> dict[str, Any]:
    """The row's column values as set (every row of a batch sets the same ones); the rest take their defaults."""
    mapper = inspect(model)
    state = inspect(row).dict
    return {column.key: state[prop.key] for prop in mapper.column_attrs for column in prop.columns
            if prop.key in state}
