"""The one source of 'now', so deadlines and seeds can run on a controllable clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from hotline.settings import TIME_ZONE

_source: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


def now() -> datetime:
    """Aware UTC time; convert with `local()` for display."""
    return _source()


def local(moment: datetime) -> datetime:
    return moment.astimezone(TIME_ZONE)


def spoken(moment: datetime) -> str:
    """How a deadline is written in an SMS: 11月24日16:00, local time."""
    return local(moment).strftime("%m月%d日%H:%M")


WEEKDAYS = "一二三四五六日"


def written(moment: datetime) -> str:
    """How a deadline is written for a citizen on the page: 2026年12月10日（周四）17:30, local time."""
    here = local(moment)
    return f"{here.year}年{here.month}月{here.day}日（周{WEEKDAYS[here.weekday()]}）{here:%H:%M}"


@contextmanager
def frozen(moment: datetime) -> Iterator[list[datetime]]:
    """Pin the clock; the yielded one-item list can be moved forward by the caller."""
    global _source
    previous = _source
    box = [moment]
    _source = lambda: box[0]  # noqa: E731
    try:
        yield box
    finally:
        _source = previous
