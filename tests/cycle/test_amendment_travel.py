"""Time travel across amendments: progress, status and counts use the plan as amended on
each day (recorded by that day's end, Wuxi, and in effect by then)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.plan_amendments import Basis, Change
from domain.plan_spec import PlanSpec
from domain.progress import ProjectValues
from minsheng_site.services import Services
from projections.plans import queries as q
from projections.plans.amendments import amendments
from projections.plans.progress_queries import item_progress, plan_progress
from tests.clock import Clock

UNIT = "市住房城乡建设局"
ADMIN = "staff:admin"


@pytest.fixture
def clock() -> Clock:
    return Clock("2023-07-03T10:00")


@pytest.fixture
def year(services: Services, plan_spec: PlanSpec, clock: Clock) -> tuple[Services, Clock]:
    services.ledger.register_plan(plan_spec, "system:test")
    services.ledger.report_progress(
        year=2023,
        item=9,
        period="2023-06",
        unit=UNIT,
        values=(ProjectValues("9.1", (Decimal(150),), ()),),
        narrative="",
        evidence=(),
        actor="staff:li",
    )
    return services, clock


def lifts(services: Services, day: str):  # type: ignore[no-untyped-def]
    services.caught_up()
    with services.read() as c:
        plan = q.plan(c, 2023)
        assert plan is not None
        item = q.item(c, 2023, 9)
        assert item is not None
        return item_progress(c, plan, item, date.fromisoformat(day))


def whole(services: Services, day: str):  # type: ignore[no-untyped-def]
    services.caught_up()
    with services.read() as c:
        plan = q.plan(c, 2023)
        assert plan is not None
        return plan_progress(c, plan, date.fromisoformat(day))


def test_a_lowered_target_counts_from_its_effective_day_at_wuxi_midnight(
    year: tuple[Services, Clock],
) -> None:
    services, clock = year
    clock.set("2023-08-01T00:00")  # Wuxi midnight: 2023-07-31 16:00 UTC
    services.ledger.amend_plan(
        2023,
        Change("target", project="9.1", target=0, amount=Decimal(250)),
        Basis("锡政办发〔2023〕40号", date(2023, 8, 1)),
        "资金调整",
        ADMIN,
    )
    before, after = lifts(services, "2023-07-31"), lifts(services, "2023-08-01")
    assert before.projects[0].targets[0].amount == 300
    assert before.completion == Decimal(150) / 300
    assert after.projects[0].targets[0].amount == 250
    assert after.completion == Decimal(150) / 250
    on_the_day = {p.project.ref: p for p in whole(services, "2023-08-01").projects}
    assert on_the_day["9.1"].project.targets[0].amount == 250
    assert on_the_day["9.1"].completion == Decimal(150) / 250


def test_an_amendment_counts_once_recorded_even_if_effective_earlier(
    year: tuple[Services, Clock],
) -> None:
    services, clock = year
    clock.set("2023-08-02T23:59")  # recorded late on the 2nd, in effect since the 1st
    services.ledger.amend_plan(
        2023,
        Change("units", item=9, units=("市住房城乡建设局", "市财政局")),
        Basis("锡政办发〔2023〕40号", date(2023, 8, 1)),
        "增加配合单位",
        ADMIN,
    )
    assert lifts(services, "2023-08-01").item.units == ("市住房城乡建设局",)
    assert lifts(services, "2023-08-02").item.units == ("市住房城乡建设局", "市财政局")
    with services.read() as c:
        assert [a.number for a in amendments(c, 2023, date(2023, 8, 1))] == []
        assert [a.number for a in amendments(c, 2023, date(2023, 8, 2))] == [1]


def test_withdrawn_merged_and_added_projects_leave_and_join_the_counts(
    year: tuple[Services, Clock],
) -> None:
    services, clock = year
    ledger = services.ledger
    clock.set("2023-08-15T09:00")
    ledger.amend_plan(
        2023,
        Change("project_withdrawn", project="10.2"),
        Basis("锡政办发〔2023〕41号", date(2023, 8, 15)),
        "并入下一年度",
        ADMIN,
    )
    clock.set("2023-08-20T09:00")
    ledger.amend_plan(
        2023,
        Change("project_merged", project="8.3", into="8.2"),
        Basis("锡政办发〔2023〕42号", date(2023, 8, 20)),
        "合并统计",
        ADMIN,
    )
    clock.set("2023-08-25T09:00")
    ledger.amend_plan(
        2023,
        Change("project_added", item=9, title="加装电梯试点", milestones=("完成方案", "完工")),
        Basis("锡政办发〔2023〕43号", date(2023, 8, 25)),
        "新增试点",
        ADMIN,
    )
    early, late = whole(services, "2023-08-14"), whole(services, "2023-09-01")
    refs_early = {p.project.ref for p in early.projects}
    refs_late = {p.project.ref for p in late.projects}
    assert {"10.2", "8.3"} <= refs_early and "9.2" not in refs_early
    assert refs_early - refs_late == {"10.2", "8.3"} and refs_late - refs_early == {"9.2"}
    assert early.midyear_total == 118 and late.midyear_total == 117
    added = next(p for p in late.projects if p.project.ref == "9.2")
    assert added.completion == 0 and added.project.milestones == ("完成方案", "完工")
    # In between: the withdrawal is in force, the merger not yet.
    middle = {p.project.ref for p in whole(services, "2023-08-15").projects}
    assert "10.2" not in middle and "8.3" in middle
    # The item's completion is the mean over the projects then in force.
    nine = lifts(services, "2023-09-01")
    assert [p.project.ref for p in nine.projects] == ["9.1", "9.2"]
    assert nine.completion == (Decimal(150) / 300 + 0) / 2


def test_reports_are_filed_on_the_plan_in_force_the_day_they_are_recorded(
    year: tuple[Services, Clock],
) -> None:
    from domain.plan_spec import Target
    from domain.progress import InvalidReport, NotResponsible

    services, clock = year
    clock.set("2023-08-01T09:00")
    ledger = services.ledger
    ledger.amend_plan(
        2023,
        Change(
            "project_added", item=9, title="试点", targets=(Target("试点电梯", Decimal(20), "台"),)
        ),
        Basis("锡政办发〔2023〕40号", date(2023, 8, 1)),
        "新增试点",
        ADMIN,
    )
    ledger.amend_plan(
        2023,
        Change("units", item=9, units=("市财政局", "市住房城乡建设局")),
        Basis("锡政办发〔2023〕41号", date(2023, 8, 1)),
        "改由市财政局牵头",
        ADMIN,
        effective=date(2023, 8, 2),
    )

    def file(unit: str, *values: ProjectValues) -> str:
        return ledger.report_progress(
            year=2023,
            item=9,
            period="2023-07",
            unit=unit,
            values=values,
            narrative="",
            evidence=(),
            actor="staff:x",
        ).id

    nine = ProjectValues("9.1", (Decimal(180),), ())
    pilot = ProjectValues("9.2", (Decimal(5),), ())
    # On the 1st the added project is in force (it must be reported), the lead not yet changed.
    with pytest.raises(InvalidReport) as missing:
        file(UNIT, nine)
    assert [(p.field, p.code) for p in missing.value.problems] == [("9.2", "missing_project")]
    clock.set("2023-08-02T00:00")  # Wuxi midnight: the new lead unit reports from now on
    with pytest.raises(NotResponsible):
        file(UNIT, nine, pilot)
    file("市财政局", nine, pilot)
    after = lifts(services, "2023-08-02")
    assert after.item.lead_unit == "市财政局"
    assert after.completion == (Decimal(180) / 300 + Decimal(5) / 20) / 2
