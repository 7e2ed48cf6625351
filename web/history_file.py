"""Reading a county's history file (CSV or xlsx) row by row, and the references its rows are resolved against.

Headers are matched after NFKC, without spaces and case: the Chinese names of docs/history.md and a few English
aliases. A column no field claims is ignored and named once in the report. Rows are streamed: openpyxl's
read-only mode for xlsx, the csv module for CSV, whose encoding is UTF-8 (with or without BOM) or else GB18030,
decided by one streaming pass over the file, so a 100,000-row history never sits in memory.
"""

from __future__ import annotations

import codecs
import csv
import re
import sys
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from dispatch.models import CatalogueEntry
from hotline.history import BatchFailed, Catalogue, RowProblem, Summary, import_rows
from hotline.models import Department

# field -> its header in docs/history.md first, then the other names a county's export may use
HEADERS: dict[str, tuple[str, ...]] = {
    "number": ("工单编号", "工单号", "编号", "number", "ticket_no"),
    "received": ("受理时间", "来电时间", "登记时间", "创建时间", "received", "received_at", "created_at"),
    "channel": ("来源", "渠道", "来源渠道", "channel", "source"),
    "type": ("类型", "诉求类型", "工单类型", "type"),
    "township": ("乡镇/街道", "乡镇(街道)", "乡镇", "街道", "所属乡镇", "township"),
    "content": ("诉求内容", "内容", "工单内容", "问题描述", "content"),
    "unit": ("承办单位", "主办单位", "责任单位", "unit", "department"),
    "category": ("分类", "派单分类", "诉求分类", "分类编码", "category"),
    "status": ("状态", "办理状态", "status"),
    "reply": ("答复", "答复内容", "办理结果", "reply"),
    "rating": ("满意度", "评价", "回访评价", "rating", "satisfaction"),
    "solved": ("解决情况", "是否解决", "solved"),
    "closed": ("办结时间", "closed_at"),
    "title": ("标题", "title"),
    "address": ("地址", "详细地址", "address"),
    "caller_name": ("来电人", "诉求人", "联系人", "姓名", "name"),
    "caller_phone": ("联系电话", "来电号码", "电话", "手机", "phone"),
}
REQUIRED = ("number", "received", "content")
CHUNK_BYTES = 1 << 20


class FileRefused(Exception):
    """The file as a whole cannot be read (format, encoding, a required column missing): nothing is imported."""


def _key(header: Any) -> str:
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", str(header or ""))).lower()


_FIELD_OF = {_key(name): name_field for name_field, names in HEADERS.items() for name in names}


@dataclass
class HistoryFile:
    path: Path
    kind: str  # csv, xlsx
    encoding: str | None = None
    headers: dict[str, str] = field(default_factory=dict)  # field -> the file's own header
    ignored: list[str] = field(default_factory=list)  # headers no field claims, or a second one for a field
    note: str | None = None
    delimiter: str = ","
    _positions: dict[str, int] = field(default_factory=dict)

    def rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """(row number as the county sees it, the header being row 1; cells by field), empty rows left out."""
        for number, cells in self._raw_rows():
            if all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells):
                continue
            yield number, {name: (cells[i] if i < len(cells) and cells[i] != "" else None)
                           for name, i in self._positions.items()}

    def _raw_rows(self) -> Iterator[tuple[int, tuple[Any, ...]]]:
        if self.kind == "xlsx":
            workbook = load_workbook(self.path, read_only=True, data_only=True)
            try:
                rows = workbook.worksheets[0].iter_rows(values_only=True)
                next(rows, None)
                yield from enumerate(rows, start=2)
            finally:
                workbook.close()
        else:
            with self.path.open(encoding=self.encoding, newline="") as handle:
                reader = csv.reader(handle, delimiter=self.delimiter)
                next(reader, None)
                yield from enumerate((tuple(row) for row in reader), start=2)

    def read_headers(self, header_row: tuple[Any, ...]) -> None:
        for index, header in enumerate(header_row):
            if header is None or not str(header).strip():
                continue
            name = _FIELD_OF.get(_key(header))
            if name is None or name in self._positions:
                self.ignored.append(str(header).strip())
                continue
            self._positions[name] = index
            self.headers[name] = str(header).strip()
        missing = [HEADERS[name][0] for name in REQUIRED if name not in self._positions]
        if missing:
            raise FileRefused(f"第 1 行缺少必需的列：{'、'.join(missing)}（列名见 docs/history.md）")
        if "unit" not in self._positions and "category" not in self._positions:
            self.note = "没有承办单位列，也没有分类列：导入的工单都没有派单分类，不能用于训练"


def detect_encoding(path: Path) -> str:
    """utf-8-sig with a BOM; utf-8 if the whole file decodes as UTF-8 (read in chunks); else gb18030."""
    with path.open("rb") as handle:
        if handle.read(3) == codecs.BOM_UTF8:
            return "utf-8-sig"
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := handle.read(CHUNK_BYTES):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8"


