"""Working time in China: weekends, the National Day week, 调休 make-up days, years without package data."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from dispatch.calendar import OVERRIDE, PACKAGE, WorkCalendar
from hotline.settings import TIME_ZONE

pytestmark = pytest.mark.pure


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=TIME_ZONE)


def test_a_working_day_is_seven_hours():
    assert WorkCalendar().minutes_per_day == 420


def test_two_working_hours_skip_lunch():
    assert WorkCalendar().add_working_minutes(at(2026, 11, 24, 11, 0), 120) == at(2026, 11, 24, 14, 30)


def test_friday_afternoon_plus_two_days_lands_on_tuesday():
    assert WorkCalendar().add_working_days(at(2026, 11, 20, 16, 0), 2) == at(2026, 11, 24, 16, 0)


def test_after_hours_start_counts_from_next_morning():
    assert WorkCalendar().add_working_minutes(at(2026, 11, 24, 20, 0), 60) == at(2026, 11, 25, 10, 0)


def test_national_day_week_is_skipped_and_the_make_up_saturday_counts():
    calendar = WorkCalendar()
    # 2026: 1-7 October off; Saturday 10 October is a make-up working day (调休)
    assert calendar.is_workday(date(2026, 10, 10)) is True
    assert calendar.is_workday(date(2026, 10, 5)) is False
    due = calendar.add_working_days(at(2026, 9, 30, 10, 0), 2)
    assert due == at(2026, 10, 9, 10, 0)
    assert calendar.add_working_days(at(2026, 10, 9, 10, 0), 1) == at(2026, 10, 10, 10, 0)  # the Saturday
    assert PACKAGE in calendar.sources_used


def test_admin_overrides_win_over_everything():
    calendar = WorkCalendar(overrides={date(2027, 1, 1): False, date(2027, 1, 2): True})
    assert calendar.add_working_days(at(2026, 12, 31, 10, 0), 2) == at(2027, 1, 4, 10, 0)
    assert calendar.is_workday(date(2027, 1, 2)) is True
    assert OVERRIDE in calendar.sources_used


def test_working_minutes_between_ignores_nights_and_weekends():
    calendar = WorkCalendar()
    assert calendar.working_minutes_between(at(2026, 11, 20, 17, 0), at(2026, 11, 23, 9, 30)) == 60
