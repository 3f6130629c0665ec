"""Wuxi's time: instants are UTC, business dates are Asia/Shanghai calendar days.

This is the one place that turns an instant into a business date (or a day
into the instants that bound it). Comparing a business date with an
instant's UTC date is wrong for eight hours of every Wuxi day.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WUXI = ZoneInfo("Asia/Shanghai")


def business_date(instant: datetime) -> date:
    """The Wuxi calendar day an instant falls on."""
    if instant.tzinfo is None:
        raise ValueError("an instant must be time-zone aware")
    return instant.astimezone(WUXI).date()


def start_of_day(day: date) -> datetime:
    """The instant a Wuxi calendar day begins."""
    return datetime.combine(day, time(0), tzinfo=WUXI)


def end_of_day(day: date) -> datetime:
    """The instant a Wuxi calendar day ends (the next one begins): what "as of" includes."""
    return start_of_day(day + timedelta(days=1))


def at_wuxi(day: date, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time of a Wuxi day, as an aware instant."""
    return datetime.combine(day, time(hour, minute), tzinfo=WUXI)


QUIET_FROM, QUIET_UNTIL = 21, 8  # no text messages to citizens from 21:00 to 08:00 Wuxi time


def after_quiet_hours(
    instant: datetime, start: int = QUIET_FROM, end: int = QUIET_UNTIL
) -> datetime:
    """The instant itself, or the end of the quiet hours (start:00 to end:00, Wuxi) it falls in.
    start == end: no quiet hours."""
    if start == end:
        return instant
    local = instant.astimezone(WUXI)
    if local.hour >= start:
        return at_wuxi(local.date() + timedelta(days=1), end)
    if local.hour < end:
        return at_wuxi(local.date(), end)
    return instant
