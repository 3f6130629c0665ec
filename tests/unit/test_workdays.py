"""Time limits in working days across weekends, public holidays and 调休 working days."""

from __future__ import annotations

from datetime import date

import pytest

from application.calendar import OfficialCalendar
from domain.workdays import add_workdays, workdays_between

CALENDAR = OfficialCalendar()


@pytest.mark.parametrize(
    "start, days, deadline, why",
    [
        (date(2023, 6, 1), 1, date(2023, 6, 2), "Thursday to Friday"),
        (date(2023, 6, 2), 1, date(2023, 6, 5), "Friday to Monday: the weekend does not count"),
        (
            date(2023, 6, 20),
            1,
            date(2023, 6, 21),
            "Tuesday to Wednesday before the Dragon Boat holiday",
        ),
        (
            date(2023, 6, 21),
            1,
            date(2023, 6, 25),
            "Dragon Boat 22-24 June off; Sunday 25 June is 调休",
        ),
        (
            date(2023, 9, 28),
            1,
            date(2023, 10, 7),
            "National Day 29 Sep - 6 Oct off; Saturday 7 Oct is 调休",
        ),
        (date(2023, 9, 28), 3, date(2023, 10, 9), "7 and 8 October (调休), then Monday 9"),
        (
            date(2023, 4, 22),
            1,
            date(2023, 4, 23),
            "Saturday to Sunday 23 April, a 调休 working day",
        ),
        (date(2023, 12, 29), 1, date(2024, 1, 2), "New Year's Day 2024 off"),
    ],
)
def test_deadlines_follow_the_official_calendar(
    start: date, days: int, deadline: date, why: str
) -> None:
    assert add_workdays(start, days, CALENDAR) == deadline, why


def test_counting_back_agrees_with_counting_forward() -> None:
    start = date(2023, 9, 27)
    for days in range(1, 15):
        assert workdays_between(start, add_workdays(start, days, CALENDAR), CALENDAR) == days


def test_years_beyond_the_calendars_data_fall_back_to_weekdays() -> None:
    assert CALENDAR.is_workday(date(2031, 6, 2))  # a Monday
    assert not CALENDAR.is_workday(date(2031, 6, 1))  # a Sunday


def test_a_limit_is_at_least_one_working_day() -> None:
    with pytest.raises(ValueError):
        add_workdays(date(2023, 6, 1), 0, CALENDAR)
