"""The county workbook's 网格 sheet: cells imported with the rest, their places and workers checked against the
same workbook and the database, every problem by sheet, row and column, nothing written when any is wrong; an older
workbook without the sheet still imports (tests/test_county_workbook.py)."""

from __future__ import annotations

from openpyxl import Workbook
from sqlalchemy import select

from hotline.database import session_scope
from hotline.grid_cells import GridCell, GridWorker
from hotline.models import Staff
from web.county_workbook import import_county

EMPTY = {"承办单位": ["单位编码", "单位名称", "类型"], "派单目录": ["分类编码", "主办单位编码"]}
CELLS = ["网格编码", "网格名称", "乡镇（街道）", "村（社区）", "网格员用户名"]


def _book(path, areas, staff, cells):
    book = Workbook()
    book.remove(book.active)
    sheets = {**{title: (headers, []) for title, headers in EMPTY.items()},
              "行政区划": (["乡镇（街道）", "村（社区）"], areas), "人员": (["用户名", "姓名", "角色"], staff),
              "网格": (CELLS, cells)}
    for title, (headers, rows) in sheets.items():
        sheet = book.create_sheet(title)
        sheet.append(headers)
        for row in rows:
            sheet.append(list(row))
    book.save(path)
    return path


def _import(path, dry_run=False):
    with session_scope() as session:
        outcome = import_county(session, path, dry_run=dry_run)
        return [(p.sheet, p.row, p.column, p.message) for p in outcome.problems], outcome.changes


def _cells():
    with session_scope() as session:
        rows = session.execute(select(GridCell.code, GridCell.township, GridCell.village, Staff.username)
                               .outerjoin(GridWorker, GridWorker.grid_cell_id == GridCell.id)
                               .outerjoin(Staff, Staff.id == GridWorker.staff_id))
        return {tuple(r) for r in rows}


def test_cells_import_with_a_new_village_and_new_workers_of_the_same_workbook(tmp_path, reference_restored):
    path = _book(tmp_path / "county.xlsx", [("白沙镇", "新建社区")], [("bs_grid1", "吴网格", "网格员")],
                 [("BS-XJ-01", "新建社区网格", "白沙镇", "新建社区", "bs_grid1"),
                  ("BS-02", "白沙镇第二网格", "白沙镇", None, None)])
    found, changes = _import(path, dry_run=True)
    assert found == [] and changes["网格"].created == ["BS-XJ-01", "BS-02"]
    assert not {c for c in _cells() if c[0].startswith("BS")}  # a dry run writes nothing
    found, changes = _import(path)
    assert found == []
    assert {c for c in _cells() if c[0].startswith("BS")} == {("BS-XJ-01", "白沙镇", "新建社区", "bs_grid1"),
                                                              ("BS-02", "白沙镇", None, None)}
    found, changes = _import(path)  # again: nothing new, nothing changed
    assert found == [] and changes["网格"].created == [] and changes["网格"].unchanged == 2


def test_bad_cell_rows_are_each_named_and_nothing_is_written(tmp_path, reference_restored):
    before = _cells()
    path = _book(tmp_path / "bad.xlsx", [], [("bs_grid2", "郑网格", "网格员")], [
        ("BS-03", "网格甲", "火星镇", None, None),
        ("BS-04", "网格乙", "白沙镇", "望江社区", "operator1"),
        ("BS-05", "网格丙", "白沙镇", None, "bs_grid2"),
        ("BS-06", "网格丁", "白沙镇", None, "bs_grid2"),
        ("BS-05", "网格戊", "白沙镇", None, "nobody"),
        ("BS-07", None, "白沙镇", None, None),
    ])
    found, _ = _import(path)
    assert found == [
        ("网格", 2, "乡镇（街道）", "乡镇（街道）「火星镇」不在行政区划中"),
        ("网格", 3, "村（社区）", "白沙镇没有「望江社区」这个村（社区）"),
        ("网格", 3, "网格员用户名", "账号「operator1」不是网格员"),
        ("网格", 5, "网格员用户名", "网格员「bs_grid2」已列在网格「BS-05」，每人只负责一个网格"),
        ("网格", 6, "网格编码", "网格编码「BS-05」在本表中重复出现"),
        ("网格", 6, "网格员用户名", "账号「nobody」不存在"),
        ("网格", 7, "网格名称", "不能为空"),
    ]
    assert _cells() == before
    with session_scope() as session:
        assert session.scalar(select(Staff.id).where(Staff.username == "bs_grid2")) is None


def test_the_template_has_the_sheet_with_its_notes(tmp_path):
    from openpyxl import load_workbook

    from web.county_workbook import write_template

    write_template(tmp_path / "t.xlsx")
    book = load_workbook(tmp_path / "t.xlsx")
    assert [c.value for c in book["网格"][1]] == CELLS
    assert any("网格" in (row[0] or "") for row in book["说明"].iter_rows(values_only=True))
