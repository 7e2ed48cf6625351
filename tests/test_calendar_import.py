"""Holiday files as a county office writes them: the parsers (pure), then the CLI and the admin API.

The 2027 arrangement in these files is made up for the tests (the State Council had not published one when
they were written); the expected days are worked out by hand from the file text.
"""

from __future__ import annotations

import codecs
import os
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from dispatch.calendar_import import ImportedDay, ImportRefused, decode, parse_csv, parse_ics, read

ROOT = Path(__file__).resolve().parents[1]
pure = pytest.mark.pure


def days(parsed: list[ImportedDay]) -> list[tuple[str, bool, str | None]]:
    return [(d.day.isoformat(), d.is_workday, d.note) for d in parsed]


def problems(text: str | bytes, **kwargs) -> list[tuple[int | None, str | None]]:
    with pytest.raises(ImportRefused) as refused:
        read(text.encode() if isinstance(text, str) else text, **kwargs)
    return [(p.row, p.column) for p in refused.value.problems]


# --- CSV -------------------------------------------------------------------------------------------------------

@pure
def test_the_notice_typed_into_excel_saved_as_utf8_with_a_bom():
    data = codecs.BOM_UTF8 + "日期,类型,说明\r\n2027-01-01,休,元旦\r\n2027/2/6,班,春节调休\r\n\r\n,,\r\n".encode()
    parsed = read(data)
    assert days(parsed) == [("2027-01-01", False, "元旦"), ("2027-02-06", True, "春节调休")]
    assert [d.row for d in parsed] == [2, 3]


@pure
def test_gbk_as_excel_writes_it_on_chinese_windows_is_recognised_or_named():
    data = "日期,类型,说明\r\n2027-01-01,休,元旦\r\n2027-02-06,班,春节调休\r\n".encode("gbk")
    expected = [("2027-01-01", False, "元旦"), ("2027-02-06", True, "春节调休")]
    assert days(read(data)) == expected
    assert days(read(data, encoding="gbk")) == expected


@pure
def test_utf16_tab_separated_unicode_text_from_excel():
    data = "日期\t类型\t说明\r\n2027-01-01\t休\t元旦\r\n".encode("utf-16")
    assert days(read(data)) == [("2027-01-01", False, "元旦")]


@pure
def test_full_width_commas_ideographic_spaces_and_chinese_dates_without_a_header():
    text = "2027-01-01，休，元旦\n2027-02-06\u3000班\u3000春节调休\n2027年2月7日 休 春节\n\n2027.2.8 假 春节\n"
    assert days(parse_csv(text)) == [("2027-01-01", False, "元旦"), ("2027-02-06", True, "春节调休"),
                                     ("2027-02-07", False, "春节"), ("2027-02-08", False, "春节")]


@pure
def test_english_kinds_and_an_empty_note():
    text = "date,kind,note\n2027-10-01,Holiday,National Day\n2027-09-26,workday,\n"
    assert days(parse_csv(text)) == [("2027-09-26", True, None), ("2027-10-01", False, "National Day")]


@pure
def test_columns_in_another_order_are_read_by_their_header():
    assert days(parse_csv("说明,日期,类型\n元旦,2027-01-01,休\n")) == [("2027-01-01", False, "元旦")]


@pure
def test_a_weekday_written_after_the_date_and_a_date_time_cell_are_accepted():
    text = "2027-02-06（周六）,班,春节调休\n2027/2/7(星期日),休,春节\n2027/2/8 0:00,休,春节\n20270209,休,春节\n"
    assert days(parse_csv(text)) == [("2027-02-06", True, "春节调休"), ("2027-02-07", False, "春节"),
                                     ("2027-02-08", False, "春节"), ("2027-02-09", False, "春节")]


@pure
def test_commas_inside_the_note_quoted_by_excel_or_not():
    assert days(parse_csv('2027-01-01,休,"元旦, 新年"\n')) == [("2027-01-01", False, "元旦, 新年")]
    assert days(parse_csv("2027-01-01,休,元旦,新年\n")) == [("2027-01-01", False, "元旦，新年")]


@pure
def test_the_same_day_twice_with_the_same_kind_is_one_day():
    assert days(parse_csv("2027-01-01,休,\n2027-1-1,休,元旦\n")) == [("2027-01-01", False, "元旦")]


