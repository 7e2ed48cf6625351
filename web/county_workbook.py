"""The county workbook (承办单位、行政区划、派单目录、人员): its template, reading it and importing it.

The sheets are read here (openpyxl → typed rows, each with its Excel row number), and each sheet's rows go to
the package that owns them: units, areas and staff to `hotline.reference`, the catalogue to `dispatch.catalogue`.
Everything is checked first and every problem is reported by sheet, row and column; only a workbook without a
single problem is written, in one transaction. Codes are text: a code cell that Excel stored as a number
(0101 → 101) is refused, never guessed back. New accounts get a random first password, shown once.
"""

from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from dispatch.catalogue import EntryRow, check_entries, upsert_entries
from hotline import grid_cells, reference, token_versions
from hotline.accounts import hash_password
from hotline.grid_cells import CellRow
from hotline.redis_conn import get_redis
from hotline.reference import UNIT_KINDS, AreaRow, Changes, Problem, StaffRow, UnitRow
from hotline.vocabulary import Role, TicketType

ROLES = {role.label: role for role in Role}
NUMBER_AS_CODE = "Excel 把这个编码存成了数字 {}（开头的 0 会丢失），请把该列设为「文本」格式后重新输入"


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    read: str  # text, code, codes, phone, kind, role, days
    required: bool = False
    width: int = 14
    help: str = ""


@dataclass(frozen=True)
class Sheet:
    title: str
    columns: tuple[Column, ...]
    examples: tuple[tuple[Any, ...], ...]
    optional: bool = False  # a workbook made before the sheet existed still imports without it

    def header_of(self, name: str) -> str:
        return next(c.header for c in self.columns if c.field == name)


UNITS = Sheet("承办单位", (
    Column("单位编码", "code", "code", True, 12, "本县自定，字母或数字；导入后是单位的唯一标识，不要再改"),
    Column("单位名称", "name", "text", True, 28, "全称，不能与其他单位重名"),
    Column("类型", "kind", "kind", True, 12, "、".join(UNIT_KINDS)),
    Column("值班电话", "duty_phone", "phone", False, 16, "接收派单、催办、督办短信的手机"),
    Column("上级单位编码", "parent_code", "code", False, 14,
           "本单位的工单超期升级时报送的单位（县政府办、主管局等）；留空则报送时限政策指定的县领导单位（如有）"),
    Column("所属乡镇（街道）", "township", "text", False, 16, "只有乡镇政府、街道办事处填写，须与行政区划表一致"),
), (("xzfb", "县人民政府办公室", "县政府办", "13800000001", None, None),
    ("zjj", "县住房和城乡建设局", "县直部门", "13800000002", "xzfb", None)))
AREAS = Sheet("行政区划", (
    Column("乡镇（街道）", "township", "text", True, 16, "只填这一列的行就是这个乡镇（街道）本身"),
    Column("村（社区）", "village", "text", False, 16, "名称以「社区」结尾的是社区，其余是村；所在乡镇须有自己的一行"),
), (("城关镇", None), ("城关镇", "东门社区")))
CATALOGUE = Sheet("派单目录", (
    Column("分类编码", "category_code", "code", True, 10, "系统的四位派单小类编码，如 0101 物业管理"),
    Column("分类名称", "category_name", "text", False, 14, "留空则用系统的分类名称"),
    Column("说明", "note", "text", False, 30, "供填表人备注，不导入"),
    Column("主办单位编码", "lead_code", "code", True, 12, "承办单位表或系统中已有的单位编码"),
    Column("协办单位编码", "co_codes", "codes", False, 16, "可填多个，用 、 或 , 或 ； 分隔"),
    Column("适用乡镇", "township", "text", False, 12, "留空为全县默认；填乡镇（街道）名称则只在该乡镇代替默认"),
    *(Column(f"{kind.label}时限（工作日）", f"time_limits.{kind.value}", "days", False, 12,
             f"本类{kind.label}件的办理时限（工作日），留空按时限政策") for kind in TicketType),
), (("0101", "物业管理", "物业服务、物业费、维修基金", "zjj", None, None, None, None, None, 10, None, None),))
STAFF = Sheet("人员", (
    Column("用户名", "username", "code", True, 14, "登录名，字母、数字、下划线、点或连字符"),
    Column("姓名", "display_name", "text", True, 10),
    Column("角色", "role", "role", True, 12, "、".join(ROLES)),
    Column("单位编码", "unit_code", "code", False, 12, "承办人员必填（所在单位）；其他角色面向全县，填了也不绑定单位"),
    Column("手机", "phone", "phone", False, 16, "本人手机，供系统给本人发短信；留空则清空"),
), (("zhangsan", "张三", "承办人员", "zjj", "13800000003"),))
GRID = Sheet("网格", (
    Column("网格编码", "code", "code", True, 12, "本县自定，字母、数字、下划线或连字符；导入后是网格的唯一标识"),
    Column("网格名称", "name", "text", True, 20),
    Column("乡镇（街道）", "township", "text", True, 16, "须与行政区划表一致"),
    Column("村（社区）", "village", "text", False, 16, "网格在一个村（社区）内时填写，须是该乡镇的"),
    Column("网格员用户名", "workers", "codes", False, 20, "人员表中角色为网格员的用户名，可填多个；每人只负责一个网格"),
), (("CG-DM-01", "东门社区第一网格", "城关镇", "东门社区", None),), optional=True)
SHEETS = (UNITS, AREAS, CATALOGUE, STAFF, GRID)

