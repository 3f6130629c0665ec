"""The People's Congress "四个一" record of some projects, period by period (domain.supervision)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.supervision import four_ones


@dataclass(frozen=True)
class Record:
    kind: str
    held_on: date
    projects: tuple[str, ...] = ()


def _row(rows, kind):  # type: ignore[no-untyped-def]
    return next(r for r in rows if r.kind == kind)


def test_monthly_contacts_are_counted_per_month_held_missed_and_to_come() -> None:
    records = [
        Record("monthly_contact", date(2023, 1, 31), ("9.1",)),
        Record("monthly_contact", date(2023, 3, 1), ("9.1",)),
    ]
    row = _row(four_ones(records, ["9.1"], 2023, date(2023, 3, 15)), "monthly_contact")
    assert [bool(p.held) for p in row.periods[:3]] == [True, False, True]
    assert (row.due, row.covered, row.missed) == (3, 2, 1)  # February is over, March is not
    assert not any(p.due for p in row.periods[3:])


def test_only_records_on_these_projects_or_on_the_whole_plan_count() -> None:
    records = [
        Record("quarterly_inspection", date(2023, 2, 1), ("1.1",)),  # another project
        Record("quarterly_inspection", date(2023, 5, 1)),  # the whole plan
        Record("quarterly_inspection", date(2023, 8, 1), ("1.1", "9.1")),
    ]
    row = _row(four_ones(records, ["9.1", "9.2"], 2023, date(2023, 12, 31)), "quarterly_inspection")
    assert [bool(p.held) for p in row.periods] == [False, True, True, False]
    assert (row.due, row.missed) == (4, 1)  # the fourth quarter has not ended on 31 December


def test_period_edges_fall_on_wuxi_calendar_days() -> None:
    records = [
        Record("quarterly_inspection", date(2023, 3, 31)),
        Record("quarterly_inspection", date(2023, 4, 1)),
        Record("half_year_report", date(2023, 6, 30)),
        Record("half_year_report", date(2023, 7, 1)),
        Record("annual_review", date(2023, 12, 31)),
        Record("annual_review", date(2024, 1, 1)),  # another year's
    ]
    rows = four_ones(records, ["9.1"], 2023, date(2024, 1, 1))
    assert [p.held for p in _row(rows, "quarterly_inspection").periods[:2]] == [
        (date(2023, 3, 31),),
        (date(2023, 4, 1),),
    ]
    assert [len(p.held) for p in _row(rows, "half_year_report").periods] == [1, 1]
    annual = _row(rows, "annual_review")
    assert annual.periods[0].held == (date(2023, 12, 31),) and annual.missed == 0
    assert all(p.over for r in rows for p in r.periods)  # the year is over on 1 January 2024