@pure
def test_every_bad_row_is_reported_with_its_row_and_column():
    text = ("日期,类型,说明\n"           # 1
            "2027-01-01,休,元旦\n"       # 2
            "2027-13-01,休,x\n"          # 3 no 13th month
            "2027/2/6,放,春节\n"         # 4 unknown kind
            "元旦,休\n"                  # 5 no date
            "2027-01-01,班,元旦补班\n"   # 6 the same day as row 2, the other kind
            "2027-02-06(周日),班\n"      # 7 6 February 2027 is a Saturday
            "2027-03-01,调休\n"          # 8 ambiguous
            "2027-03-02,\n"              # 9 no kind
            f"2027-03-03,休,{'长' * 65}\n")  # 10 a note longer than the column
    assert problems(text) == [(3, "日期"), (4, "类型"), (5, "日期"), (6, "类型"), (7, "日期"), (8, "类型"),
                              (9, "类型"), (10, "说明")]
    with pytest.raises(ImportRefused) as refused:
        parse_csv(text)
    lines = [str(p) for p in refused.value.problems]
    assert lines[1] == "第 4 行「类型」：不认识的类型「放」，应为「休」/holiday 或「班」/workday"
    assert lines[3] == "第 6 行「类型」：2027-01-01 在第 2 行是「休」，这里又是「班」"
    assert lines[4] == "第 7 行「日期」：星期不符：2027-02-06 是星期六"
    assert str(refused.value).startswith("导入失败，未写入任何数据：第 3 行「日期」：")


@pure
def test_a_header_without_a_kind_column_and_an_empty_file_are_refused():
    assert problems("日期,说明\n2027-01-01,元旦\n") == [(1, None)]
    assert problems("\n\n") == [(None, None)]


@pure
def test_bytes_in_no_known_encoding_or_not_in_the_named_one():
    assert problems(b"2027-01-01,\xff\xff,x\n") == [(None, None)]
    assert problems("date,kind\n2027-01-01,休\n".encode("gbk"), encoding="utf-8") == [(2, None)]
    assert problems(b"2027-01-01,holiday\n", encoding="klingon") == [(None, None)]
    assert decode(codecs.BOM_UTF8 + "休".encode(), encoding="utf-8") == "休"


# --- iCalendar -------------------------------------------------------------------------------------------------

APP_EXPORT = "\r\n".join([
    "BEGIN:VCALENDAR",                               # 1
    "VERSION:2.0",                                   # 2
    "PRODID:-//Apple Inc.//macOS 14.5//EN",          # 3
    "X-WR-CALNAME:2027年节假日",                      # 4
    "BEGIN:VEVENT",                                  # 5
    "UID:newyear-2027@county",                       # 6
    "DTSTART;VALUE=DATE:20270101",                   # 7
    "DTEND;VALUE=DATE:20270104",                     # 8
    "SUMMARY:元旦",                                   # 9
    "END:VEVENT",                                    # 10
    "BEGIN:VEVENT",                                  # 11
    "UID:spring-2027@county",                        # 12
    "DTSTART;VALUE=DATE:20270205",                   # 13
    "DTEND;VALUE=DATE:20270214",                     # 14
    "SUMMARY:春节放",                                  # 15 folded: 春节放假
    " 假",                                            # 16
    "BEGIN:VALARM",                                  # 17
    "ACTION:DISPLAY",                                # 18
    "TRIGGER:-PT15H",                                # 19
    "END:VALARM",                                    # 20
    "END:VEVENT",                                    # 21
    "BEGIN:VEVENT",                                  # 22
    "UID:makeup-2027@county",                        # 23
    "DTSTART;VALUE=DATE:20270220",                   # 24
    "SUMMARY:春节补班",                               # 25
    "END:VEVENT",                                    # 26
    "BEGIN:VEVENT",                                  # 27
    "UID:outlook-style@county",                      # 28
    "DTSTART:20270925T160000Z",                      # 29 midnight in Beijing, as some apps write all-day events
    "DTEND:20270926T160000Z",                        # 30
    "SUMMARY:Workday (National Day make-up)",       # 31
    "END:VEVENT",                                    # 32
    "END:VCALENDAR",
    "",
])


@pure
def test_an_ics_from_a_calendar_app_expands_the_spring_festival_range_to_its_days():
    parsed = read(APP_EXPORT.encode())  # recognised by BEGIN:VCALENDAR
    spring = [(f"2027-02-{n:02d}", False, "春节放假") for n in range(5, 14)]  # DTEND 14 February is exclusive
    assert days(parsed) == [("2027-01-01", False, "元旦"), ("2027-01-02", False, "元旦"), ("2027-01-03", False, "元旦"),
                            *spring, ("2027-02-20", True, "春节补班"),
                            ("2027-09-26", True, "Workday (National Day make-up)")]
    assert {d.day: d.row for d in parsed}[date(2027, 2, 9)] == 11
    assert {d.day: d.row for d in parsed}[date(2027, 2, 20)] == 22