GUIDE = (
    "本工作簿一次导入本县 12345 的基础数据：承办单位、行政区划、派单目录和人员。",
    "命令：hotline12345 import county 文件.xlsx；先加 --dry-run 试运行，只列出将新增、更新的内容，不写入。",
    "每张表第 1 行是列名，不要改动；从第 2 行起每行一条。示例行可以直接导入，正式使用前请改成本县数据或删除。",
    "编码（单位编码、上级单位编码、主办/协办单位编码、分类编码、用户名）一律按文字读取。本模板已把这些列设为「文本」"
    "格式；如果 Excel 把编码存成了数字（例如 0101 变成 101），该行会被拒绝，请把单元格设为文本后重新输入。",
    "重复导入按编码更新，不会重复：单位按单位编码、村（社区）按所在乡镇和名称、派单目录按分类编码和适用乡镇、"
    "人员按用户名。系统中已有而本次没有列出的单位、区划、目录和账号不会被删除或停用。",
    "每行就是这条记录的全部内容：留空的列会清空原来的值（例如值班电话、上级单位、时限）。",
    "任何一行有问题，整个工作簿都不写入，并逐条列出问题所在的工作表、行和列。",
    "「网格」表可以没有（早先的工作簿照样导入）；有则按网格编码更新，列出的网格员从原网格移到本网格。",
    "工单超期升级（默认超期 5 个工作日）报送主办单位的「上级单位」；没有上级单位的，报送时限政策指定的县领导单位（如有）。",
    "新账号的初始密码由导入命令随机生成，只显示一次（或用 --passwords 文件.csv 写入文件），请交给本人；"
    "已有账号的密码不变。",
)


@dataclass(frozen=True, order=True)
class RowProblem:
    sheet: str
    row: int | None  # the Excel row number; None for the sheet or workbook as a whole
    column: str | None
    message: str


@dataclass
class Parsed:
    units: list[tuple[int, UnitRow]] = field(default_factory=list)
    areas: list[tuple[int, AreaRow]] = field(default_factory=list)
    entries: list[tuple[int, EntryRow]] = field(default_factory=list)
    staff: list[tuple[int, StaffRow]] = field(default_factory=list)
    cells: list[tuple[int, CellRow]] = field(default_factory=list)
    with_grid: bool = False  # the optional 网格 sheet is in the workbook
    refused_units: set[str] = field(default_factory=set)  # codes of unit rows refused for a cell: not unknown
    problems: list[RowProblem] = field(default_factory=list)


@dataclass
class Outcome:
    problems: list[RowProblem] = field(default_factory=list)
    changes: dict[str, Changes] = field(default_factory=dict)  # by sheet title
    passwords: list[tuple[str, str, str]] = field(default_factory=list)  # new accounts: username, name, password
    dry_run: bool = False


# -- cells --------------------------------------------------------------------------------------------------------

Read = tuple[Any, str | None]  # the value, or why the cell is refused


def _text(value: Any) -> Read:
    if value is None:
        return None, None
    if isinstance(value, bool | datetime | date | time):
        return None, "应为文字"
    if isinstance(value, int | float):
        return (str(int(value)) if float(value).is_integer() else str(value)), None
    return (str(value).strip() or None), None


def _code(value: Any) -> Read:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return None, NUMBER_AS_CODE.format(int(value) if float(value).is_integer() else value)
    text, problem = _text(value)
    if text is None:
        return None, problem
    text = unicodedata.normalize("NFKC", text).strip()
    return (None, "编码中不能有空格") if re.search(r"\s", text) else (text, None)


def _codes(value: Any) -> Read:
    codes: list[str] = []
    if isinstance(value, str):
        for part in re.split(r"[、,;]", unicodedata.normalize("NFKC", value)):
            code, problem = _code(part)
            if problem:
                return (), problem
            if code is not None and code not in codes:
                codes.append(code)
        return tuple(codes), None
    code, problem = _code(value)
    return ((code,) if code else ()), problem


