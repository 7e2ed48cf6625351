"""The county workbook import, with a second fictional county typed the way a county office types it.

云溪县 (fictional, unlike the demo 清江县): 8 townships (2 街道, 3 镇, 3 乡) with 7 社区 and 10 村; 21 units with
four-digit codes that start with 0, some with a parent (上级单位) for escalation; a catalogue with co-units,
township overrides and a few per-entry time limits; 11 accounts. Trailing spaces, full-width digits, a mobile
number typed as a number and a header typed with ASCII brackets are all on purpose.

Each test that writes runs on an empty database of its own (served by `hotline.database` while it runs, so the
follow-up sweep and the command find it too); the demo county's database is not touched.
"""

from __future__ import annotations

import copy
import csv
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

import command.models  # noqa: F401  - every table, so that each is emptied
import hotline.knowledge  # noqa: F401
import open311.models  # noqa: F401
from dispatch import actions, followup
from dispatch.calendar import WorkCalendar
from dispatch.models import CatalogueEntry
from dispatch.policy import DeadlineClock, PolicyRules, publish
from hotline import clock, database, intake
from hotline.accounts import actor_of, authenticate
from hotline.migrate import upgrade
from hotline.models import Area, Base, Department, Notification, Staff, Ticket, TicketEvent
from hotline.reference import AreaRow, StaffRow, UnitRow
from hotline.schemas import CallCreate
from hotline.settings import TIME_ZONE, get_settings
from hotline.vocabulary import Role
from tests.harness import empty_database
from web.county_workbook import import_county, read_workbook, write_template

ROOT = Path(__file__).resolve().parents[1]
MONDAY_10 = datetime(2026, 11, 16, 10, 0, tzinfo=TIME_ZONE)  # a plain fortnight follows, no holidays

UNITS = (["单位编码", "单位名称", "类型", "值班电话", "上级单位编码", "所属乡镇（街道）"], [
    ["0001", "云溪县人民政府办公室", "县政府办", "０７４５－６２２１００１", None, None],  # row 2
    ["0101", "云溪县住房和城乡建设局", "县直部门", "139 0745 0101", "0001", None],
    ["0102", "云溪县城市管理和综合执法局", "县直部门", "13907450102", "0001", None],
    ["0103", "云溪县市场监督管理局", "县直部门", "13907450103", "0001", None],  # row 5
    ["0105", "云溪县公安局交通管理大队", "县直部门", "13907450105", "0104", None],  # its parent comes next
    ["0104", "云溪县公安局", "县直部门", "13907450104", "0001", None],
    ["0106", "云溪县交通运输局 ", "县直部门", 13907450106, None, None],  # a mobile typed as a number
    ["0107", "怀化市生态环境局云溪分局", "县直部门", "13907450107", None, None],  # row 9
    ["0108", "云溪县自然资源局", "县直部门", None, "0001", None],
    ["0109", "云溪县农业农村局", "县直部门", "13907450109", "0001", None],
    ["0110 ", "云溪县民政局", "县直部门", "13907450110", "0001", None],  # row 12
    ["0201", "云溪县自来水有限公司", "企事业单位", "13907450201", "0101", None],
    ["0202", "国网云溪县供电公司", "企事业单位", "13907450202", None, None],  # row 14
    ["1001", "云溪街道办事处", "街道办事处", "13907451001", "0001", "云溪街道"],
    ["1002", "桃源街道办事处", "街道办事处", "13907451002", "0001", "桃源街道"],
    ["1003", "青石镇人民政府", "乡镇政府", "13907451003", "0001", "青石镇"],
    ["1004", "白沙镇人民政府", "乡镇政府", "13907451004", "0001", "白沙镇"],
    ["1005", "梅岭乡人民政府", "乡镇政府", "13907451005", "0001", "梅岭乡"],
    ["1006", "双溪镇人民政府", "乡镇政府", "13907451006", "0001", "双溪镇"],
    ["1007", "红岩乡人民政府", "乡镇政府", "13907451007", "0001", "红岩乡"],
    ["1008", "长坪乡人民政府", "乡镇政府", "13907451008", "0001", "长坪乡"],  # row 22
])
AREAS = (["乡镇（街道）", "村（社区）"], [
    ["云溪街道", None], ["云溪街道", "东门社区"], ["云溪街道", "西门社区"], ["云溪街道", "滨江社区"],  # rows 2-5
    ["桃源街道", None], ["桃源街道", "桃源社区"], ["桃源街道", "新华社区"],
    ["青石镇", None], ["青石镇", "青石社区"], ["青石镇", "龙潭村"], ["青石镇", "石桥村"],  # rows 9-12
    ["白沙镇", None], ["白沙镇", "白沙村"], ["白沙镇", "河口村"],
    ["梅岭乡", None], ["梅岭乡", "梅岭村"], ["梅岭乡", "竹坪村"],
    ["双溪镇 ", None], ["双溪镇", "双溪社区"], ["双溪镇", "石门村"],  # rows 19-21
    ["红岩乡", "红岩村"], ["红岩乡", None],  # a village before its township's own row
    ["长坪乡", None], ["长坪乡", "长坪村"], ["长坪乡", "杉木村"],  # rows 24-26
])
CATALOGUE = (["分类编码", "分类名称", "说明", "主办单位编码", "协办单位编码", "适用乡镇", "咨询时限（工作日）",
              "投诉时限(工作日)"], [
    ["0101", "物业管理", "小区物业服务、物业费", "0101", None, None, None, 10],  # row 2
    ["0102", "房屋征收拆迁", None, "0101", "0108、0001", None, None, None],
    ["0107", "路灯照明", None, "0102", None, None, None, None],
    ["0201", "供水", "停水、水质", "0201", "0101,0102", None, 1, None],  # row 5
    ["0202", "供电", None, "0202", None, None, None, None],
    ["0304", "环境卫生", None, "0102", None, None, None, None],
    ["0304", "环境卫生", "乡镇垃圾清运", "1003", "0102", "青石镇", None, "5"],  # row 8
    ["0304", "环境卫生", None, "1005", None, "梅岭乡", None, None],
    ["0501", "交通秩序", None, "0105", "0106；0104", None, None, None],  # row 10
    ["0901", "食品安全", None, "0103", None, None, "１", 7],
    ["1002", "农村土地承包", None, "0109", None, None, None, None],
    ["1002", None, None, "1004", None, "白沙镇", None, None],  # no name: the category's own
    ["1101", "低保和救助", None, "0110", None, None, None, None],  # row 14
])
STAFF = (["用户名", "姓名", "角色", "单位编码", "手机"], [
    ["yx_op1", "刘晓燕", "话务员", None, "13907459001"],  # row 2
    ["yx_op2", "谭志刚", "话务员", None, None],
    ["yx_zh", "向德明", "指挥中心", None, "13907459003"],
    ["yx_admin", "舒红梅", "管理员", None, None],
    ["yx_jc", "杨文斌", "监察审计", None, None],  # row 6
    ["zjj_li", "李建平", "承办人员", "0101", "１３９０７４５９００６"],
    ["cgj_wu", "吴海波", "承办人员", "0102", None],  # row 8
    ["jj_peng", "彭卫东 ", "承办人员", "0105", None],
    ["qs_zhang", "张桂花", "承办人员", "1003", None],
    ["gd_chen", "陈志勇", "承办人员", "0202", None],
    ["yx_zh2", "覃小军", "指挥中心", "0001", None],  # row 12: a commander keeps no unit
])
YUNXI = {"承办单位": UNITS, "行政区划": AREAS, "派单目录": CATALOGUE, "人员": STAFF}

