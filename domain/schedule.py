"""The schedule rules, as published on the site's method page.

- A target's completion is the cumulative amount reported over the target,
  capped at 100%; a milestone counts 100% once reported done, else 0%.
- A project's completion is the plain mean of its targets and milestones
  (equal weights); an item's, of its projects; the whole plan's, of all
  projects. No weighting by money or size: the document gives none.
- Expected progress (the document: 60% of the year's task by mid-year, all
  by the end of November) runs in straight lines from 0% on 1 January to the
  mid-year share on the mid-year date, then to 100% on the deadline.
- Status, as of a day: done (100%); overdue (past the deadline and not
  done); not started (0%); behind (below the expected progress at the end of
  the last month that had ended); otherwise on track.
- Reports are due by the last day of each month, from the plan's first month
  to the deadline's month (Wuxi's calendar days). Recorded after that day:
  late, by so many days; not recorded when the day has passed: missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum

from domain.plan_spec import ProjectSpec, Schedule, Target
from domain.progress import Period, ProjectValues
from domain.wuxi import business_date, end_of_day

ZERO, ONE = Decimal(0), Decimal(1)


class Status(Enum):
    NOT_STARTED = "not_started"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    DONE = "done"
    OVERDUE = "overdue"


class Timeliness(Enum):
    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"
    NOT_DUE = "not_due"


def target_completion(target: Target, achieved: Decimal) -> Decimal:
    return min(max(achieved, ZERO) / target.amount, ONE)


def project_completion(project: ProjectSpec, values: ProjectValues | None) -> Decimal:
    if values is None:
        return ZERO
    parts = [target_completion(t, a) for t, a in zip(project.targets, values.amounts, strict=True)]
    parts += [ONE if done else ZERO for done in values.milestones]
    return sum(parts, ZERO) / len(parts) if parts else ZERO


def mean(values: Iterable[Decimal]) -> Decimal:
    collected = list(values)
    return sum(collected, ZERO) / len(collected) if collected else ZERO


def expected_share(schedule: Schedule, day: date) -> Decimal:
    """The share of the year's task the document expects done by `day` (0 to 1)."""
    start = date(schedule.deadline.year, 1, 1)
    midyear = Decimal(schedule.midyear_share) / 100
    if day <= start:
        return ZERO
    if day <= schedule.midyear_date:
        return midyear * _fraction(start, day, schedule.midyear_date)
    if day <= schedule.deadline:
        return midyear + (ONE - midyear) * _fraction(schedule.midyear_date, day, schedule.deadline)
    return ONE


def _fraction(start: date, day: date, end: date) -> Decimal:
    return Decimal((day - start).days) / Decimal((end - start).days)


def benchmark_day(as_of: date) -> date:
    """The last day of the last month that has ended by `as_of` (reports are monthly)."""
    if (as_of + timedelta(days=1)).month != as_of.month:
        return as_of
    return as_of.replace(day=1) - timedelta(days=1)


def status(completion: Decimal, as_of: date, schedule: Schedule) -> Status:
    if completion >= ONE:
        return Status.DONE
    if as_of > schedule.deadline:
        return Status.OVERDUE
    if completion <= ZERO:
        return Status.NOT_STARTED
    if completion < expected_share(schedule, benchmark_day(as_of)):
        return Status.BEHIND
    return Status.ON_TRACK


def reporting_periods(first: Period, schedule: Schedule) -> list[Period]:
    last = Period.of(schedule.deadline)
    periods, period = [], first
    while period <= last:
        periods.append(period)
        period = period.next()
    return periods


@dataclass(frozen=True)
class Due:
    period: Period
    due: date
    timeliness: Timeliness
    recorded_on: date | None = None
    days_late: int = 0


def timeliness(
    periods: Iterable[Period], first_recorded: Mapping[Period, datetime], as_of: date
) -> list[Due]:
    """Each month's report: on time, late (by how many days), missing, or not yet due.

    `first_recorded` holds when each month's first report was recorded; only
    recordings up to the end of `as_of` count.
    """
    cutoff = end_of_day(as_of)
    out = []
    for period in periods:
        due = period.last_day
        recorded = first_recorded.get(period)
        if recorded is not None and recorded < cutoff:
            day = business_date(recorded)
            late = (day - due).days
            out.append(
                Due(
                    period,
                    due,
                    Timeliness.LATE if late > 0 else Timeliness.ON_TIME,
                    day,
                    max(late, 0),
                )
            )
        elif as_of > due:
            out.append(Due(period, due, Timeliness.MISSING))
        else:
            out.append(Due(period, due, Timeliness.NOT_DUE))
    return out