def _phone(value: Any) -> Read:
    if isinstance(value, int | float) and not isinstance(value, bool):
        digits = str(int(value)) if float(value).is_integer() else ""
        if len(digits) == 11 and digits.startswith("1"):
            return digits, None  # a mobile number stored as a number loses nothing
        return None, "Excel 把这个电话存成了数字（区号开头的 0 会丢失），请把该列设为「文本」格式后重新输入"
    text, problem = _text(value)
    if text is None:
        return None, problem
    phone = reference.normal_phone(text)
    if phone is None or not reference.PHONE.fullmatch(phone):
        return None, reference.PHONE_PROBLEM
    return phone, None


def _label(labels: dict[str, Any], what: str) -> Callable[[Any], Read]:
    def read(value: Any) -> Read:
        text, problem = _text(value)
        if text is None or problem:
            return None, problem
        if text not in labels:
            return None, f"未知的{what}「{text}」，应为：{'、'.join(labels)}"
        return labels[text], None
    return read


def _days(value: Any) -> Read:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value), None
    try:
        return float(unicodedata.normalize("NFKC", str(value)).strip()), None
    except ValueError:
        return None, "应为工作日数，例如 10"


READERS: dict[str, Callable[[Any], Read]] = {
    "text": _text, "code": _code, "codes": _codes, "phone": _phone, "days": _days,
    "kind": _label(UNIT_KINDS, "类型"), "role": _label(ROLES, "角色"),
}


# -- reading ------------------------------------------------------------------------------------------------------

def _header(value: Any) -> str:
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", str(value or "")))


def _records(workbook: Any, sheet: Sheet, problems: list[RowProblem]) -> Iterable[tuple[int, dict[str, Any], bool]]:
    """Each non-empty row: its number, its values by field, and whether every cell was accepted."""
    if sheet.title not in workbook.sheetnames:
        if sheet.optional:
            return
        problems.append(RowProblem(sheet.title, None, None, "缺少这张工作表"))
        return
    rows = workbook[sheet.title].iter_rows(values_only=True)
    headers = [_header(h) for h in next(rows, ())]
    positions: dict[Column, int] = {}
    for column in sheet.columns:
        if _header(column.header) in headers:
            positions[column] = headers.index(_header(column.header))
        elif column.required:
            problems.append(RowProblem(sheet.title, 1, column.header, "缺少这一列（第 1 行应是列名）"))
    for number, cells in enumerate(rows, start=2):
        if all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells):
            continue
        values: dict[str, Any] = {}
        accepted = True
        for column in sheet.columns:
            raw = cells[positions[column]] if column in positions and positions[column] < len(cells) else None
            value, problem = READERS[column.read](raw)
            if problem is None and column.required and value is None:
                problem = "不能为空"
            if problem is not None:
                problems.append(RowProblem(sheet.title, number, column.header, problem))
                accepted = False
            values[column.field] = value
        yield number, values, accepted


def read_workbook(source: str | Path | io.BytesIO) -> Parsed:
    parsed = Parsed()
    workbook = load_workbook(source, read_only=True, data_only=True)
    try:
        for number, v, accepted in _records(workbook, UNITS, parsed.problems):
            if accepted:
                parsed.units.append((number, UnitRow(v["code"], v["name"], v["kind"], v["duty_phone"],
                                                     v["parent_code"], v["township"])))
            elif v["code"]:
                parsed.refused_units.add(v["code"])
        for number, v, accepted in _records(workbook, AREAS, parsed.problems):
            if accepted:
                parsed.areas.append((number, AreaRow(v["township"], v["village"])))
        for number, v, accepted in _records(workbook, CATALOGUE, parsed.problems):
            limits = {name.removeprefix("time_limits."): days for name, days in v.items()
                      if name.startswith("time_limits.") and days is not None}
            if accepted:
                parsed.entries.append((number, EntryRow(v["category_code"], v["lead_code"], v["category_name"],
                                                        v["township"], v["co_codes"], limits)))
        for number, v, accepted in _records(workbook, STAFF, parsed.problems):
            if accepted:
                parsed.staff.append((number, StaffRow(v["username"], v["display_name"], v["role"], v["unit_code"],
                                                      v["phone"])))
        parsed.with_grid = GRID.title in workbook.sheetnames
        for number, v, accepted in _records(workbook, GRID, parsed.problems):
            if accepted:
                parsed.cells.append((number, CellRow(v["code"], v["name"], v["township"], v["village"],
                                                     tuple(v["workers"] or ()))))
    finally:
        workbook.close()
    return parsed