# What the database must hold afterwards, written down by hand.
EXPECTED_UNITS = {  # code, name, kind, duty phone, parent code, township
    ("0001", "云溪县人民政府办公室", "office", "07456221001", None, None),
    ("0101", "云溪县住房和城乡建设局", "bureau", "13907450101", "0001", None),
    ("0102", "云溪县城市管理和综合执法局", "bureau", "13907450102", "0001", None),
    ("0103", "云溪县市场监督管理局", "bureau", "13907450103", "0001", None),
    ("0104", "云溪县公安局", "bureau", "13907450104", "0001", None),
    ("0105", "云溪县公安局交通管理大队", "bureau", "13907450105", "0104", None),
    ("0106", "云溪县交通运输局", "bureau", "13907450106", None, None),
    ("0107", "怀化市生态环境局云溪分局", "bureau", "13907450107", None, None),
    ("0108", "云溪县自然资源局", "bureau", None, "0001", None),
    ("0109", "云溪县农业农村局", "bureau", "13907450109", "0001", None),
    ("0110", "云溪县民政局", "bureau", "13907450110", "0001", None),
    ("0201", "云溪县自来水有限公司", "enterprise", "13907450201", "0101", None),
    ("0202", "国网云溪县供电公司", "enterprise", "13907450202", None, None),
    ("1001", "云溪街道办事处", "township", "13907451001", "0001", "云溪街道"),
    ("1002", "桃源街道办事处", "township", "13907451002", "0001", "桃源街道"),
    ("1003", "青石镇人民政府", "township", "13907451003", "0001", "青石镇"),
    ("1004", "白沙镇人民政府", "township", "13907451004", "0001", "白沙镇"),
    ("1005", "梅岭乡人民政府", "township", "13907451005", "0001", "梅岭乡"),
    ("1006", "双溪镇人民政府", "township", "13907451006", "0001", "双溪镇"),
    ("1007", "红岩乡人民政府", "township", "13907451007", "0001", "红岩乡"),
    ("1008", "长坪乡人民政府", "township", "13907451008", "0001", "长坪乡"),
}
EXPECTED_AREAS = {  # township, village (None: the township itself), kind
    ("云溪街道", None, "township"), ("云溪街道", "东门社区", "community"), ("云溪街道", "西门社区", "community"),
    ("云溪街道", "滨江社区", "community"), ("桃源街道", None, "township"), ("桃源街道", "桃源社区", "community"),
    ("桃源街道", "新华社区", "community"), ("青石镇", None, "township"), ("青石镇", "青石社区", "community"),
    ("青石镇", "龙潭村", "village"), ("青石镇", "石桥村", "village"), ("白沙镇", None, "township"),
    ("白沙镇", "白沙村", "village"), ("白沙镇", "河口村", "village"), ("梅岭乡", None, "township"),
    ("梅岭乡", "梅岭村", "village"), ("梅岭乡", "竹坪村", "village"), ("双溪镇", None, "township"),
    ("双溪镇", "双溪社区", "community"), ("双溪镇", "石门村", "village"), ("红岩乡", None, "township"),
    ("红岩乡", "红岩村", "village"), ("长坪乡", None, "township"), ("长坪乡", "长坪村", "village"),
    ("长坪乡", "杉木村", "village"),
}
EXPECTED_ENTRIES = {  # category, name, township, lead, co-units in order, own limits
    ("0101", "物业管理", None, "0101", (), (("complaint", 10),)),
    ("0102", "房屋征收拆迁", None, "0101", ("0108", "0001"), ()),
    ("0107", "路灯照明", None, "0102", (), ()),
    ("0201", "供水", None, "0201", ("0101", "0102"), (("consultation", 1),)),
    ("0202", "供电", None, "0202", (), ()),
    ("0304", "环境卫生", None, "0102", (), ()),
    ("0304", "环境卫生", "青石镇", "1003", ("0102",), (("complaint", 5),)),
    ("0304", "环境卫生", "梅岭乡", "1005", (), ()),
    ("0501", "交通秩序", None, "0105", ("0106", "0104"), ()),
    ("0901", "食品安全", None, "0103", (), (("complaint", 7), ("consultation", 1))),
    ("1002", "农村土地承包", None, "0109", (), ()),
    ("1002", "农村土地承包", "白沙镇", "1004", (), ()),
    ("1101", "低保和救助", None, "0110", (), ()),
}
EXPECTED_STAFF = {  # username, name, role, unit
    ("yx_op1", "刘晓燕", "operator", None), ("yx_op2", "谭志刚", "operator", None),
    ("yx_zh", "向德明", "commander", None), ("yx_admin", "舒红梅", "admin", None),
    ("yx_jc", "杨文斌", "auditor", None), ("zjj_li", "李建平", "handler", "0101"),
    ("cgj_wu", "吴海波", "handler", "0102"), ("jj_peng", "彭卫东", "handler", "0105"),
    ("qs_zhang", "张桂花", "handler", "1003"), ("gd_chen", "陈志勇", "handler", "0202"),
    ("yx_zh2", "覃小军", "commander", None),
}


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=TIME_ZONE)


