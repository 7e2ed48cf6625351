"""Bulk import of holidays and make-up working days (调休) into the admin's override table.

Two formats, as a county office actually has them:

- CSV typed into Excel from the State Council's notice: 日期, 类型 (休/假/holiday or 班/workday), 说明, with or
  without a header row; commas (ASCII or full-width), tabs or spaces between the cells; UTF-8 with or without a
  BOM, UTF-16 (Excel's «Unicode text») or GBK as Excel writes it on Chinese Windows.
- iCalendar (.ics) from a calendar app: all-day VEVENTs, a DTSTART..DTEND range expanded to its days (DTEND is
  exclusive); a SUMMARY containing 班 or «workday» is a make-up working day, anything else a holiday.

Parsing is pure (bytes or text → the days, or every bad row at once with its row, column and what is wrong);
`store` is the one function that writes, so the CLI and the admin API import alike. A file with any bad row
writes nothing.
"""

from __future__ import annotations

import codecs
import csv
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import icalendar
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from dispatch.models import CalendarOverride
from hotline.settings import TIME_ZONE

NOTE_MAX = 64  # calendar_override.note
FIRST_YEAR, LAST_YEAR = 2000, 2100
LONGEST_EVENT_DAYS = 31  # a holiday range longer than a month is a mistake in the file, not a holiday
DATE, KIND, NOTE = "日期", "类型", "说明"
HOLIDAY_WORDS = {"休", "假", "休息", "放假", "休假", "节假日", "假日", "holiday", "off", "rest"}
WORKDAY_WORDS = {"班", "上班", "补班", "调休上班", "工作日", "workday", "work", "working day"}
HEADER_WORDS = {DATE: ("日期", "date", "day"), KIND: ("类型", "类别", "kind", "type"),
                NOTE: ("说明", "备注", "名称", "节日", "note", "name", "summary", "description")}
WEEKDAY_NAMES = "一二三四五六日"
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
                   r"(?:\s+0{1,2}:00(?::00)?)?"  # Excel writes a date cell formatted as a date-time this way
                   r"\s*(?:\((?:周|星期|礼拜)?([一二三四五六日天])\))?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")


@dataclass(frozen=True)
class ImportedDay:
    day: date
    is_workday: bool
    note: str | None
    row: int  # the file's row (CSV line, or the line of the .ics event's BEGIN:VEVENT)

    @property
    def kind(self) -> str:
        return "班" if self.is_workday else "休"


@dataclass(frozen=True)
class RowProblem:
    row: int | None  # None: the file as a whole
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"第 {self.row} 行" if self.row is not None else "文件"
        return f"{where}{f'「{self.column}」' if self.column else ''}：{self.message}"


class ImportRefused(ValueError):
    """Every bad row of a file; nothing of it is written."""

    def __init__(self, problems: list[RowProblem]) -> None:
        self.problems = problems
        super().__init__("导入失败，未写入任何数据：" + "；".join(map(str, problems)))


# --- decoding --------------------------------------------------------------------------------------------------