def _located(sheet: Sheet, rows: list[tuple[int, Any]], problems: list[Problem]) -> list[RowProblem]:
    return [RowProblem(sheet.title, rows[p.index][0], sheet.header_of(p.field), p.message) for p in problems]


def check(session: Session, parsed: Parsed) -> list[RowProblem]:
    """Every sheet's rows, checked by the package that owns them, against the database and each other."""
    townships = {row.township for _, row in parsed.areas if row.village is None}
    units = {row.code for _, row in parsed.units} | parsed.refused_units
    return [
        *_located(UNITS, parsed.units, reference.check_units(session, [r for _, r in parsed.units],
                                                             townships=townships, declared=parsed.refused_units)),
        *_located(AREAS, parsed.areas, reference.check_areas(session, [r for _, r in parsed.areas])),
        *_located(CATALOGUE, parsed.entries, check_entries(session, [r for _, r in parsed.entries], units=units,
                                                           townships=townships)),
        *_located(STAFF, parsed.staff, reference.check_staff(session, [r for _, r in parsed.staff], units=units)),
        *_located(GRID, parsed.cells, grid_cells.check_cells(
            session, [r for _, r in parsed.cells], areas=_declared_areas(parsed),
            workers=[r.username for _, r in parsed.staff if r.role == Role.GRID])),
    ]


def _declared_areas(parsed: Parsed) -> dict[str, set[str]]:
    areas: dict[str, set[str]] = {}
    for _, row in parsed.areas:
        areas.setdefault(row.township, set()).update([row.village] if row.village else [])
    return areas


def _in_sheet_order(problems: list[RowProblem]) -> list[RowProblem]:
    titles = [s.title for s in SHEETS]
    headers = {s.title: [c.header for c in s.columns] for s in SHEETS}

    def key(p: RowProblem) -> tuple[int, int, int]:
        columns = headers.get(p.sheet, [])
        return (titles.index(p.sheet) if p.sheet in titles else -1, p.row or 0,
                columns.index(p.column) if p.column in columns else -1)
    return sorted(problems, key=key)


# -- importing ----------------------------------------------------------------------------------------------------

def import_county(session: Session, source: str | Path | io.BytesIO, *, dry_run: bool = False) -> Outcome:
    """Check the whole workbook, then write all of it in one transaction, or nothing (problems, or a dry run)."""
    outcome = Outcome(dry_run=dry_run)
    try:
        parsed = read_workbook(source)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError) as exc:
        outcome.problems = [RowProblem("", None, None, f"无法读取工作簿（应为 .xlsx 文件）：{exc}")]
        return outcome
    outcome.problems = _in_sheet_order(parsed.problems + check(session, parsed))
    if outcome.problems:
        session.rollback()
        return outcome
    staff = [r for _, r in parsed.staff]
    new = reference.new_usernames(session, staff)
    if dry_run:
        hashes = dict.fromkeys(new, "!")  # rolled back below; and "!" is no argon2 hash, nobody could sign in
    else:  # hashed before anything is written: argon2 takes a while and must not hold a write lock
        names = {r.username: r.display_name for r in staff}
        outcome.passwords = [(u, names[u], reference.first_password()) for u in new]
        hashes = {u: hash_password(p) for u, _, p in outcome.passwords}
    try:
        outcome.changes = {
            AREAS.title: reference.upsert_areas(session, [r for _, r in parsed.areas]),
            UNITS.title: reference.upsert_units(session, [r for _, r in parsed.units]),
            CATALOGUE.title: upsert_entries(session, [r for _, r in parsed.entries]),
            STAFF.title: reference.upsert_staff(session, staff, hashes),
        }
        if parsed.with_grid:
            outcome.changes[GRID.title] = grid_cells.upsert_cells(session, [r for _, r in parsed.cells])
        if dry_run:
            session.rollback()
        else:
            session.commit()
            if revoked := outcome.changes[STAFF.title].revoked:  # a new role or unit: their tokens stop now
                token_versions.announce(get_redis(), token_versions.raised_versions(session, revoked))
    except IntegrityError as exc:
        session.rollback()
        outcome.changes, outcome.passwords = {}, []
        outcome.problems = [RowProblem("", None, None, f"数据库拒绝写入（可能有人同时修改了这些数据），未写入任何数据：{exc.orig}")]
    return outcome


