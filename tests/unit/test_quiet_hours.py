"""No text messages from 21:00 to 08:00 Wuxi time: every hour of a Wuxi day, and across the
ends of months, quarters and years (instants UTC, the hours Asia/Shanghai)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from domain.wuxi import WUXI, after_quiet_hours, at_wuxi


@pytest.mark.parametrize("day", [date(2023, 6, 15), date(2023, 3, 31), date(2023, 12, 31)])
@pytest.mark.parametrize("hour", range(24))
def test_each_hour_of_a_wuxi_day_is_sent_then_or_at_eight(day: date, hour: int) -> None:
    instant = at_wuxi(day, hour, 30).astimezone(UTC)  # what the clock gives: UTC
    sent = after_quiet_hours(instant)
    if 8 <= hour < 21:
        assert sent == instant
    else:
        eight = at_wuxi(day + timedelta(days=1) if hour >= 21 else day, 8)
        assert sent == eight
        assert sent.astimezone(WUXI).hour == 8 and sent > instant
        assert sent - instant <= timedelta(hours=11)


@pytest.mark.parametrize(
    ("utc", "wuxi_eight"),
    [
        # 31 March 14:00 UTC is 22:00 in Wuxi: the first of April (a new quarter) at 08:00
        (datetime(2023, 3, 31, 14, 0, tzinfo=UTC), datetime(2023, 4, 1, 8, 0, tzinfo=WUXI)),
        # 31 December 23:30 UTC is already 1 January 07:30 in Wuxi: the same Wuxi morning
        (datetime(2023, 12, 31, 23, 30, tzinfo=UTC), datetime(2024, 1, 1, 8, 0, tzinfo=WUXI)),
        # 31 January 12:59 UTC is 20:59 in Wuxi: still allowed
        (datetime(2023, 1, 31, 12, 59, tzinfo=UTC), datetime(2023, 1, 31, 12, 59, tzinfo=UTC)),
        # 28 February 13:00 UTC is 21:00 in Wuxi: 1 March at 08:00
        (datetime(2023, 2, 28, 13, 0, tzinfo=UTC), datetime(2023, 3, 1, 8, 0, tzinfo=WUXI)),
    ],
)
def test_month_quarter_and_year_ends_in_wuxi_time(utc: datetime, wuxi_eight: datetime) -> None:
    assert after_quiet_hours(utc) == wuxi_eight


def test_other_quiet_hours_and_none() -> None:
    ten_pm = at_wuxi(date(2023, 6, 15), 22)
    assert after_quiet_hours(ten_pm, 23, 7) == ten_pm
    assert after_quiet_hours(at_wuxi(date(2023, 6, 15), 23), 23, 7) == at_wuxi(date(2023, 6, 16), 7)
    assert after_quiet_hours(ten_pm, 0, 0) == ten_pm  # equal hours: no quiet hours
