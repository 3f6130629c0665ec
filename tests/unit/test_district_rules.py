"""Reports broken down by district: which projects are the districts', and what a breakdown
must be (given an item's reports, when one is filed with a breakdown, then...)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from domain.districts import DISTRICTS, DistrictAmount, districts_of
from domain.plan import Item
from domain.plan_spec import PlanSpec
from domain.progress import Filing, InvalidReport, Period, ProjectValues
from domain.wuxi import WUXI

APRIL, MAY, FIRST = Period(2023, 4), Period(2023, 5), Period(2023, 3)
UNIT = "市委政法委"  # leads item 8 (老旧小区改造 …, units ending in 各市(县)区)
EVEN = ("10", "10", "10", "10", "10", "10", "10", "10")


def at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T10:00:00").replace(tzinfo=WUXI)


def split(amounts: tuple[str, ...], ref: str = "8.1", target: int = 0) -> list[DistrictAmount]:
    return [
        DistrictAmount(ref, target, d, Decimal(a)) for d, a in zip(DISTRICTS, amounts, strict=True)
    ]


def old_towns(total: str, districts: list[DistrictAmount], when: str = "2023-04-28") -> Filing:
    """Item 8's three projects: 8.1 at `total` 万平方米, the rest at fixed amounts."""
    values = (
        ProjectValues("8.1", (Decimal(total),), (False, False)),
        ProjectValues("8.2", tuple(Decimal(a) for a in ("20", "90", "95", "100")), ()),
        ProjectValues("8.3", (Decimal("100"),), ()),
    )
    return Filing(
        f"r-{total}-{when}-{len(districts)}",
        UNIT,
        values,
        "",
        (),
        "staff:zfw",
        at(when),
        tuple(districts),
    )


@pytest.fixture
def item8(plan_spec: PlanSpec) -> Item:
    item = Item.register(2023, plan_spec.items[7], "system:test")
    item.collect_events()
    return item


def refused(item: Item, filing: Filing, period: Period = APRIL) -> list[tuple[str, str]]:
    with pytest.raises(InvalidReport) as error:
        item.report_progress(filing, period, FIRST)
    return [(p.field, p.code) for p in error.value.problems]


def test_the_districts_of_units_are_all_of_them_for_every_district_and_those_named_else() -> None:
    assert districts_of(["市水利局", "各市(县)区"]) == DISTRICTS
    assert districts_of(["市水利局", "无锡经开区", "梁溪区"]) == ("梁溪区", "经开区")
    assert districts_of(["市城管局"], ["宜兴市", "市公安局"]) == ("宜兴市",)
    assert districts_of(["市住房城乡建设局"]) == ()


def test_the_plans_every_district_projects_are_those_its_items_or_key_projects_assign_them(
    plan_spec: PlanSpec,
) -> None:
    shared: dict[str, list[str]] = {}
    for key in plan_spec.key_projects:
        for ref in key.projects:
            shared.setdefault(ref, []).extend(key.units)
    everywhere = {
        p.number
        for item in plan_spec.items
        for p in item.projects
        if districts_of(item.units, shared.get(p.number, ())) == DISTRICTS
    }
    assert everywhere == {
        "1.1", "8.1", "8.2", "8.3", "9.1", "11.1", "11.2", "11.3", "11.4",
        "17.1", "17.2", "17.3", "46.1", "47.1",
    }  # fmt: skip


def test_a_report_keeps_its_breakdown_in_the_event_and_the_record(item8: Item) -> None:
    item8.report_progress(old_towns("80", split(EVEN)), APRIL, FIRST)
    [event] = item8.collect_events()
    assert isinstance(event, Item.ProgressReported)
    assert event.districts[0] == {"ref": "8.1", "target": 0, "district": "梁溪区", "amount": "10"}
    assert len(event.districts) == 8
    assert item8.current[APRIL].districts == tuple(split(EVEN))


def test_a_breakdown_must_add_up_to_the_reported_cumulative_amount(item8: Item) -> None:
    with pytest.raises(InvalidReport) as error:
        item8.report_progress(old_towns("81", split(EVEN)), APRIL, FIRST)
    [problem] = error.value.problems
    assert (problem.field, problem.code) == ("8.1.districts[0]", "sum_differs")
    assert dict(problem.params) == {"sum": "80", "amount": "81"}


def test_a_breakdown_names_every_district_of_the_project(item8: Item) -> None:
    assert refused(item8, old_towns("70", split(EVEN)[:7])) == [
        ("8.1.districts[0].宜兴市", "district_missing")
    ]


def test_a_district_named_twice_or_unknown_or_negative_is_refused(item8: Item) -> None:
    shares = split(EVEN)
    shares[1] = DistrictAmount("8.1", 0, "浦东新区", Decimal(10))
    shares.append(DistrictAmount("8.1", 0, "梁溪区", Decimal(-5)))
    assert refused(item8, old_towns("75", shares)) == [
        ("8.1.districts[0].梁溪区", "twice"),
        ("8.1.districts[0].浦东新区", "unknown_district"),
        ("8.1.districts[0].梁溪区", "twice"),
        ("8.1.districts[0].梁溪区", "not_a_quantity"),
        ("8.1.districts[0].锡山区", "district_missing"),
    ]