def report(outcome: Outcome) -> str:
    """What the command prints: the problems, or the changes per sheet. Never the passwords."""
    if outcome.problems:
        lines = [f"发现 {len(outcome.problems)} 处问题，未写入任何数据：", "工作表\t行\t列\t问题"]
        lines += [f"{p.sheet or '-'}\t{p.row or '-'}\t{p.column or '-'}\t{p.message}" for p in outcome.problems]
        return "\n".join(lines)
    lines = ["试运行（--dry-run）：以下是将要发生的变化，未写入任何数据" if outcome.dry_run else "导入完成"]
    for sheet in (s for s in SHEETS if s.title in outcome.changes):  # an optional sheet left out: not reported
        changes = outcome.changes[sheet.title]
        lines.append(f"{sheet.title}：新增 {len(changes.created)}，更新 {len(changes.updated)}，不变 {changes.unchanged}")
        if changes.created:
            lines.append(f"  新增：{'、'.join(changes.created)}")
        if changes.updated:
            lines.append(f"  更新：{'、'.join(changes.updated)}")
    return "\n".join(lines)


def run(path: str, *, dry_run: bool, passwords_file: str | None) -> int:
    """`hotline12345 import county FILE.xlsx`: 0 when written (or a clean dry run), 1 when refused, 2 without a
    database. The passwords file is made before the import (mode 600, never over an old one): passwords of
    committed accounts cannot be lost to a path that turns out unwritable."""
    from hotline.database import get_session_factory

    handout = None
    if passwords_file:
        try:
            descriptor = os.open(passwords_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as exc:
            print(f"无法新建 {passwords_file}（为免覆盖上次的初始密码，文件不能已存在）：{exc.strerror}")
            return 1
        handout = os.fdopen(descriptor, "w", encoding="utf-8-sig", newline="")
    with handout or nullcontext():
        try:
            with get_session_factory()() as session:
                outcome = import_county(session, path, dry_run=dry_run)
        except (OperationalError, ProgrammingError) as exc:
            print(f"无法读取数据库（是否已运行 hotline12345 migrate？）：{exc.orig}")
            outcome, status = Outcome(), 2
        else:
            print(report(outcome))
            status = 1 if outcome.problems else 0
        rows = [["用户名", "姓名", "初始密码"], *([u, n, p] for u, n, p in outcome.passwords)]
        if handout is not None and outcome.passwords:
            csv.writer(handout).writerows(rows)
            print(f"{len(outcome.passwords)} 个新账号的初始密码已写入 {passwords_file}（仅本人可读），分发后请删除该文件")
        elif outcome.passwords:
            print(f"\n{len(outcome.passwords)} 个新账号的初始密码（只显示这一次，不记入日志；请交给本人）：")
            print("\n".join("\t".join(row) for row in rows))
    if handout is not None and not outcome.passwords:
        os.unlink(passwords_file)  # nothing to hand out: no empty file left behind
    return status


# -- the template -------------------------------------------------------------------------------------------------

def write_template(path: str | Path) -> None:
    """The empty workbook: a 说明 sheet, then each sheet with its headers, notes, formats and example rows."""
    workbook = Workbook()
    guide = workbook.active
    guide.title = "说明"
    guide.column_dimensions["A"].width = 110
    guide.append(["县级 12345 基础数据导入模板"])
    guide["A1"].font = Font(bold=True, size=14)
    for line in GUIDE:
        guide.append([line])
    for sheet in SHEETS:
        guide.append([])
        guide.append([f"【{sheet.title}】"])
        guide.cell(guide.max_row, 1).font = Font(bold=True)
        for column in sheet.columns:
            guide.append([f"{column.header}{'（必填）' if column.required else ''}：{column.help}".rstrip("：")])
    bold, shade = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for sheet in SHEETS:
        ws = workbook.create_sheet(sheet.title)
        ws.append([c.header for c in sheet.columns])
        for example in sheet.examples:
            ws.append(list(example))
        for index, column in enumerate(sheet.columns, start=1):
            letter = get_column_letter(index)
            ws.column_dimensions[letter].width = column.width
            header = ws.cell(1, index)
            header.font, header.fill = bold, shade
            if column.help:
                header.comment = Comment(column.help, "12345")
            if column.read in ("code", "codes", "phone"):  # typed as text, so 0101 stays 0101
                ws.column_dimensions[letter].number_format = "@"
                for row in range(2, 1001):
                    ws.cell(row, index).number_format = "@"
            if column.read in ("kind", "role"):
                labels = UNIT_KINDS if column.read == "kind" else ROLES
                choice = DataValidation(type="list", formula1=f'"{",".join(labels)}"', allow_blank=True)
                ws.add_data_validation(choice)
                choice.add(f"{letter}2:{letter}1000")
        ws.freeze_panes = "A2"
    workbook.save(path)
