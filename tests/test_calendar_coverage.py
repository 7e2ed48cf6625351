"""The calendar's horizon: which years a deadline computed today can reach, and who is told when one is unknown.

Written for chinesecalendar 1.11.0, which has data for 2004-2026 only (the tests that ask the database pin it
so: `calendar_package_up_to_2026`). The default policy's longest limit is
15 working days (投诉/举报) plus a 10-working-day extension: 25 working days, 35 calendar days at 7/5, plus the
14-day margin: 49 calendar days ahead.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

import pytest

from dispatch.calendar import coverage, horizon, package_knows
from dispatch.models import CalendarOverride
from dispatch.policy import PolicyRules
from hotline import clock
from hotline.database import session_scope
from hotline.settings import TIME_ZONE
from tests.fixtures import CALL

pure = pytest.mark.pure
GAP_2027 = "2027 年节假日尚未录入，期限按周一至周五计算，请管理员导入节假日安排"
DECEMBER_2 = datetime(2026, 12, 2, 10, 0, tzinfo=TIME_ZONE)


def up_to_2026(year: int) -> bool:
    return year <= 2026


# --- the pure rule ---------------------------------------------------------------------------------------------

@pure
def test_the_default_policy_reaches_25_working_days():
    assert PolicyRules().longest_working_days == 25


@pure
def test_the_horizon_is_working_days_times_seven_fifths_rounded_up_plus_14_days():
    assert horizon(date(2026, 11, 12), 25) == date(2026, 12, 31)  # 35 + 14 = 49 days
    assert horizon(date(2026, 11, 13), 25) == date(2027, 1, 1)
    assert horizon(date(2026, 1, 1), 2.5) == date(2026, 1, 19)  # 3.5 → 4, + 14


@pure
def test_2026_is_known_by_the_package_and_a_june_horizon_stays_in_it():
    result = coverage(date(2026, 6, 1), 25, {}, knows=up_to_2026)
    assert result.horizon == date(2026, 7, 20)
    assert [(y.year, y.sources) for y in result.years] == [(2026, ["chinesecalendar"])]
    assert result.uncovered == [] and result.message is None


@pure
def test_2027_without_data_is_named_from_mid_november():
    assert coverage(date(2026, 11, 12), 25, {}, knows=up_to_2026).uncovered == []
    result = coverage(date(2026, 12, 2), 25, {}, knows=up_to_2026)
    assert result.horizon == date(2027, 1, 20)
    assert [(y.year, y.package, y.overrides, y.sources) for y in result.years] == [
        (2026, True, 0, ["chinesecalendar"]), (2027, False, 0, [])]
    assert result.uncovered == [2027] and result.message == GAP_2027


@pure
def test_2027_with_overrides_is_covered_and_2028_with_none_is_not():
    assert coverage(date(2026, 12, 2), 25, {2027: 31}, knows=up_to_2026).uncovered == []
    result = coverage(date(2027, 12, 1), 25, {2027: 31}, knows=up_to_2026)
    assert result.horizon == date(2028, 1, 19)
    assert [(y.year, y.sources) for y in result.years] == [(2027, ["override"]), (2028, [])]
    assert result.message == "2028 年节假日尚未录入，期限按周一至周五计算，请管理员导入节假日安排"


@pure
def test_a_long_policy_can_reach_two_unknown_years_and_later_override_years_are_listed():
    result = coverage(date(2026, 12, 2), 60 + 60 + 60 + 60 + 60, {2030: 2}, knows=up_to_2026)
    assert result.horizon == date(2028, 2, 9)  # 300 wd → 420 + 14 = 434 days
    assert result.uncovered == [2027, 2028]
    assert result.message.startswith("2027、2028 年节假日尚未录入")
    assert [y.year for y in result.years] == [2026, 2027, 2028, 2029, 2030]  # 2029 lies past the horizon


@pure
def test_the_package_is_asked_whether_it_knows_a_year():
    assert package_knows(2026) is True  # 1.11.0 and later
    assert package_knows(2098) is False


# --- against the database and the app --------------------------------------------------------------------------

def _holiday(day: date, note: str = "元旦") -> None:
    with session_scope() as session:
        session.add(CalendarOverride(day=day, is_workday=False, note=note))


def test_ready_stays_200_and_names_the_year_without_data(client, no_overrides, calendar_package_up_to_2026):
    with clock.frozen(DECEMBER_2):
        response = client.get("/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "database": "ok", "redis": "ok", "calendar": {
        "uncovered_years": [2027], "horizon": "2027-01-20", "message": GAP_2027}}
    _holiday(date(2027, 1, 1))
    with clock.frozen(DECEMBER_2):
        assert client.get("/ready").json() == {"status": "ready", "database": "ok", "redis": "ok"}


def test_ready_says_nothing_about_the_calendar_in_june(client, no_overrides):
    with clock.frozen(datetime(2026, 6, 1, 10, 0, tzinfo=TIME_ZONE)):
        assert "calendar" not in client.get("/ready").json()


def test_the_coverage_endpoint_for_the_desk_and_the_admin(login, commander, no_overrides,
                                                         calendar_package_up_to_2026):
    with clock.frozen(DECEMBER_2):
        body = commander.get("/api/admin/calendar/coverage").json()
        assert login("auditor").get("/api/admin/calendar/coverage").status_code == 200
        assert login("h_cgj").get("/api/admin/calendar/coverage").status_code == 403
    assert body == {"today": "2026-12-02", "horizon": "2027-01-20", "uncovered": [2027], "message": GAP_2027,
                    "years": [{"year": 2026, "package": True, "overrides": 0, "sources": ["chinesecalendar"]},
                              {"year": 2027, "package": False, "overrides": 0, "sources": []}]}
    admin = login("admin")
    assert admin.client.post("/api/admin/calendar/import", content="2027-01-01,休,元旦\n2027-01-02,休,元旦\n".encode(),
                             headers=admin.headers).status_code == 200
    with clock.frozen(DECEMBER_2):
        body = admin.get("/api/admin/calendar/coverage").json()
    assert body["uncovered"] == [] and body["message"] is None
    assert body["years"][1] == {"year": 2027, "package": False, "overrides": 2, "sources": ["override"]}


def test_a_december_complaint_crossing_new_year_lands_a_day_later_once_1_january_is_imported(
        operator, login, no_overrides, calendar_package_up_to_2026):
    # Monday 21 December 2026 10:00 + 15 working days. Counted Monday to Friday in 2027, the 15th working day is
    # Monday 11 January (Dec 22-25, 28-31, Jan 1, 4-8, 11); with 1 January a holiday it is Tuesday 12 January.
    monday = datetime(2026, 12, 21, 10, 0, tzinfo=TIME_ZONE)

    def dispatched() -> dict:
        with clock.frozen(monday):
            number = operator.post("/api/tickets", json=CALL).json()["number"]
            assert operator.act(number, "dispatch", {"category_code": "0107"}).status_code == 200
        return operator.get(f"/api/tickets/{number}").json()

    before = dispatched()
    assert before["due_at"] == "2027-01-11T10:00:00+08:00"
    assert before["events"][-1]["data"]["calendar"] == ["chinesecalendar", "weekdays"]
    admin = login("admin")
    imported = admin.client.post("/api/admin/calendar/import", content="2027-01-01,休,元旦\n".encode("gbk"),
                                 headers=admin.headers)
    assert imported.status_code == 200
    after = dispatched()
    assert after["due_at"] == "2027-01-12T10:00:00+08:00"
    assert after["events"][-1]["data"]["calendar"] == ["chinesecalendar", "override", "weekdays"]


def _warnings(caplog) -> list[str]:
    """The daily check's own: a board relay thread of the same process may warn meanwhile."""
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING and r.name == "dispatch.jobs"]


def test_the_daily_check_warns_while_a_year_is_missing(caplog, no_overrides, calendar_package_up_to_2026):
    from dispatch.jobs import SCHEDULE, check_calendar_coverage

    assert check_calendar_coverage in [job for job, _ in SCHEDULE]
    with caplog.at_level(logging.WARNING, logger="dispatch.jobs"), clock.frozen(DECEMBER_2):
        assert check_calendar_coverage() == [2027]
    assert _warnings(caplog) == [f"{GAP_2027}（期限最远可到 2027-01-20）"]
    caplog.clear()
    _holiday(date(2027, 1, 1))
    with caplog.at_level(logging.WARNING, logger="dispatch.jobs"), clock.frozen(DECEMBER_2):
        assert check_calendar_coverage() == []
    assert _warnings(caplog) == []