def workbook(path: Path, data: dict | None = None) -> Path:
    book = Workbook()
    book.remove(book.active)
    for title, (headers, rows) in (data or YUNXI).items():
        sheet = book.create_sheet(title)
        sheet.append(headers)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def variant(*edits: tuple[str, int, str, object]) -> dict:
    """YUNXI with cells changed: (sheet, Excel row, header, value); a row past the end is added."""
    data = copy.deepcopy(YUNXI)
    for title, row, header, value in edits:
        headers, rows = data[title]
        while len(rows) < row - 1:
            rows.append([None] * len(headers))
        rows[row - 2][headers.index(header)] = value
    return data


# -- the database of its own ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def scratch_url(tmp_path_factory) -> str:
    url = empty_database("yunxi", tmp_path_factory.mktemp("yunxi"))
    upgrade(url)
    return url


def _serve(url: str | None) -> None:
    database.get_engine().dispose()
    if url is None:
        os.environ.pop("DATABASE_URL", None)
    else:
        os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    database.get_engine.cache_clear()
    database.get_session_factory.cache_clear()


@pytest.fixture
def yunxi(scratch_url, monkeypatch) -> Iterator[sessionmaker[Session]]:
    """An empty, migrated database that hotline.database serves for this test only."""
    main = os.environ.get("DATABASE_URL")
    monkeypatch.setattr(intake, "_places", (float("-inf"), {}))  # the places read from the other county
    _serve(scratch_url)
    factory = database.get_session_factory()
    with factory.begin() as session:
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(delete(table))
    try:
        yield factory
    finally:
        _serve(main)


