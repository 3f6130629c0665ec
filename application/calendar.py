"""China's official working-day calendar (chinese-calendar: holidays and 调休 workdays)."""

from __future__ import annotations

from datetime import date

import chinese_calendar


class OfficialCalendar:
    """Working days as the State Council publishes them; plain weekdays outside its data.

    chinese-calendar covers the years it has data for (to 2026 in 1.11.0); for
    later years Monday to Friday count until the package is updated.
    """

    def is_workday(self, day: date) -> bool:
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            return day.weekday() < 5