def test_a_rate_does_not_break_down_by_district(item8: Item) -> None:
    rates = split(("90",) * 8, ref="8.2", target=1)  # 消火栓完整好用率, %
    assert refused(item8, old_towns("80", [*split(EVEN), *rates])) == [
        ("8.2.districts[1]", "not_divisible")
    ]


def test_a_project_without_districts_takes_no_breakdown(plan_spec: PlanSpec) -> None:
    sewage = Item.register(2023, plan_spec.items[5], "system:test")  # 6.1: 市生态环境局 only
    values = (ProjectValues("6.1", (Decimal(30),), ()),)
    shares = (DistrictAmount("6.1", 0, "梁溪区", Decimal(30)),)
    filing = Filing("r1", "市生态环境局", values, "", (), "staff:x", at("2023-04-28"), shares)
    assert refused(sewage, filing) == [("6.1.districts", "no_districts")]


def test_only_the_districts_the_document_names_share_a_project(plan_spec: PlanSpec) -> None:
    dredging = Item.register(2023, plan_spec.items[2], "system:test")  # 3.1: 宜兴市, 滨湖区
    values = (ProjectValues("3.1", (Decimal(100),), ()),)
    shares = tuple(
        DistrictAmount("3.1", 0, d, Decimal(a)) for d, a in (("宜兴市", 60), ("梁溪区", 40))
    )
    filing = Filing("r1", "市水利局", values, "", (), "staff:x", at("2023-04-28"), shares)
    assert refused(dredging, filing) == [
        ("3.1.districts[0].梁溪区", "not_its_district"),
        ("3.1.districts[0].滨湖区", "district_missing"),
    ]


def test_a_key_projects_every_district_units_open_its_projects_to_a_breakdown(
    plan_spec: PlanSpec,
) -> None:
    lifts = Item.register(2023, plan_spec.items[8], "system:test")  # 9.1: 市住房城乡建设局
    values = (ProjectValues("9.1", (Decimal(80),), ()),)
    filing = Filing(
        "r1", "市住房城乡建设局", values, "", (), "staff:x", at("2023-04-28"),
        tuple(split(EVEN, ref="9.1")),
    )  # fmt: skip
    assert refused(lifts, filing) == [("9.1.districts", "no_districts")]
    key_project_1 = {"9.1": plan_spec.key_projects[0].units}  # … 各市(县)区
    lifts.report_progress(filing, APRIL, FIRST, key_project_1)
    assert len(lifts.current[APRIL].districts) == 8


def test_a_districts_cumulative_amount_never_goes_down_either(item8: Item) -> None:
    item8.report_progress(old_towns("80", split(EVEN)), APRIL, FIRST)
    moved = ("5", "15", "10", "10", "10", "10", "10", "20")  # the total grows, 梁溪区 shrinks
    assert refused(item8, old_towns("90", split(moved), "2023-05-30"), MAY) == [
        ("8.1.districts[0].梁溪区", "below_earlier")
    ]
    item8.report_progress(old_towns("90", split(("10",) * 7 + ("20",)), "2023-05-30"), MAY, FIRST)


def test_a_month_without_a_breakdown_leaves_the_districts_unchecked(item8: Item) -> None:
    item8.report_progress(old_towns("80", split(EVEN)), APRIL, FIRST)
    item8.report_progress(old_towns("85", [], "2023-05-30"), MAY, FIRST)
    assert item8.current[MAY].districts == ()


def test_a_correction_of_the_breakdown_alone_is_a_change(item8: Item) -> None:
    item8.report_progress(old_towns("80", split(EVEN)), APRIL, FIRST)
    first = item8.current[APRIL].report_id
    same = old_towns("80", split(EVEN), "2023-05-02")
    with pytest.raises(InvalidReport) as error:
        item8.correct_report(same, first, "核对", FIRST)
    assert [p.code for p in error.value.problems] == ["unchanged"]
    moved = old_towns("80", split(("15", "5", "10", "10", "10", "10", "10", "10")), "2023-05-02")
    item8.correct_report(moved, first, "梁溪区、锡山区数据互换", FIRST)
    [_, correction] = item8.collect_events()
    assert isinstance(correction, Item.ReportCorrected)
    assert item8.current[APRIL].districts[0].amount == Decimal(15)


def test_a_correction_must_add_up_too(item8: Item) -> None:
    item8.report_progress(old_towns("80", split(EVEN)), APRIL, FIRST)
    first = item8.current[APRIL].report_id
    with pytest.raises(InvalidReport) as error:
        item8.correct_report(old_towns("78", split(EVEN), "2023-05-02"), first, "核减", FIRST)
    assert [(p.field, p.code) for p in error.value.problems] == [
        ("8.1.districts[0]", "sum_differs")
    ]