def counts(factory: sessionmaker[Session]) -> dict[str, int]:
    with factory() as session:
        return {name: session.scalar(select(func.count()).select_from(model)) for name, model in
                (("units", Department), ("areas", Area), ("entries", CatalogueEntry), ("staff", Staff))}


def imported(factory: sessionmaker[Session], path: Path, dry_run: bool = False):
    with factory() as session:
        return import_county(session, path, dry_run=dry_run)


def problems(outcome) -> list[tuple]:
    return [(p.sheet, p.row, p.column, p.message) for p in outcome.problems]


def county(factory: sessionmaker[Session]) -> dict[str, set]:
    with factory() as session:
        units = list(session.scalars(select(Department)))
        code = {u.id: u.code for u in units}
        townships = {a.id: a.name for a in session.scalars(select(Area).where(Area.parent_id.is_(None)))}
        return {
            "units": {(u.code, u.name, u.kind, u.duty_phone, code.get(u.parent_id), u.township) for u in units},
            "areas": {(townships[a.parent_id], a.name, a.kind) if a.parent_id else (a.name, None, a.kind)
                      for a in session.scalars(select(Area))},
            "entries": {(e.category_code, e.category_name, e.township, code[e.lead_department_id],
                         tuple(code[i] for i in e.co_department_ids), tuple(sorted((e.time_limits or {}).items())))
                        for e in session.scalars(select(CatalogueEntry))},
            "staff": {(s.username, s.display_name, s.role, code.get(s.department_id))
                      for s in session.scalars(select(Staff))},
        }


# -- reading cells (no database) ------------------------------------------------------------------------------------

@pytest.mark.pure
def test_cells_are_read_the_way_the_office_typed_them(tmp_path):
    parsed = read_workbook(workbook(tmp_path / "yunxi.xlsx"))
    assert parsed.problems == []
    units = dict((row, unit) for row, unit in parsed.units)
    assert units[2] == UnitRow("0001", "云溪县人民政府办公室", "office", "07456221001")  # full-width digits and dash
    assert units[3].duty_phone == "13907450101"  # spaces dropped
    assert units[8] == UnitRow("0106", "云溪县交通运输局", "bureau", "13907450106")  # trailing space; mobile as number
    assert units[12].code == "0110"
    assert dict(parsed.areas)[19] == AreaRow("双溪镇")
    entries = dict(parsed.entries)
    assert entries[3].co_codes == ("0108", "0001") and entries[5].co_codes == ("0101", "0102")
    assert entries[10].co_codes == ("0106", "0104")  # full-width semicolon
    assert entries[8].time_limits == {"complaint": 5.0} and entries[11].time_limits == {"consultation": 1.0,
                                                                                         "complaint": 7.0}
    assert entries[13].category_name is None
    staff = dict(parsed.staff)
    assert staff[9] == StaffRow("jj_peng", "彭卫东", Role.HANDLER, "0105")
    assert staff[12] == StaffRow("yx_zh2", "覃小军", Role.COMMANDER, "0001")


@pytest.mark.pure
def test_a_code_excel_stored_as_a_number_is_refused_not_guessed(tmp_path):
    data = variant(("承办单位", 9, "单位编码", 107), ("承办单位", 10, "值班电话", 7456221008),
                   ("派单目录", 4, "分类编码", 107.0))
    parsed = read_workbook(workbook(tmp_path / "numbers.xlsx", data))
    assert [(p.sheet, p.row, p.column, p.message) for p in parsed.problems] == [
        ("承办单位", 9, "单位编码", "Excel 把这个编码存成了数字 107（开头的 0 会丢失），请把该列设为「文本」格式后重新输入"),
        ("承办单位", 10, "值班电话", "Excel 把这个电话存成了数字（区号开头的 0 会丢失），请把该列设为「文本」格式后重新输入"),
        ("派单目录", 4, "分类编码", "Excel 把这个编码存成了数字 107（开头的 0 会丢失），请把该列设为「文本」格式后重新输入"),
    ]


# -- the per-entry limit in the clock's arithmetic (no database) ----------------------------------------------------