@pure
def test_bad_events_are_reported_with_their_row_and_property():
    text = "\r\n".join([
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN",                          # 1-3
        "BEGIN:VEVENT", "UID:a", "DTSTART:20270101T090000", "SUMMARY:团拜会", "END:VEVENT",  # 4: timed
        "BEGIN:VEVENT", "UID:b", "DTSTART;VALUE=DATE:20270210", "DTEND;VALUE=DATE:20270208",
        "SUMMARY:春节", "END:VEVENT",                                                   # 9: ends before it starts
        "BEGIN:VEVENT", "UID:c", "DTSTART;VALUE=DATE:20270101", "RRULE:FREQ=YEARLY", "SUMMARY:元旦",
        "END:VEVENT",                                                                   # 15: recurring
        "BEGIN:VEVENT", "UID:d", "DTSTART;VALUE=DATE:20270205", "DTEND;VALUE=DATE:20270208", "SUMMARY:春节",
        "END:VEVENT",                                                                   # 21
        "BEGIN:VEVENT", "UID:e", "DTSTART;VALUE=DATE:20270207", "SUMMARY:补班", "END:VEVENT",  # 27: clashes with 21
        "BEGIN:VEVENT", "UID:f", "DTSTART;VALUE=DATE:2027021x", "SUMMARY:春节", "END:VEVENT",  # 32: no date
        "END:VCALENDAR", ""])
    assert problems(text) == [(4, "DTSTART"), (9, "DTEND"), (15, "RRULE"), (27, "SUMMARY"), (32, "DTSTART")]


@pure
def test_text_that_is_not_icalendar_or_has_no_events_is_refused():
    with pytest.raises(ImportRefused) as refused:
        parse_ics("BEGIN:VCALENDAR\r\nnot a line\r\n")
    assert refused.value.problems[0].row is None
    assert problems("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nEND:VCALENDAR\r\n") == [(None, None)]


# --- the CLI (a subprocess on a scratch SQLite) ----------------------------------------------------------------

