"""The one deadline clock, against moments worked out by hand on the county's working hours.

Working hours 09:00-12:00 and 13:30-17:30 (420 minutes a day); 23-27 November 2026 is an ordinary
Monday-to-Friday week. Hour limits (urgent, restoration) run on the wall clock.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import msgspec
import pytest

from dispatch.calendar import WEEKDAYS, WorkCalendar
from dispatch.policy import DeadlineClock, PolicyRules
from hotline.settings import TIME_ZONE

pytestmark = pytest.mark.pure


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=TIME_ZONE)


@pytest.fixture
def clock() -> DeadlineClock:
    return DeadlineClock(PolicyRules(), WorkCalendar(), version=1)


def test_an_urgent_pause_in_the_evening_moves_the_deadline_by_the_half_hour_waited(clock):
    # due at 20:00, paused 18:30-19:00: the two-hour limit runs on the clock, so it is due at 20:30
    assert clock.after_pause(at(2026, 11, 24, 20, 0), "urgent", at(2026, 11, 24, 18, 30),
                             at(2026, 11, 24, 19, 0)) == at(2026, 11, 24, 20, 30)


def test_a_pause_that_counted_no_working_time_leaves_the_deadline_where_it_was(clock):
    due = at(2026, 11, 24, 17, 30)  # the end of a working day
    assert clock.after_pause(due, "normal", at(2026, 11, 24, 20, 0), at(2026, 11, 24, 20, 0)) == due
    assert clock.after_pause(due, "normal", at(2026, 11, 24, 20, 0), at(2026, 11, 24, 22, 0)) == due
    assert clock.paused_time("normal", at(2026, 11, 24, 20, 0), at(2026, 11, 24, 22, 0)) == timedelta()


def test_a_working_day_pause_moves_the_deadline_by_working_time(clock):
    # paused 10:00-14:30 on Tuesday: 120 + 60 working minutes; due Thursday 16:00 moves to Friday 10:30
    paused, resumed = at(2026, 11, 24, 10, 0), at(2026, 11, 24, 14, 30)
    assert clock.paused_time("normal", paused, resumed) == timedelta(minutes=180)
    assert clock.after_pause(at(2026, 11, 26, 16, 0), "normal", paused, resumed) == at(2026, 11, 27, 10, 30)


def test_due_and_sign_for_times(clock):
    assert clock.resolve_due(at(2026, 11, 20, 16, 0), "consultation", "normal") == at(2026, 11, 24, 16, 0)
    assert clock.resolve_due(at(2026, 11, 23, 10, 0), "complaint", "normal") == at(2026, 12, 14, 10, 0)
    assert clock.resolve_due(at(2026, 11, 24, 23, 0), "complaint", "urgent") == at(2026, 11, 25, 1, 0)
    assert clock.resolve_due(at(2026, 11, 24, 23, 0), "help", "restoration") == at(2026, 11, 25, 23, 0)
    assert clock.sign_due(at(2026, 11, 24, 11, 0), "normal") == at(2026, 11, 24, 14, 30)
    assert clock.sign_due(at(2026, 11, 24, 22, 0), "urgent") == at(2026, 11, 24, 22, 30)
    assert clock.return_window_end(at(2026, 11, 24, 11, 0)) == at(2026, 11, 25, 11, 0)


def test_follow_up_steps_of_a_consultation(clock):
    steps = clock.steps(at(2026, 11, 23, 10, 0), at(2026, 11, 25, 10, 0), "normal")
    assert steps == {
        "yellow": at(2026, 11, 24, 15, 42),  # 80 % of 840 working minutes: 672
        "red": at(2026, 11, 25, 10, 0),
        "supervise": at(2026, 11, 27, 10, 0),  # 2 working days after the deadline
        "escalate": at(2026, 12, 2, 10, 0),  # 5 working days after it
    }
    assert clock.respond_by(at(2026, 11, 27, 10, 0)) == at(2026, 11, 30, 10, 0)


def test_follow_up_steps_of_an_urgent_ticket_run_on_the_clock(clock):
    steps = clock.steps(at(2026, 11, 24, 18, 0), at(2026, 11, 24, 20, 0), "urgent")
    assert steps["yellow"] == at(2026, 11, 24, 19, 36) and steps["red"] == at(2026, 11, 24, 20, 0)


def test_extensions(clock):
    moment, due = at(2026, 11, 24, 10, 0), at(2026, 11, 25, 10, 0)
    assert clock.extension_refusal(3, False, due, moment) is None
    assert clock.extension_refusal(3, True, due, moment) == "每张工单只能申请一次延期"
    assert clock.extension_refusal(11, False, due, moment) == "延期最多 10 个工作日"
    assert clock.extension_refusal(3, False, due, at(2026, 11, 25, 10, 1)) == "已超过办理期限，不能再申请延期"
    assert clock.extended(due, 3) == at(2026, 11, 30, 10, 0)


def test_a_handler_may_pause_once_unless_the_county_allows_more(clock):
    assert clock.pause_refusal(0) is None
    assert "最多暂停计时 1 次" in clock.pause_refusal(1)
    generous = DeadlineClock(PolicyRules(max_pauses=2), WorkCalendar(), version=2)
    assert generous.pause_refusal(1) is None and generous.pause_refusal(2) is not None
    assert "不允许暂停" in DeadlineClock(PolicyRules(max_pauses=0), WorkCalendar(), version=3).pause_refusal(0)


def test_the_limit_as_a_citizen_is_told_it(clock):
    assert clock.limit_text("complaint", "normal") == "15 个工作日"
    assert clock.limit_text("help", "urgent") == "2 小时"
    half = DeadlineClock(PolicyRules(resolve_working_days={"consultation": 1.5, "help": 10, "suggestion": 10,
                                                           "complaint": 15, "report": 15, "praise": 2}),
                         WorkCalendar(), version=2)
    assert half.limit_text("consultation", "normal") == "1.5 个工作日"


def test_the_default_policy_names_no_county_office():
    assert PolicyRules().leadership_department_code is None


def test_a_version_stored_before_pauses_were_capped_reads_with_the_default():
    stored = {"resolve_working_days": {"consultation": 2, "help": 10, "suggestion": 10, "complaint": 15,
                                       "report": 15, "praise": 2},
              "resolve_hours_by_urgency": {"urgent": 2, "restoration": 24}, "sign_working_minutes": 120,
              "sign_minutes_by_urgency": {"urgent": 30, "restoration": 30}, "return_window_working_days": 1,
              "extension_max_working_days": 10, "working_hours": [["09:00", "12:00"], ["13:30", "17:30"]],
              "yellow_ratio": 0.8, "supervise_after_working_days": 2, "escalate_after_working_days": 5,
              "leadership_department_code": "xzfb"}
    rules = msgspec.convert(stored, PolicyRules)
    assert rules.max_pauses == 1 and rules.leadership_department_code == "xzfb"


def test_a_year_no_calendar_package_knows_counts_weekdays_and_says_so():
    calendar = WorkCalendar()
    # Wednesday 31 December 2098 + 2 working days: Thursday 1 January 2099 counts, nothing better is known
    assert calendar.add_working_days(at(2098, 12, 31, 10, 0), 2) == at(2099, 1, 2, 10, 0)
    assert calendar.is_workday(date(2099, 1, 3)) is False  # a Saturday
    assert WEEKDAYS in calendar.sources_used