def decode(data: bytes, encoding: str | None = None) -> str:
    """The file's text: the given encoding, else UTF-8 (a BOM or none), UTF-16 with its BOM, or GBK (GB18030)."""
    if encoding:
        encoding = encoding[:40]
        try:
            codecs.lookup(encoding)
        except (LookupError, ValueError, TypeError):
            raise ImportRefused([RowProblem(None, None, f"不认识的文件编码「{encoding}」，可用 utf-8 或 gbk")]) from None
        return _decoded(data, encoding).removeprefix("\ufeff")
    if data.startswith(codecs.BOM_UTF8):
        return _decoded(data[len(codecs.BOM_UTF8):], "utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decoded(data, "utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")  # what Excel writes on Chinese Windows (GBK is a subset)
    except UnicodeDecodeError:
        raise ImportRefused([RowProblem(None, None, "无法识别文件编码，请另存为 UTF-8 或指定编码（如 gbk）")]) from None


def _decoded(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        row = data[:error.start].count(b"\n") + 1
        raise ImportRefused([RowProblem(row, None, f"不是 {encoding} 编码的文字，请确认文件编码")]) from None
    except (LookupError, ValueError, TypeError):  # a codec that is not a text encoding (base64, rot13, ...)
        raise ImportRefused([RowProblem(None, None, f"「{encoding}」不是文字编码，可用 utf-8 或 gbk")]) from None


def read(data: bytes, *, encoding: str | None = None, file_format: str | None = None) -> list[ImportedDay]:
    """A file's days: `file_format` "csv" or "ics", else an .ics is recognised by its BEGIN:VCALENDAR."""
    text = decode(data, encoding)
    if file_format is None:
        file_format = "ics" if text.lstrip().upper().startswith("BEGIN:VCALENDAR") else "csv"
    if file_format not in ("csv", "ics"):
        raise ImportRefused([RowProblem(None, None, f"不支持的文件格式「{file_format}」，应为 csv 或 ics")])
    return parse_ics(text) if file_format == "ics" else parse_csv(text)


# --- CSV -------------------------------------------------------------------------------------------------------

def parse_csv(text: str) -> list[ImportedDay]:
    """日期,类型,说明 rows; a header row (any order of the columns) is recognised by its names."""
    problems: list[RowProblem] = []
    found: list[ImportedDay] = []
    columns: dict[str, int] | None = None
    for number, line in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        cells = _cells(line)
        if not any(cells) or cells[0].startswith("#"):
            continue
        if columns is None and not found and not problems and _date_of(cells[0]) is None and _is_header(cells):
            columns = _header(cells)
            if missing := [name for name in (DATE, KIND) if name not in columns]:
                problems.append(RowProblem(number, None, f"表头缺少「{'」「'.join(missing)}」列"))
                break
            continue
        day = _csv_row(number, cells, columns or {DATE: 0, KIND: 1, NOTE: 2}, columns is None, problems)
        if day is not None:
            found.append(day)
    return _checked(found, problems, KIND)


def _cells(line: str) -> list[str]:
    line = line.replace("，", ",").replace("\u3000", " ")
    if "\t" in line:
        cells = line.split("\t")
    elif "," in line:
        cells = next(csv.reader([line]), [])
    else:
        cells = line.split(None, 2)
    return [cell.strip() for cell in cells]


def _is_header(cells: list[str]) -> bool:
    return any(_column_of(cell) is not None for cell in cells)


def _column_of(cell: str) -> str | None:
    name = unicodedata.normalize("NFKC", cell).strip().lower()
    for column, words in HEADER_WORDS.items():
        if any(word in name for word in words):
            return column
    return None


def _header(cells: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        if (column := _column_of(cell)) is not None:
            columns.setdefault(column, index)
    return columns


def _csv_row(number: int, cells: list[str], columns: dict[str, int], positional: bool,
             problems: list[RowProblem]) -> ImportedDay | None:
    def cell(column: str) -> str:
        index = columns.get(column)
        return cells[index] if index is not None and index < len(cells) else ""

    raw_date, raw_kind = cell(DATE), cell(KIND)
    note = "，".join(c for c in cells[2:] if c) if positional else cell(NOTE)  # an unquoted comma in the note
    before = len(problems)
    day = None
    if not raw_date:
        problems.append(RowProblem(number, DATE, "缺少日期"))
    else:
        day = _date_or_problem(number, raw_date, problems)
    is_workday = _kind_or_problem(number, raw_kind, problems)
    if len(note) > NOTE_MAX:
        problems.append(RowProblem(number, NOTE, f"说明超过 {NOTE_MAX} 个字，请缩短"))
    if len(problems) > before or day is None or is_workday is None:
        return None
    return ImportedDay(day, is_workday, note or None, number)


def _date_of(raw: str) -> tuple[int, int, int, str | None] | None:
    text = unicodedata.normalize("NFKC", raw).strip()
    if match := _DATE.fullmatch(text):
        year, month, day, weekday = match.groups()
        return int(year), int(month), int(day), weekday
    if match := _COMPACT.fullmatch(text):
        return int(match[1]), int(match[2]), int(match[3]), None
    return None


def _date_or_problem(number: int, raw: str, problems: list[RowProblem]) -> date | None:
    parts = _date_of(raw)
    if parts is None:
        problems.append(RowProblem(number, DATE, f"无法识别日期「{raw}」，应写成 2027-01-01 或 2027/1/1"))
        return None
    year, month, day_of_month, weekday = parts
    try:
        day = date(year, month, day_of_month)
    except ValueError:
        problems.append(RowProblem(number, DATE, f"日期「{raw}」不存在"))
        return None
    if not FIRST_YEAR <= year <= LAST_YEAR:
        problems.append(RowProblem(number, DATE, f"年份 {year} 超出范围（{FIRST_YEAR}–{LAST_YEAR}）"))
        return None
    if weekday is not None and WEEKDAY_NAMES.index(weekday.replace("天", "日")) != day.weekday():
        problems.append(RowProblem(number, DATE, f"星期不符：{day.isoformat()} 是星期{WEEKDAY_NAMES[day.weekday()]}"))
        return None
    return day


def _kind_or_problem(number: int, raw: str, problems: list[RowProblem]) -> bool | None:
    word = unicodedata.normalize("NFKC", raw).strip().lower()
    if word in HOLIDAY_WORDS:
        return False
    if word in WORKDAY_WORDS:
        return True
    if not word:
        problems.append(RowProblem(number, KIND, "缺少类型，应为「休」（放假）或「班」（补班）"))
    elif word == "调休":
        problems.append(RowProblem(number, KIND, "「调休」含义不明确，请写「休」（放假）或「班」（补班）"))
    else:
        problems.append(RowProblem(number, KIND, f"不认识的类型「{raw}」，应为「休」/holiday 或「班」/workday"))
    return None


# --- iCalendar -------------------------------------------------------------------------------------------------

def parse_ics(text: str) -> list[ImportedDay]:
    """All-day VEVENTs; a range DTSTART..DTEND (exclusive) is every day in it."""
    text = text.removeprefix("\ufeff")
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except ValueError as error:
        raise ImportRefused([RowProblem(None, None, f"不是有效的 iCalendar 文件（{error}）")]) from None
    rows = [number for number, line in enumerate(text.splitlines(), start=1)
            if line.strip().upper() == "BEGIN:VEVENT"]
    events = [event for calendar in calendars for event in calendar.walk("VEVENT")]
    problems: list[RowProblem] = []
    found: list[ImportedDay] = []
    for index, event in enumerate(events):
        found.extend(_event_days(event, rows[index] if index < len(rows) else None, problems))
    if not events:
        problems.append(RowProblem(None, None, "文件中没有日程（VEVENT）"))
    return _checked(found, problems, "SUMMARY")


def _event_days(event: icalendar.Event, row: int | None, problems: list[RowProblem]) -> list[ImportedDay]:
    summary = str(event.get("SUMMARY", "")).strip()
    before = len(problems)
    start = _event_date(event, "DTSTART", row, problems)
    if start is None and "DTSTART" not in event:
        problems.append(RowProblem(row, "DTSTART", "缺少开始日期"))
    if "RRULE" in event:
        problems.append(RowProblem(row, "RRULE", "不支持重复日程（每年的放假安排不同），请逐年列出"))
    if len(summary) > NOTE_MAX:
        problems.append(RowProblem(row, "SUMMARY", f"标题超过 {NOTE_MAX} 个字，请缩短"))
    end = None
    if start is not None:
        if "DTEND" in event:
            end = _event_date(event, "DTEND", row, problems)
        elif "DURATION" in event and isinstance(duration := event.decoded("DURATION"), timedelta):
            end = start + timedelta(days=max(duration.days, 1))
        else:
            end = start + timedelta(days=1)  # an all-day event without an end is that one day (RFC 5545)
    if end is not None and start is not None:
        if end <= start:
            problems.append(RowProblem(row, "DTEND", f"结束日期 {end.isoformat()} 不晚于开始日期 {start.isoformat()}"))
        elif (end - start).days > LONGEST_EVENT_DAYS:
            problems.append(RowProblem(row, "DTEND", f"跨度 {(end - start).days} 天，超过 {LONGEST_EVENT_DAYS} 天"))
    if len(problems) > before or start is None or end is None:
        return []
    is_workday = "班" in summary or "workday" in summary.lower()
    return [ImportedDay(start + timedelta(days=n), is_workday, summary or None, row or 0)
            for n in range((end - start).days)]


def _event_date(event: icalendar.Event, name: str, row: int | None, problems: list[RowProblem]) -> date | None:
    if name not in event:
        return None
    value = event.decoded(name)
    if isinstance(value, datetime):
        if value.tzinfo is not None:  # 20261231T160000Z is midnight in Beijing
            value = value.astimezone(TIME_ZONE)
        if value.time() != datetime.min.time():  # midnight to midnight is how some apps write an all-day event
            problems.append(RowProblem(row, name, f"不是全天日程（{value:%Y-%m-%d %H:%M}），节假日和补班应为全天"))
            return None
        value = value.date()
    if not isinstance(value, date):
        problems.append(RowProblem(row, name, f"无法识别日期「{event.get(name)}」"))
        return None
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        problems.append(RowProblem(row, name, f"年份 {value.year} 超出范围（{FIRST_YEAR}–{LAST_YEAR}）"))
        return None
    return value


# --- both ------------------------------------------------------------------------------------------------------

def _checked(found: list[ImportedDay], problems: list[RowProblem], kind_column: str) -> list[ImportedDay]:
    """One entry per day, in date order; the same day twice with different kinds is a problem of the later row
    (in `kind_column`: what decided the kind)."""
    first: dict[date, ImportedDay] = {}
    for day in found:
        earlier = first.get(day.day)
        if earlier is None:
            first[day.day] = day
        elif earlier.is_workday != day.is_workday:
            problems.append(RowProblem(day.row, kind_column, f"{day.day.isoformat()} 在第 {earlier.row} 行是"
                                                             f"「{earlier.kind}」，这里又是「{day.kind}」"))
        elif earlier.note is None and day.note is not None:
            first[day.day] = ImportedDay(earlier.day, earlier.is_workday, day.note, earlier.row)
    if not found and not problems:
        problems.append(RowProblem(None, None, "文件中没有日期"))
    if problems:
        raise ImportRefused(sorted(problems, key=lambda p: (p.row is not None, p.row or 0)))
    return sorted(first.values(), key=lambda d: d.day)


# --- writing ---------------------------------------------------------------------------------------------------

ADDED, CHANGED, UNCHANGED = "added", "changed", "unchanged"


@dataclass(frozen=True)
class Change:
    day: ImportedDay
    status: str  # added, changed, unchanged
    was_workday: bool | None = None  # before the import, when the day had an override
    was_note: str | None = None


def store(session: Session, days: Iterable[ImportedDay], *, dry_run: bool = False) -> list[Change]:
    """Upsert the days into the override table (by day): importing the same file again changes nothing.

    With `dry_run` nothing is written; either way the caller commits (or not)."""
    days = list(days)
    existing = {o.day: o for o in session.scalars(
        select(CalendarOverride).where(CalendarOverride.day.in_([d.day for d in days])))}
    changes: list[Change] = []
    for day in days:
        override = existing.get(day.day)
        if override is None:
            changes.append(Change(day, ADDED))
            if not dry_run:
                session.add(CalendarOverride(day=day.day, is_workday=day.is_workday, note=day.note))
            continue
        same = (override.is_workday, override.note) == (day.is_workday, day.note)
        changes.append(Change(day, UNCHANGED if same else CHANGED, override.is_workday, override.note))
        if not dry_run and not same:
            override.is_workday, override.note = day.is_workday, day.note
    session.flush()
    return changes


def store_and_commit(session: Session, days: Iterable[ImportedDay], *, dry_run: bool = False,
                     attempts: int = 3) -> list[Change]:
    """`store`, then commit (or roll back a dry run).

    Two imports of the same new day at once: the later one's insert breaks the day's primary key (or, on SQLite,
    finds its read out of date). It is rolled back and tried again, and then finds the day the other one wrote."""
    days = list(days)
    for attempt in range(1, attempts + 1):
        try:
            changes = store(session, days, dry_run=dry_run)
            if dry_run:
                session.rollback()
            else:
                session.commit()
            return changes
        except (IntegrityError, OperationalError):
            session.rollback()
            if attempt == attempts:
                raise
    raise AssertionError("attempts must be at least 1")


def counts(changes: list[Change]) -> dict[str, int]:
    return {status: sum(c.status == status for c in changes) for status in (ADDED, CHANGED, UNCHANGED)}


def summary(changes: list[Change], dry_run: bool) -> str:
    """«共 3 天：新增 2 天，修改 1 天，不变 0 天» and whether it was written."""
    count = counts(changes)
    done = "试运行，未写入任何数据" if dry_run else ("已写入" if count[ADDED] or count[CHANGED] else "无需改动")
    return (f"共 {len(changes)} 天：新增 {count[ADDED]} 天，修改 {count[CHANGED]} 天，不变 {count[UNCHANGED]} 天。"
            f"{done}")
