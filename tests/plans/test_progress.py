"""Reports, corrections and findings through the ledger, projected, then read as of given days."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.plan import item_id
from domain.plan_spec import PlanSpec
from domain.progress import Period, ProjectValues, StaleReport
from domain.schedule import Status, Timeliness
from minsheng_site.services import Services
from projections.plans import queries as q
from projections.plans.progress_queries import item_progress, plan_progress, simulated_present
from tests.clock import Clock

UNIT = "市住房城乡建设局"


def lifts(amount: str) -> tuple[ProjectValues, ...]:
    return (ProjectValues("9.1", (Decimal(amount),), ()),)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def year(services: Services, plan_spec: PlanSpec, clock: Clock) -> tuple[Services, Clock]:
    services.ledger.register_plan(plan_spec, "system:test")
    return services, clock


def report(services: Services, clock: Clock, when: str, period: str, amount: str) -> str:
    clock.set(when)
    return services.ledger.report_progress(
        year=2023,
        item=9,
        period=period,
        unit=UNIT,
        values=lifts(amount),
        narrative="",
        evidence=(),
        actor="staff:li",
    ).id


def progress_on(services: Services, day: str):  # type: ignore[no-untyped-def]
    services.caught_up()
    with services.read() as c:
        plan = q.plan(c, 2023)
        assert plan is not None
        return item_progress(c, plan, q.item(c, 2023, 9), date.fromisoformat(day))  # type: ignore[arg-type]


def test_each_day_shows_what_had_been_recorded_by_its_end(year: tuple[Services, Clock]) -> None:
    services, clock = year
    report(services, clock, "2023-03-30T16:00", "2023-03", "50")
    april = report(services, clock, "2023-05-03T09:00", "2023-04", "120")
    clock.set("2023-05-10T09:00")
    services.ledger.correct_report(
        year=2023,
        item=9,
        corrects=april,
        reason="重复计数",
        unit=UNIT,
        values=lifts("110"),
        narrative="",
        evidence=(),
        actor="staff:li",
    )
    report(services, clock, "2023-06-30T20:00", "2023-06", "200")

    on_april_30 = progress_on(services, "2023-04-30")
    assert on_april_30.completion == Decimal(50) / 300
    assert [d.timeliness for d in on_april_30.dues[:2]] == [Timeliness.ON_TIME, Timeliness.NOT_DUE]

    on_may_4 = progress_on(services, "2023-05-04")
    assert on_may_4.completion == Decimal(120) / 300
    assert (on_may_4.dues[1].timeliness, on_may_4.dues[1].days_late) == (Timeliness.LATE, 3)

    on_may_10 = progress_on(services, "2023-05-10")
    assert on_may_10.completion == Decimal(110) / 300
    assert [r.reason for r in on_may_10.reports] == ["", "", "重复计数"]  # both versions stay

    on_june_1 = progress_on(services, "2023-06-01")
    assert on_june_1.dues[2].timeliness is Timeliness.MISSING  # May
    assert on_june_1.projects[0].midyear_met is None

    on_june_30 = progress_on(services, "2023-06-30")
    [lift] = on_june_30.projects
    assert lift.completion == Decimal(200) / 300 and lift.midyear_met is True
    assert lift.status is Status.ON_TRACK
    assert [str(p) for p, _ in lift.curve] == ["2023-03", "2023-04", "2023-06"]


def test_the_mid_year_checkpoint_uses_the_june_report_even_when_filed_late(
    year: tuple[Services, Clock],
) -> None:
    services, clock = year
    report(services, clock, "2023-05-30T10:00", "2023-05", "100")
    report(services, clock, "2023-07-04T10:00", "2023-06", "150")  # 50%: below 60%
    on_july_3 = progress_on(services, "2023-07-03")
    on_july_5 = progress_on(services, "2023-07-05")
    assert on_july_3.projects[0].midyear_met is False  # only May known: 33%
    assert on_july_5.projects[0].midyear_completion == Decimal("0.5")
    assert on_july_5.dues[3].timeliness is Timeliness.LATE


def test_the_whole_plan_counts_statuses_and_overall_completion(
    year: tuple[Services, Clock],
) -> None:
    services, clock = year
    report(services, clock, "2023-06-20T10:00", "2023-06", "300")
    services.caught_up()
    with services.read() as c:
        plan = q.plan(c, 2023)
        assert plan is not None
        progress = plan_progress(c, plan, date(2023, 6, 30))
    assert progress.status_counts[Status.DONE] == 1
    assert progress.status_counts[Status.NOT_STARTED] == 117
    assert progress.completion == Decimal(1) / 118
    assert progress.midyear_met == 1 and progress.midyear_total == 118


def test_simulated_reports_are_flagged(year: tuple[Services, Clock]) -> None:
    services, clock = year
    report(services, clock, "2023-03-30T10:00", "2023-03", "10")
    services.caught_up()
    with services.read() as c:
        assert not simulated_present(c)
    clock.set("2023-04-28T10:00")
    services.ledger.report_progress(
        year=2023,
        item=9,
        period="2023-04",
        unit=UNIT,
        values=lifts("20"),
        narrative="",
        evidence=(),
        actor="sim:zjj",
    )
    services.caught_up()
    with services.read() as c:
        assert simulated_present(c)


def test_a_stale_form_is_told_instead_of_overwriting(year: tuple[Services, Clock]) -> None:
    services, clock = year
    opened_at = services.ledger.repository.get(item_id(2023, 9)).version
    report(services, clock, "2023-03-30T10:00", "2023-03", "10")  # someone else, meanwhile
    with pytest.raises(StaleReport):
        services.ledger.report_progress(
            year=2023,
            item=9,
            period="2023-04",
            unit=UNIT,
            values=lifts("20"),
            narrative="",
            evidence=(),
            actor="staff:wang",
            expected_version=opened_at,
        )
    assert Period(2023, 4) not in services.ledger.repository.get(item_id(2023, 9)).current