@pytest.mark.pure
def test_an_entry_limit_replaces_the_policy_limit_for_its_own_type_only():
    deadline = DeadlineClock(PolicyRules(), WorkCalendar(), version=1)
    limits = {"complaint": 10, "consultation": 0.5}
    monday = at(2026, 11, 23, 10, 0)  # 23 Nov - 14 Dec 2026: ordinary weeks
    assert deadline.resolve_due(monday, "complaint", "normal", limits) == at(2026, 12, 7, 10, 0)  # 10 wd, not 15
    assert deadline.resolve_due(monday, "complaint", "normal") == at(2026, 12, 14, 10, 0)  # the policy's 15
    # half a 7-hour day: 10:00-12:00, then 13:30-15:00
    assert deadline.resolve_due(monday, "consultation", "normal", limits) == at(2026, 11, 23, 15, 0)
    assert deadline.resolve_due(monday, "report", "normal", limits) == at(2026, 12, 14, 10, 0)  # none of its own
    assert deadline.resolve_due(at(2026, 11, 24, 23, 0), "complaint", "urgent", limits) == at(2026, 11, 25, 1, 0)
    assert deadline.limit_text("complaint", "normal", limits) == "10 个工作日"
    assert deadline.limit_text("consultation", "normal", limits) == "0.5 个工作日"
    assert deadline.limit_text("complaint", "normal") == "15 个工作日"
    assert deadline.limit_text("complaint", "urgent", limits) == "2 小时"


# -- importing ------------------------------------------------------------------------------------------------------

def test_the_template_imports_with_its_example_rows(tmp_path, yunxi):
    path = tmp_path / "模板.xlsx"
    write_template(path)
    book = load_workbook(path)
    assert book.sheetnames == ["说明", "承办单位", "行政区划", "派单目录", "人员", "网格"]
    assert book["承办单位"]["A2"].number_format == "@" and book["派单目录"]["A2"].value == "0101"
    assert any("不会被删除" in (row[0] or "") for row in book["说明"].iter_rows(values_only=True))
    outcome = imported(yunxi, path)
    assert problems(outcome) == []
    assert county(yunxi) == {
        "units": {("xzfb", "县人民政府办公室", "office", "13800000001", None, None),
                  ("zjj", "县住房和城乡建设局", "bureau", "13800000002", "xzfb", None)},
        "areas": {("城关镇", None, "township"), ("城关镇", "东门社区", "community")},
        "entries": {("0101", "物业管理", None, "zjj", (), (("complaint", 10),))},
        "staff": {("zhangsan", "张三", "handler", "zjj")},
    }
    assert [(username, name) for username, name, _ in outcome.passwords] == [("zhangsan", "张三")]


def test_a_good_import_creates_exactly_the_written_down_county(tmp_path, yunxi):
    outcome = imported(yunxi, workbook(tmp_path / "yunxi.xlsx"))
    assert problems(outcome) == []
    assert county(yunxi) == {"units": EXPECTED_UNITS, "areas": EXPECTED_AREAS, "entries": EXPECTED_ENTRIES,
                             "staff": EXPECTED_STAFF}
    assert {title: len(c.created) for title, c in outcome.changes.items()} == {
        "行政区划": 25, "承办单位": 21, "派单目录": 13, "人员": 11}
    # each new account has its own first password, shown once, and it signs in
    passwords = {username: password for username, _, password in outcome.passwords}
    assert len(passwords) == 11 and len(set(passwords.values())) == 11
    with yunxi() as session:
        assert authenticate(session, "zjj_li", passwords["zjj_li"]).display_name == "李建平"


def test_reimport_with_one_changed_name_updates_it_and_duplicates_nothing(tmp_path, yunxi):
    imported(yunxi, workbook(tmp_path / "first.xlsx"))
    before = counts(yunxi)
    with yunxi() as session:
        hash_before = session.scalar(select(Staff.password_hash).where(Staff.username == "zjj_li"))
    again = variant(("承办单位", 12, "单位名称", "云溪县民政局（县慈善总会）"))
    outcome = imported(yunxi, workbook(tmp_path / "again.xlsx", again))
    assert problems(outcome) == []
    assert {t: (c.created, c.updated, c.unchanged) for t, c in outcome.changes.items()} == {
        "行政区划": ([], [], 25), "承办单位": ([], ["0110"], 20), "派单目录": ([], [], 13), "人员": ([], [], 11)}
    assert counts(yunxi) == before == {"units": 21, "areas": 25, "entries": 13, "staff": 11}
    assert outcome.passwords == []
    with yunxi() as session:
        assert session.scalar(select(Department.name).where(Department.code == "0110")) == "云溪县民政局（县慈善总会）"
        assert session.scalar(select(Staff.password_hash).where(Staff.username == "zjj_li")) == hash_before


def test_a_unit_or_account_left_out_of_a_reimport_stays(tmp_path, yunxi):
    imported(yunxi, workbook(tmp_path / "first.xlsx"))
    fewer = copy.deepcopy(YUNXI)
    fewer["人员"][1].pop()  # yx_zh2
    fewer["承办单位"][1].pop(7)  # 0107, nobody's lead
    assert problems(imported(yunxi, workbook(tmp_path / "fewer.xlsx", fewer))) == []
    assert county(yunxi)["units"] == EXPECTED_UNITS and county(yunxi)["staff"] == EXPECTED_STAFF