def open_history(path: str | Path, *, encoding: str | None = None) -> HistoryFile:
    """Read the header row and decide how to read the rest; FileRefused when it cannot be read at all."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        history = HistoryFile(path, "xlsx")
        try:
            workbook = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises several kinds for a file that is no workbook
            raise FileRefused(f"无法读取工作簿（应为 .xlsx 文件）：{exc}") from None
        try:
            header = next(workbook.worksheets[0].iter_rows(values_only=True, max_row=1), ())
        finally:
            workbook.close()
    elif suffix in (".csv", ".txt"):
        history = HistoryFile(path, "csv")
        try:
            history.encoding = encoding or detect_encoding(path)
            with path.open(encoding=history.encoding, newline="") as handle:
                first_line = handle.readline()  # Excel writes "," (or ";" in some locales); a text export uses tabs
                history.delimiter = max(",\t;", key=first_line.count)
                handle.seek(0)
                header = next(csv.reader(handle, delimiter=history.delimiter), [])
        except (OSError, LookupError, UnicodeDecodeError) as exc:
            raise FileRefused(f"无法读取文件：{exc}") from None
    else:
        raise FileRefused(f"只能导入 .csv 或 .xlsx 文件（收到 {path.name}）")
    history.read_headers(tuple(header))
    return history


def catalogue(session: Session) -> Catalogue:
    """The county's units (all of them: a history names units since merged or renamed) and its own catalogue."""
    units = session.execute(select(Department.id, Department.code, Department.name)).all()
    names: dict[str, str] = {}
    leads: dict[tuple[str, str | None], int] = {}
    for entry in session.execute(select(CatalogueEntry.category_code, CatalogueEntry.category_name,
                                        CatalogueEntry.township, CatalogueEntry.lead_department_id)
                                 .order_by(CatalogueEntry.township.is_not(None), CatalogueEntry.id)):
        names.setdefault(entry.category_code, entry.category_name)  # the county default's name first
        leads[entry.category_code, entry.township] = entry.lead_department_id
    return Catalogue(unit_codes={u.code: u.id for u in units}, unit_names={u.name: u.id for u in units},
                     category_names=names, leads=leads)


# -- the command --------------------------------------------------------------------------------------------------

SHOWN_PROBLEMS = 20
PROGRESS_EVERY = 10  # batches


def rejects_path(source: Path) -> Path:
    return source.with_name(source.stem + ".rejects.csv")


def run(path: str, *, dry_run: bool = False, strict: bool = False, batch_size: int = 1000,
        rejects: str | None = None, encoding: str | None = None,
        after_batch: Callable[[Summary], None] | None = None) -> int:
    """`hotline12345 import tickets FILE`: 0 when every row is in (or was already), 1 when rows were refused or
    the file cannot be read, 2 when the database failed (earlier batches stay; run it again to resume)."""
    from hotline.database import get_session_factory

    started = time.monotonic()
    if batch_size < 1:
        print("未导入任何工单：--batch-size 至少为 1")
        return 1
    try:
        history = open_history(path, encoding=encoding)
    except FileRefused as refused:
        print(f"未导入任何工单：{refused}")
        return 1
    described = f"{history.kind.upper()}{'，' + history.encoding.upper() if history.encoding else ''}"
    print(f"文件 {history.path.name}（{described}）{'，试运行（--dry-run）：不写入任何数据' if dry_run else ''}")
    if history.ignored:
        print(f"未识别的列（已忽略）：{'、'.join(history.ignored)}")
    if history.note:
        print(f"提醒：{history.note}")
    target = Path(rejects) if rejects else (None if dry_run else rejects_path(history.path))
    shown: list[RowProblem] = []
    factory = get_session_factory()
    with (target.open("w", encoding="utf-8-sig", newline="") if target else nullcontext()) as handle:
        writer = csv.writer(handle) if handle else None
        if writer:
            writer.writerow(["行", "工单编号", "列", "问题"])

        def report(problem: RowProblem) -> None:
            if writer:
                writer.writerow([problem.row, problem.number, problem.column or "-", problem.message])
            if len(shown) < SHOWN_PROBLEMS:
                shown.append(problem)

        def progress(summary: Summary) -> None:
            if summary.batches % PROGRESS_EVERY == 0:
                print(f"  已处理 {summary.read} 行…", file=sys.stderr, flush=True)
            if after_batch:
                after_batch(summary)

        try:
            with factory() as session:
                references = catalogue(session)
            summary = import_rows(factory, history.rows(), history.headers, references, dry_run=dry_run,
                                  strict=strict, batch_size=batch_size, report=report, after_batch=progress)
        except BatchFailed as failed:
            print(f"导入中断：{failed}\n修正后重新运行同一命令即可从断点继续，已导入的工单会跳过，不会重复。")
            return 2
        except (OperationalError, ProgrammingError) as exc:
            print(f"无法读取数据库（是否已运行 hotline12345 migrate？）：{exc.orig}")
            return 2
    print(_report(summary, shown, target, dry_run, time.monotonic() - started))
    if target and not summary.rejected and not rejects:
        target.unlink()  # no problems: no empty report left beside the file
    return 1 if summary.rejected else 0


def _report(summary: Summary, shown: list[RowProblem], target: Path | None, dry_run: bool, seconds: float) -> str:
    verb = "可导入" if dry_run else "导入"
    lines = [f"共读取 {summary.read} 行：{verb} {summary.imported} 张，此前已导入（跳过）{summary.skipped} 张，"
             f"有问题未导入 {summary.rejected} 行；用时 {seconds:.1f} 秒"]
    if summary.imported:
        notes = [f"未能确定派单分类 {summary.no_category} 张（不用于训练）" if summary.no_category else "",
                 f"承办单位未能识别 {summary.no_unit} 张" if summary.no_unit else "",
                 f"联系电话无法识别（未导入号码）{summary.phone_dropped} 张" if summary.phone_dropped else ""]
        if notes := [note for note in notes if note]:
            lines.append(f"其中{'，'.join(notes)}")
    if summary.rejected:
        by_column = "、".join(f"{column or '整行'} {count}" for column, count in summary.problems_by_column.items())
        lines.append(f"问题按列：{by_column}")
        if target:
            lines.append(f"全部问题见 {target}")
        lines.append("行\t列\t问题" + (f"（仅列出前 {SHOWN_PROBLEMS} 条）" if len(shown) == SHOWN_PROBLEMS else ""))
        lines += [f"{p.row}\t{p.column or '-'}\t{p.message}" for p in shown]
    return "\n".join(lines)
