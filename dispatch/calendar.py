"""Chinese working time: workdays with 调休 make-up days, and the county's working hours.

Order of authority for a date: the admin-edited override table, then the `chinesecalendar` package,
then plain Monday to Friday for years the package has no data for (so a new year never crashes).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import chinese_calendar

from hotline.settings import TIME_ZONE

DEFAULT_HOURS: tuple[tuple[time, time], ...] = ((time(9, 0), time(12, 0)), (time(13, 30), time(17, 30)))
OVERRIDE, PACKAGE, WEEKDAYS = "override", "chinesecalendar", "weekdays"


@dataclass
class WorkCalendar:
    overrides: Mapping[date, bool] = field(default_factory=dict)
    hours: tuple[tuple[time, time], ...] = DEFAULT_HOURS
    sources_used: set[str] = field(default_factory=set)

    @property
    def minutes_per_day(self) -> int:
        return sum(_minutes(start, end) for start, end in self.hours)

    def is_workday(self, day: date) -> bool:
        if day in self.overrides:
            self.sources_used.add(OVERRIDE)
            return self.overrides[day]
        try:
            result = chinese_calendar.is_workday(day)
        except NotImplementedError:
            self.sources_used.add(WEEKDAYS)
            return day.weekday() < 5
        self.sources_used.add(PACKAGE)
        return result

    def _periods(self, day: date) -> list[tuple[datetime, datetime]]:
        if not self.is_workday(day):
            return []
        return [
            (datetime.combine(day, start, TIME_ZONE), datetime.combine(day, end, TIME_ZONE))
            for start, end in self.hours
        ]

    def add_working_minutes(self, start: datetime, minutes: float) -> datetime:
        """The moment when `minutes` of working time have passed after `start`."""
        moment = start.astimezone(TIME_ZONE)
        remaining = timedelta(minutes=minutes)
        day = moment.date()
        for _ in range(3660):  # ten years of days: a bound, never reached by real limits
            for begin, end in self._periods(day):
                begin = max(begin, moment)
                if begin >= end:
                    continue
                if end - begin >= remaining:
                    return begin + remaining
                remaining -= end - begin
            day += timedelta(days=1)
        raise ValueError("working-time calendar has no working days in ten years")

    def add_working_days(self, start: datetime, days: float) -> datetime:
        return self.add_working_minutes(start, days * self.minutes_per_day)

    def working_minutes_between(self, start: datetime, end: datetime) -> float:
        if end <= start:
            return 0.0
        start, end = start.astimezone(TIME_ZONE), end.astimezone(TIME_ZONE)
        total = timedelta()
        day = start.date()
        while day <= end.date():
            for begin, finish in self._periods(day):
                overlap = min(finish, end) - max(begin, start)
                if overlap > timedelta():
                    total += overlap
            day += timedelta(days=1)
        return total.total_seconds() / 60

    def working_days_between(self, start: datetime, end: datetime) -> float:
        return self.working_minutes_between(start, end) / self.minutes_per_day


def _minutes(start: time, end: time) -> int:
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
