"""Chinese working time: workdays with 调休 make-up days, and the county's working hours.

Order of authority for a date: the admin-edited override table, then the `chinesecalendar` package,
then plain Monday to Friday for years the package has no data for (so a new year never crashes).
`coverage` says which years ahead of today fall to that last resort, so somebody imports them in time.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from fractions import Fraction

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


# The horizon: how far ahead a deadline computed today can reach, in calendar days (see docs/deadlines.md).
CALENDAR_DAYS_PER_WORKING_DAY = Fraction(7, 5)
HORIZON_MARGIN_DAYS = 14  # one Spring Festival break (up to 9 days off) and the 调休 weekends around it


def package_knows(year: int) -> bool:
    """Whether the `chinesecalendar` package has data for a year: it raises NotImplementedError when not."""
    try:
        chinese_calendar.is_workday(date(year, 6, 30))
    except NotImplementedError:
        return False
    return True


def horizon(today: date, working_days: float) -> date:
    """The last day a deadline started today can reach: working days × 7/5, rounded up, plus the margin."""
    calendar_days = math.ceil(Fraction(working_days) * CALENDAR_DAYS_PER_WORKING_DAY)  # exact: 25 wd are 35 days
    return today + timedelta(days=calendar_days + HORIZON_MARGIN_DAYS)


@dataclass(frozen=True)
class YearCoverage:
    year: int
    package: bool  # the chinesecalendar package has data for it
    overrides: int  # the admin's rows in that year (holidays and make-up days)

    @property
    def sources(self) -> list[str]:
        return [name for name, present in ((OVERRIDE, self.overrides > 0), (PACKAGE, self.package)) if present]

    @property
    def covered(self) -> bool:
        return bool(self.sources)


@dataclass(frozen=True)
class Coverage:
    today: date
    horizon: date
    years: tuple[YearCoverage, ...]  # today's year to the horizon's, and every later year with overrides

    @property
    def uncovered(self) -> list[int]:
        """Years a deadline computed today can reach in which only Monday to Friday would count."""
        return [y.year for y in self.years if y.year <= self.horizon.year and not y.covered]

    @property
    def message(self) -> str | None:
        if not (years := self.uncovered):
            return None
        return f"{'、'.join(map(str, years))} 年节假日尚未录入，期限按周一至周五计算，请管理员导入节假日安排"


def coverage(today: date, working_days: float, overrides_by_year: Mapping[int, int],
             knows: Callable[[int], bool] | None = None) -> Coverage:
    """Which years ahead are known, by the package or by the admin's overrides; never guesses a year's holidays.

    `working_days` is the longest a deadline can run (the policy's longest limit plus its longest extension);
    `overrides_by_year` counts the override rows per year; `knows` says whether the package has a year's data
    (default: `package_knows`).
    """
    knows = knows or package_knows
    end = horizon(today, working_days)
    last = max([end.year, *(year for year, rows in overrides_by_year.items() if rows > 0)])
    return Coverage(today, end, tuple(YearCoverage(year, knows(year), overrides_by_year.get(year, 0))
                                      for year in range(today.year, last + 1)))