def test_a_dry_run_says_what_would_change_and_writes_nothing(tmp_path, yunxi):
    outcome = imported(yunxi, workbook(tmp_path / "yunxi.xlsx"), dry_run=True)
    assert problems(outcome) == [] and outcome.dry_run
    assert {t: (len(c.created), len(c.updated)) for t, c in outcome.changes.items()} == {
        "行政区划": (25, 0), "承办单位": (21, 0), "派单目录": (13, 0), "人员": (11, 0)}
    assert outcome.changes["派单目录"].created[6] == "0304（青石镇）"
    assert outcome.passwords == []
    assert counts(yunxi) == {"units": 0, "areas": 0, "entries": 0, "staff": 0}


BAD_ROWS = {
    "lead unit unknown": ([("派单目录", 4, "主办单位编码", "0199")], [
        ("派单目录", 4, "主办单位编码", "主办单位编码「0199」不存在（承办单位表和系统中都没有）")]),
    "co-unit unknown": ([("派单目录", 3, "协办单位编码", "0108、0188")], [
        ("派单目录", 3, "协办单位编码", "协办单位编码「0188」不存在（承办单位表和系统中都没有）")]),
    "unit code twice": ([("承办单位", 9, "单位编码", "0106")], [
        ("承办单位", 9, "单位编码", "单位编码「0106」在本表中重复出现")]),
    # 0110 leads 1101: the refused row's code still counts as written, so the entry is not reported as well
    "empty name": ([("承办单位", 12, "单位名称", "  ")], [("承办单位", 12, "单位名称", "不能为空")]),
    "unknown type": ([("承办单位", 14, "类型", "国有企业")], [
        ("承办单位", 14, "类型", "未知的类型「国有企业」，应为：县政府办、县直部门、乡镇政府、街道办事处、企事业单位")]),
    "unknown role": ([("人员", 6, "角色", "纪检员")], [
        ("人员", 6, "角色", "未知的角色「纪检员」，应为：话务员、承办人员、指挥中心、管理员、监察审计、县领导、网格员")]),
    "username twice": ([("人员", 13, "用户名", "zjj_li"), ("人员", 13, "姓名", "李建军"),
                        ("人员", 13, "角色", "承办人员"), ("人员", 13, "单位编码", "0101")], [
        ("人员", 13, "用户名", "用户名「zjj_li」在本表中重复出现")]),
    "village without its township": ([("行政区划", 27, "乡镇（街道）", "龙山镇"), ("行政区划", 27, "村（社区）", "龙山村")], [
        ("行政区划", 27, "乡镇（街道）", "乡镇（街道）「龙山镇」不存在：请在本表先写一行只填该乡镇（街道）、村（社区）留空的记录")]),
    "code typed as a number": ([("承办单位", 9, "单位编码", 107)], [
        ("承办单位", 9, "单位编码", "Excel 把这个编码存成了数字 107（开头的 0 会丢失），请把该列设为「文本」格式后重新输入")]),
    "override for an unknown township": ([("派单目录", 9, "适用乡镇", "梅林乡")], [
        ("派单目录", 9, "适用乡镇", "适用乡镇「梅林乡」不在行政区划中")]),
    "handler without a unit": ([("人员", 8, "单位编码", None)], [
        ("人员", 8, "单位编码", "承办人员必须填写所在单位的单位编码")]),
    "two units, one name": ([("承办单位", 5, "单位名称", "云溪县公安局")], [
        ("承办单位", 5, "单位名称", "单位名称「云溪县公安局」已被单位「0104」使用"),
        ("承办单位", 7, "单位名称", "单位名称「云溪县公安局」已被单位「0103」使用")]),
    "parents in a loop": ([("承办单位", 2, "上级单位编码", "0105")], [
        ("承办单位", 2, "上级单位编码", "上级单位形成循环：0001 → 0105 → 0104 → 0001"),
        ("承办单位", 6, "上级单位编码", "上级单位形成循环：0105 → 0104 → 0001 → 0105"),
        ("承办单位", 7, "上级单位编码", "上级单位形成循环：0104 → 0001 → 0105 → 0104")]),
    "time limit out of range": ([("派单目录", 2, "投诉时限(工作日)", 0), ("派单目录", 12, "咨询时限（工作日）", "十天")], [
        ("派单目录", 2, "投诉时限（工作日）", "投诉时限应大于 0、最多 60 个工作日"),
        ("派单目录", 12, "咨询时限（工作日）", "应为工作日数，例如 10")]),
    "phone too short": ([("承办单位", 3, "值班电话", "6221")], [
        ("承办单位", 3, "值班电话", "电话号码应为 7 到 19 位数字，例如 13800138000 或 0730-8123456")]),
    "unknown category": ([("派单目录", 6, "分类编码", "0299")], [
        ("派单目录", 6, "分类编码", "分类编码「0299」不是系统的派单分类（四位小类编码，如 0101 物业管理）")]),
}


