"""The schedule rules, with dates on both sides of every boundary."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from domain.plan_spec import PlanSpec, ProjectSpec, Schedule, Target
from domain.progress import Period, ProjectValues
from domain.schedule import (
    Status,
    Timeliness,
    benchmark_day,
    expected_share,
    project_completion,
    reporting_periods,
    status,
    target_completion,
    timeliness,
)
from domain.wuxi import WUXI

SCHEDULE = Schedule(midyear_date=date(2023, 6, 30), midyear_share=60, deadline=date(2023, 11, 30))
D = Decimal


def test_a_target_counts_up_to_its_amount_and_no_further() -> None:
    lifts = Target("电梯", D(300), "台")
    assert target_completion(lifts, D(0)) == 0
    assert target_completion(lifts, D(150)) == D("0.5")
    assert target_completion(lifts, D(300)) == 1
    assert target_completion(lifts, D(450)) == 1


def test_a_project_is_the_plain_mean_of_its_targets_and_milestones() -> None:
    project = ProjectSpec(
        "8.1", "老旧小区改造", "…", (Target("改造", D(570), "万平方米"),), ("技防", "电力")
    )
    assert project_completion(project, None) == 0
    assert project_completion(project, ProjectValues("8.1", (D(285),), (True, False))) == D("0.5")
    assert project_completion(project, ProjectValues("8.1", (D(570),), (True, True))) == 1


@pytest.mark.parametrize(
    "day, expected",
    [
        (date(2023, 1, 1), D(0)),
        (date(2023, 6, 29), D("0.6") * 179 / 180),
        (date(2023, 6, 30), D("0.6")),
        (date(2023, 7, 1), D("0.6") + D("0.4") / 153),
        (date(2023, 11, 29), D("0.6") + D("0.4") * 152 / 153),
        (date(2023, 11, 30), D(1)),
        (date(2023, 12, 31), D(1)),
    ],
)
def test_expected_progress_follows_the_document(day: date, expected: Decimal) -> None:
    assert expected_share(SCHEDULE, day) == pytest.approx(expected)


@pytest.mark.parametrize(
    "as_of, benchmark",
    [
        (date(2023, 6, 29), date(2023, 5, 31)),
        (date(2023, 6, 30), date(2023, 6, 30)),
        (date(2023, 7, 1), date(2023, 6, 30)),
        (date(2023, 3, 1), date(2023, 2, 28)),
    ],
)
def test_progress_is_judged_at_the_end_of_the_last_month_that_ended(
    as_of: date, benchmark: date
) -> None:
    assert benchmark_day(as_of) == benchmark


def test_status_done_overdue_not_started() -> None:
    assert status(D(1), date(2023, 12, 15), SCHEDULE) is Status.DONE
    assert status(D("0.99"), date(2023, 11, 30), SCHEDULE) is not Status.OVERDUE
    assert status(D("0.99"), date(2023, 12, 1), SCHEDULE) is Status.OVERDUE
    assert status(D(0), date(2023, 5, 1), SCHEDULE) is Status.NOT_STARTED
    assert status(D(0), date(2023, 12, 1), SCHEDULE) is Status.OVERDUE


def test_status_behind_or_on_track_either_side_of_the_expected_line() -> None:
    expected = expected_share(SCHEDULE, date(2023, 6, 30))  # 60%
    assert status(expected, date(2023, 7, 10), SCHEDULE) is Status.ON_TRACK
    assert status(expected - D("0.001"), date(2023, 7, 10), SCHEDULE) is Status.BEHIND
    # On 29 June the benchmark is still 31 May (about 50%): 55% is on track.
    assert status(D("0.55"), date(2023, 6, 29), SCHEDULE) is Status.ON_TRACK
    assert status(D("0.55"), date(2023, 6, 30), SCHEDULE) is Status.BEHIND


def test_reports_are_due_from_the_plans_first_month_to_the_deadlines(plan_spec: PlanSpec) -> None:
    periods = reporting_periods(Period.of(plan_spec.document.date), plan_spec.schedule)
    assert [str(p) for p in periods] == [f"2023-{m:02d}" for m in range(3, 12)]


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=WUXI)


def test_a_report_recorded_on_the_last_day_is_on_time_and_a_minute_later_is_late() -> None:
    june = Period(2023, 6)
    [on_time] = timeliness([june], {june: local("2023-06-30T23:59")}, date(2023, 7, 5))
    [late] = timeliness([june], {june: local("2023-07-01T00:01")}, date(2023, 7, 5))
    assert (on_time.timeliness, on_time.days_late) == (Timeliness.ON_TIME, 0)
    assert (late.timeliness, late.days_late, late.recorded_on) == (
        Timeliness.LATE,
        1,
        date(2023, 7, 1),
    )


def test_deadlines_are_wuxi_days_not_utc_days() -> None:
    march = Period(2023, 3)
    utc_31st_local_1st = datetime.fromisoformat(
        "2023-03-31T16:30:00+00:00"
    )  # 00:30 on 1 April in Wuxi
    [due] = timeliness([march], {march: utc_31st_local_1st}, date(2023, 4, 10))
    assert due.timeliness is Timeliness.LATE


def test_a_missing_report_is_missing_only_once_its_day_has_passed() -> None:
    june = Period(2023, 6)
    assert timeliness([june], {}, date(2023, 6, 30))[0].timeliness is Timeliness.NOT_DUE
    assert timeliness([june], {}, date(2023, 7, 1))[0].timeliness is Timeliness.MISSING


def test_a_report_recorded_after_the_as_of_day_does_not_count_yet() -> None:
    june = Period(2023, 6)
    recorded = {june: local("2023-07-03T09:00")}
    assert timeliness([june], recorded, date(2023, 7, 2))[0].timeliness is Timeliness.MISSING
    assert timeliness([june], recorded, date(2023, 7, 3))[0].timeliness is Timeliness.LATE