def _cli(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOTLINE_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'calendar.db'}",
           "LOG_FORMAT": "text"}
    return subprocess.run([sys.executable, "-m", "web.cli", *arguments], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def _rows(tmp_path: Path) -> list[tuple[str, int, str | None]]:
    with sqlite3.connect(tmp_path / "calendar.db") as connection:
        return connection.execute("SELECT day, is_workday, note FROM calendar_override ORDER BY day").fetchall()


def test_the_cli_imports_a_gbk_file_once_dry_runs_and_refuses_a_bad_one(tmp_path):
    assert _cli(tmp_path, "migrate").returncode == 0
    notice = tmp_path / "2027年节假日.csv"
    notice.write_bytes("日期,类型,说明\r\n2027-01-01,休,元旦\r\n2027/2/6,班,春节调休\r\n".encode("gbk"))

    dry = _cli(tmp_path, "calendar", "import", "--dry-run", str(notice))
    assert dry.returncode == 0, dry.stderr
    assert "2027-01-01 休 元旦  新增" in dry.stdout and "试运行，未写入任何数据" in dry.stdout
    assert _rows(tmp_path) == []

    first = _cli(tmp_path, "calendar", "import", str(notice))
    assert first.returncode == 0, first.stderr
    assert "共 2 天：新增 2 天，修改 0 天，不变 0 天。已写入" in first.stdout
    assert _rows(tmp_path) == [("2027-01-01", 0, "元旦"), ("2027-02-06", 1, "春节调休")]
    again = _cli(tmp_path, "calendar", "import", "--encoding", "gbk", str(notice))
    assert "共 2 天：新增 0 天，修改 0 天，不变 2 天。无需改动" in again.stdout

    bad = tmp_path / "bad.csv"
    bad.write_text("2027-01-04,休,元旦补休\n2027-02-31,休,春节\n", encoding="utf-8")
    refused = _cli(tmp_path, "calendar", "import", str(bad))
    assert refused.returncode == 1
    assert "第 2 行「日期」：日期「2027-02-31」不存在" in refused.stderr
    assert _rows(tmp_path) == [("2027-01-01", 0, "元旦"), ("2027-02-06", 1, "春节调休")]  # not even row 1


def test_the_cli_imports_an_ics_file_by_its_name(tmp_path):
    assert _cli(tmp_path, "migrate").returncode == 0
    holidays = tmp_path / "holidays.ics"
    holidays.write_text(APP_EXPORT, encoding="utf-8")
    result = _cli(tmp_path, "calendar", "import", str(holidays))
    assert result.returncode == 0, result.stderr
    assert len(_rows(tmp_path)) == 14 and ("2027-02-20", 1, "春节补班") in _rows(tmp_path)


# --- the admin API ---------------------------------------------------------------------------------------------

def _import(api, body: bytes, **params):
    return api.client.post("/api/admin/calendar/import", content=body, params=params,
                           headers={**api.headers, "content-type": "text/csv"})


def _stored(api) -> list[tuple[str, bool, str | None]]:
    return [(d["day"], d["is_workday"], d["note"])
            for d in api.get("/api/admin/calendar", params={"year": 2027}).json()]


def test_an_admin_imports_a_csv_again_and_again_and_dry_runs(login, no_overrides):
    admin = login("admin")
    notice = "日期，类型，说明\n2027-01-01，休，元旦\n2027/2/6，班，春节调休\n".encode()
    dry = _import(admin, notice, dry_run="true")
    assert dry.status_code == 200 and dry.json()["dry_run"] is True and dry.json()["added"] == 2
    assert _stored(admin) == []

    first = _import(admin, notice)
    assert first.status_code == 200, first.text
    assert (first.json()["added"], first.json()["changed"], first.json()["unchanged"]) == (2, 0, 0)
    assert first.json()["days"][1] == {"day": "2027-02-06", "is_workday": True, "note": "春节调休", "row": 3,
                                       "change": "added", "was_workday": None}
    assert _stored(admin) == [("2027-01-01", False, "元旦"), ("2027-02-06", True, "春节调休")]
    again = _import(admin, notice)
    assert (again.json()["added"], again.json()["changed"], again.json()["unchanged"]) == (0, 0, 2)

    corrected = _import(admin, "2027-02-06,休,春节\n".encode("gbk"))
    assert corrected.json()["days"] == [{"day": "2027-02-06", "is_workday": False, "note": "春节", "row": 1,
                                         "change": "changed", "was_workday": True}]
    assert _stored(admin) == [("2027-01-01", False, "元旦"), ("2027-02-06", False, "春节")]


def test_an_admin_imports_an_ics_body(login, no_overrides):
    admin = login("admin")
    response = admin.client.post("/api/admin/calendar/import", content=APP_EXPORT.encode(),
                                 headers={**admin.headers, "content-type": "text/calendar"})
    assert response.status_code == 200 and response.json()["added"] == 14


def test_a_bad_file_is_400_with_every_row_and_writes_nothing(login, no_overrides):
    admin = login("admin")
    response = _import(admin, "2027-01-01,休,元旦\n2027-01-32,休,元旦\n2027-02-06,上学,春节调休\n".encode())
    assert response.status_code == 400
    body = response.json()
    assert body["errors"] == [
        {"row": 2, "column": "日期", "message": "日期「2027-01-32」不存在"},
        {"row": 3, "column": "类型", "message": "不认识的类型「上学」，应为「休」/holiday 或「班」/workday"},
    ]
    assert body["detail"].startswith("导入失败，未写入任何数据：第 2 行「日期」")
    assert _stored(admin) == []


def test_only_an_admin_may_import(login, commander, no_overrides):
    assert _import(commander, b"2027-01-01,holiday,New Year\n").status_code == 403
    assert _import(login("h_cgj"), b"2027-01-01,holiday,New Year\n").status_code == 403
    assert _stored(login("admin")) == []


def test_two_imports_of_the_same_new_days_at_once_both_succeed(no_overrides):
    """The first import has written the days but not committed when the second one reads and inserts them; the
    second must not fail (it used to be a 500): it waits, retries and finds the days unchanged."""
    from dispatch import calendar_import
    from dispatch.models import CalendarOverride
    from hotline.database import get_session_factory

    days = read("2027-01-01,休,元旦\n2027-02-06,班,春节调休\n".encode())
    first = get_session_factory()()
    outcome: dict[str, object] = {}

    def second_import() -> None:
        with get_session_factory()() as session:
            try:
                outcome["changes"] = calendar_import.store_and_commit(session, days)
            except Exception as error:  # the test reports whatever escaped
                outcome["error"] = error

    try:
        assert [c.status for c in calendar_import.store(first, days)] == ["added", "added"]
        second = threading.Thread(target=second_import)
        second.start()
        time.sleep(0.5)  # the second import is now blocked on the first one's uncommitted rows
        first.commit()
        second.join(timeout=30)
    finally:
        first.close()
    assert "error" not in outcome, outcome.get("error")
    assert [c.status for c in outcome["changes"]] == ["unchanged", "unchanged"]
    with get_session_factory()() as session:
        assert [(o.day.isoformat(), o.is_workday) for o in session.scalars(
            select(CalendarOverride).order_by(CalendarOverride.day))] == [("2027-01-01", False), ("2027-02-06", True)]
