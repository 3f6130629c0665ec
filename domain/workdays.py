"""Time limits in working days (工作日), by an official calendar with its 调休 days.

The calendar is given, not looked up: the domain stays free of data packages.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Protocol


class Calendar(Protocol):
    def is_workday(self, day: date) -> bool: ...


def add_workdays(start: date, days: int, calendar: Calendar) -> date:
    """The day on which `days` working days after `start` have passed (start itself not counted)."""
    if days < 1:
        raise ValueError("a time limit is at least one working day")
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        if calendar.is_workday(day):
            counted += 1
    return day


def workdays_between(start: date, end: date, calendar: Calendar) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if calendar.is_workday(day):
            count += 1
    return count
