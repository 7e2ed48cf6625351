"""The quiet-hours window on its own: edges written out by hand for 22:00-07:00 Asia/Shanghai."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from dispatch.policy import PolicyRules
from dispatch.quiet_hours import exempt, held_until, window_around
from hotline.clock import written
from hotline.settings import TIME_ZONE

pytestmark = pytest.mark.pure

NIGHT = (time(22, 0), time(7, 0))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=TIME_ZONE)


@pytest.mark.parametrize(("moment", "window"), [
    (at(19, 21, 59), None),
    (at(19, 22, 0), (at(19, 22), at(20, 7))),
    (at(20, 3, 0), (at(19, 22), at(20, 7))),
    (at(20, 6, 59), (at(19, 22), at(20, 7))),
    (at(20, 7, 0), None),
    (at(20, 12, 0), None),
])
def test_the_window_runs_past_midnight_start_inclusive_end_exclusive(moment, window):
    assert window_around(moment, *NIGHT) == window


def test_a_window_within_one_day():
    assert window_around(at(20, 12, 30), time(12, 0), time(14, 0)) == (at(20, 12), at(20, 14))
    assert window_around(at(20, 14, 0), time(12, 0), time(14, 0)) is None


def test_a_message_due_just_before_the_window_goes_if_picked_up_within_five_minutes():
    rules = PolicyRules()
    assert held_until(rules, at(19, 21, 59), at(19, 21, 59)) is None
    assert held_until(rules, at(19, 21, 59), at(19, 22, 5)) is None
    assert held_until(rules, at(19, 21, 59), at(19, 22, 6)) == at(20, 7)
    assert held_until(rules, at(19, 22, 0), at(19, 22, 0)) == at(20, 7)
    assert held_until(PolicyRules(quiet_hours=None), at(20, 3), at(20, 3)) is None


def test_urgent_and_emergency_tickets_are_exempt_restoration_is_not_by_default():
    rules = PolicyRules()
    assert exempt(rules, "urgent", None, "received")
    assert exempt(rules, "normal", "fire", "received")
    assert exempt(rules, "normal", None, "transferred")
    assert not exempt(rules, "restoration", None, "in_progress")
    assert exempt(PolicyRules(quiet_hours_exempt_urgencies=["urgent", "restoration"]), "restoration", None, "received")


@pytest.mark.parametrize("bad", [("22:00", "22:00"), ("25:00", "07:00"), ("22点", "7点")])
def test_a_bad_window_is_refused_in_chinese(bad):
    with pytest.raises(ValueError, match="免打扰时段"):
        PolicyRules(quiet_hours=bad)


def test_an_unknown_urgency_in_the_exemptions_is_refused():
    with pytest.raises(ValueError, match="未知的紧急程度：urgnet"):
        PolicyRules(quiet_hours_exempt_urgencies=["urgnet"])


def test_a_deadline_is_written_for_a_citizen_in_the_countys_time():
    assert written(datetime(2026, 12, 10, 9, 30, tzinfo=TIME_ZONE)) == "2026年12月10日（周四）09:30"
    assert written(datetime(2026, 12, 9, 16, 5, tzinfo=UTC)) == "2026年12月10日（周四）00:05"  # past midnight there