@pytest.mark.parametrize("case", list(BAD_ROWS))
def test_a_bad_row_is_reported_and_nothing_at_all_is_written(case, tmp_path, yunxi):
    edits, expected = BAD_ROWS[case]
    before = counts(yunxi)
    outcome = imported(yunxi, workbook(tmp_path / "bad.xlsx", variant(*edits)))
    assert problems(outcome) == expected
    assert counts(yunxi) == before == {"units": 0, "areas": 0, "entries": 0, "staff": 0}
    assert outcome.changes == {} and outcome.passwords == []


def test_a_missing_sheet_is_reported(tmp_path, yunxi):
    data = {title: sheet for title, sheet in YUNXI.items() if title != "人员"}
    assert problems(imported(yunxi, workbook(tmp_path / "three.xlsx", data))) == [("人员", None, None, "缺少这张工作表")]
    assert counts(yunxi) == {"units": 0, "areas": 0, "entries": 0, "staff": 0}


def test_a_refused_reimport_leaves_the_first_import_as_it_was(tmp_path, yunxi):
    imported(yunxi, workbook(tmp_path / "first.xlsx"))
    before = county(yunxi)
    data = variant(("承办单位", 12, "单位名称", "云溪县民政局（县慈善总会）"), ("承办单位", 23, "单位编码", "0111"),
                   ("承办单位", 23, "单位名称", "云溪县退役军人事务局"), ("承办单位", 23, "类型", "县直部门"),
                   ("人员", 6, "角色", "纪检员"))
    assert problems(imported(yunxi, workbook(tmp_path / "bad.xlsx", data))) == [
        ("人员", 6, "角色", "未知的角色「纪检员」，应为：话务员、承办人员、指挥中心、管理员、监察审计、县领导、网格员")]
    assert county(yunxi) == before


# -- what the imported data does --------------------------------------------------------------------------------------

def _dispatched(factory: sessionmaker[Session], category: str, township: str, kind: str = "consultation",
                urgency: str = "normal", department: str | None = None) -> str:
    with clock.frozen(MONDAY_10), factory.begin() as session:
        operator = actor_of(session.scalars(select(Staff).where(Staff.username == "yx_op1")).one())
        call = CallCreate(content="反映的问题一直没有人处理，请尽快安排", caller_phone="13974500001", township=township,
                          type=kind, urgency=urgency)
        ticket = intake.record_call(session, call, operator)
        lead = session.scalar(select(Department.id).where(Department.code == department)) if department else None
        actions.dispatch(session, ticket, operator, department_id=lead, co_department_ids=[], category_code=category)
        return ticket.number


def _ticket(factory: sessionmaker[Session], number: str) -> Ticket:
    with factory() as session:
        return session.scalars(select(Ticket).where(Ticket.number == number)).one()


def test_escalation_goes_to_the_lead_units_parent_from_the_workbook(tmp_path, yunxi):
    imported(yunxi, workbook(tmp_path / "yunxi.xlsx"))
    power_v1 = _dispatched(yunxi, "0202", "白沙镇")  # 国网供电: no parent; the default policy names no leadership
    with yunxi.begin() as session:
        publish(session, PolicyRules(leadership_department_code="0001"), created_by=None)
    traffic = _dispatched(yunxi, "0501", "青石镇")  # 交警大队, whose parent is 公安局
    power_v2 = _dispatched(yunxi, "0202", "白沙镇")  # no parent: the policy's leadership unit
    with clock.frozen(at(2026, 12, 1, 10, 0)):  # 5 working days past the deadline of 18 Nov 10:00
        assert followup.sweep() == {"yellow": 3, "red": 3, "supervise": 3, "escalate": 3}
    with yunxi() as session:
        def escalation(number: str) -> tuple[str | None, str, set[str]]:
            ticket = session.scalars(select(Ticket).where(Ticket.number == number)).one()
            event = session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id,
                                                              TicketEvent.action == "escalate")).one()
            phones = set(session.scalars(select(Notification.phone).where(
                Notification.ticket_id == ticket.id, Notification.template == "staff_escalate")))
            return event.data["to"], event.data["message"], phones

        assert escalation(traffic) == ("云溪县公安局", f"工单 {traffic} 已超期 5 个工作日，报请云溪县公安局协调督办。",
                                       {"13907450105", "13907450104"})
        assert escalation(power_v2) == ("云溪县人民政府办公室",
                                        f"工单 {power_v2} 已超期 5 个工作日，报请云溪县人民政府办公室协调督办。",
                                        {"13907450202", "07456221001"})
        assert escalation(power_v1) == (None, f"工单 {power_v1} 已超期 5 个工作日，报请县政府领导协调督办。",
                                        {"13907450202"})
        texts = set(session.scalars(select(Notification.text).where(
            Notification.ticket_id == _ticket(yunxi, traffic).id, Notification.template == "staff_escalate")))
        assert texts == {f"【升级】工单 {traffic} 已超期 5 个工作日，已报云溪县公安局协调督办。"}  # not 县政府领导


def test_an_entrys_own_time_limit_gives_the_written_down_due_time(tmp_path, yunxi):
    imported(yunxi, workbook(tmp_path / "yunxi.xlsx"))
    due = {  # dispatched Monday 16 November 2026, 10:00
        ("0101", "云溪街道", "complaint"): at(2026, 11, 30, 10, 0),  # 物业管理: 10 wd instead of 15
        ("0901", "桃源街道", "consultation"): at(2026, 11, 17, 10, 0),  # 食品安全: 1 wd (typed １)
        ("0901", "桃源街道", "complaint"): at(2026, 11, 25, 10, 0),  # 7 wd
        ("0304", "青石镇", "complaint"): at(2026, 11, 23, 10, 0),  # 青石镇's own entry: 5 wd
        ("0304", "云溪街道", "complaint"): at(2026, 12, 7, 10, 0),  # the county default has none: 15 wd
        ("0201", "双溪镇", "help"): at(2026, 11, 30, 10, 0),  # 供水 has a consultation limit only: 10 wd
    }
    for (category, township, kind), expected in due.items():
        number = _dispatched(yunxi, category, township, kind)
        assert _ticket(yunxi, number).due_at == expected, (category, township, kind)
    # a person chose the department: the category's limit still holds; an urgent ticket keeps its 2 hours
    chosen = _dispatched(yunxi, "0101", "云溪街道", "complaint", department="0102")
    assert _ticket(yunxi, chosen).due_at == at(2026, 11, 30, 10, 0)
    urgent = _dispatched(yunxi, "0201", "双溪镇", "consultation", urgency="urgent")
    assert _ticket(yunxi, urgent).due_at == at(2026, 11, 16, 12, 0)


# -- the command --------------------------------------------------------------------------------------------------

def test_the_command_from_the_repository_root(tmp_path):
    db = tmp_path / "cli.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "HOTLINE_VAR_DIR": str(tmp_path / "var"),
           "LOG_FORMAT": "text"}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "web.cli", *args], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=180)

    assert run("migrate").returncode == 0
    template = tmp_path / "template.xlsx"
    assert run("import", "county", "--template", str(template)).returncode == 0 and template.exists()
    data = workbook(tmp_path / "yunxi.xlsx")

    dry = run("import", "county", str(data), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "试运行" in dry.stdout and "承办单位：新增 21，更新 0，不变 0" in dry.stdout
    engine = database.make_engine(f"sqlite:///{db}")
    factory = sessionmaker(engine)
    assert counts(factory) == {"units": 0, "areas": 0, "entries": 0, "staff": 0}

    passwords = tmp_path / "passwords.csv"
    done = run("import", "county", str(data), "--passwords", str(passwords))
    assert done.returncode == 0, done.stderr
    assert "导入完成" in done.stdout and "人员：新增 11，更新 0，不变 0" in done.stdout
    assert stat.S_IMODE(passwords.stat().st_mode) == 0o600
    with passwords.open(encoding="utf-8-sig") as handed_out:
        rows = list(csv.reader(handed_out))
    assert rows[0] == ["用户名", "姓名", "初始密码"] and [r[0] for r in rows[1:]] == [s[0] for s in STAFF[1]]
    for _, _, password in rows[1:]:
        assert password not in done.stdout and password not in done.stderr
    with factory() as session:
        assert authenticate(session, "qs_zhang", dict((r[0], r[2]) for r in rows[1:])["qs_zhang"]) is not None
    assert run("import", "county", str(data), "--passwords", str(passwords)).returncode == 1  # never overwritten

    bad = run("import", "county", str(workbook(tmp_path / "bad.xlsx", variant(("人员", 6, "角色", "纪检员")))))
    assert bad.returncode == 1
    assert bad.stdout.splitlines()[:3] == ["发现 1 处问题，未写入任何数据：", "工作表\t行\t列\t问题",
                                           "人员\t6\t角色\t未知的角色「纪检员」，应为：话务员、承办人员、指挥中心、管理员、监察审计、县领导、网格员"]

    shown = run("import", "county", str(template))  # its one new account: the password is on the screen, once
    assert shown.returncode == 0, shown.stderr
    line = next(line for line in shown.stdout.splitlines() if line.startswith("zhangsan\t"))
    with factory() as session:
        assert authenticate(session, "zhangsan", line.split("\t")[2]) is not None
    assert counts(factory) == {"units": 23, "areas": 27, "entries": 13, "staff": 12}  # 0101 updated
    engine.dispose()
