"""Monthly reports and corrections on an Item: given its reports, when one is filed, then..."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from domain.plan import Item
from domain.plan_spec import PlanSpec
from domain.progress import (
    AlreadyReported,
    Filing,
    InvalidReport,
    NotResponsible,
    Period,
    ProjectValues,
)
from domain.wuxi import WUXI

MARCH = Period(2023, 3)
FIRST = Period(2023, 3)


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(f"{day}T{hour:02d}:00:00").replace(tzinfo=WUXI)


def filing(
    amount: str, when: str, unit: str = "市住房城乡建设局", n: int = 0, **kw: object
) -> Filing:
    values = (ProjectValues("9.1", (Decimal(amount),), ()),)
    defaults = {"narrative": "", "evidence": ()}
    defaults.update(kw)
    return Filing(
        f"r{n}-{amount}-{when}", unit, values, actor="staff:zjj", recorded_at=at(when), **defaults
    )  # type: ignore[arg-type]


@pytest.fixture
def lifts(plan_spec: PlanSpec) -> Item:
    """Item 9: 完成既有住宅加装电梯300台 (one project, one target), led by 市住房城乡建设局."""
    item = Item.register(2023, plan_spec.items[8], "system:test")
    item.collect_events()
    return item


def codes(error: pytest.ExceptionInfo[InvalidReport]) -> list[tuple[str, str]]:
    return [(p.field, p.code) for p in error.value.problems]


def test_a_report_records_the_month_and_the_values(lifts: Item) -> None:
    lifts.report_progress(filing("50", "2023-03-30"), MARCH, FIRST)
    [event] = lifts.collect_events()
    assert isinstance(event, Item.ProgressReported)
    assert (event.period, event.unit, event.actor) == ("2023-03", "市住房城乡建设局", "staff:zjj")
    assert event.values == [{"ref": "9.1", "amounts": ["50"], "milestones": []}]
    assert event.timestamp == at("2023-03-30")
    assert lifts.current[MARCH].values[0].amounts == (Decimal(50),)


def test_only_the_lead_unit_reports(lifts: Item) -> None:
    with pytest.raises(NotResponsible):
        lifts.report_progress(filing("50", "2023-03-30", unit="市公安局"), MARCH, FIRST)


def test_a_month_that_has_not_begun_is_refused(lifts: Item) -> None:
    with pytest.raises(InvalidReport) as error:
        lifts.report_progress(filing("50", "2023-06-30"), Period(2023, 7), FIRST)
    assert codes(error) == [("period", "not_begun")]


def test_the_current_month_may_be_reported_before_it_ends(lifts: Item) -> None:
    lifts.report_progress(filing("50", "2023-06-01"), Period(2023, 6), FIRST)
    assert Period(2023, 6) in lifts.current


def test_a_month_before_the_plan_is_refused(lifts: Item) -> None:
    with pytest.raises(InvalidReport) as error:
        lifts.report_progress(filing("5", "2023-03-30"), Period(2023, 2), FIRST)
    assert codes(error) == [("period", "before_plan")]


def test_a_second_report_for_a_month_must_be_a_correction(lifts: Item) -> None:
    lifts.report_progress(filing("50", "2023-03-30"), MARCH, FIRST)
    with pytest.raises(AlreadyReported):
        lifts.report_progress(filing("60", "2023-03-31"), MARCH, FIRST)


@pytest.mark.parametrize("amount", ["-1", "NaN", "Infinity"])
def test_negative_and_non_numbers_are_refused(lifts: Item, amount: str) -> None:
    with pytest.raises(InvalidReport) as error:
        lifts.report_progress(filing(amount, "2023-03-30"), MARCH, FIRST)
    assert codes(error) == [("9.1.amounts[0]", "not_a_quantity")]


def test_unknown_missing_and_misshapen_projects_are_refused(lifts: Item) -> None:
    bad = Filing(
        "r",
        "市住房城乡建设局",
        (ProjectValues("9.2", (Decimal(1),), ()),),
        "",
        (),
        "staff:zjj",
        at("2023-03-30"),
    )
    with pytest.raises(InvalidReport) as error:
        lifts.report_progress(bad, MARCH, FIRST)
    assert sorted(codes(error)) == [("9.1", "missing_project"), ("9.2", "unknown_project")]
    two = Filing(
        "r",
        "市住房城乡建设局",
        (ProjectValues("9.1", (Decimal(1), Decimal(2)), (True,)),),
        "",
        (),
        "staff:zjj",
        at("2023-03-30"),
    )
    with pytest.raises(InvalidReport) as error:
        lifts.report_progress(two, MARCH, FIRST)
    assert codes(error) == [("9.1.amounts", "wrong_count"), ("9.1.milestones", "wrong_count")]


def test_quantities_may_not_go_down_without_a_correction(lifts: Item) -> None:
    lifts.report_progress(filing("50", "2023-03-30"), MARCH, FIRST)
    with pytest.raises(InvalidReport) as error:
        lifts.report_progress(filing("40", "2023-04-28"), Period(2023, 4), FIRST)
    [problem] = error.value.problems
    assert (problem.field, problem.code) == ("9.1.amounts[0]", "below_earlier")
    assert problem.params == {"amount": "40", "reported": "50", "period": "2023-03"}


def test_a_late_report_for_an_earlier_month_may_not_exceed_a_later_one(lifts: Item) -> None:
    lifts.report_progress(filing("80", "2023-04-28"), Period(2023, 4), FIRST)
    with pytest.raises(InvalidReport) as error:
        lifts.report_progress(filing("90", "2023-05-02"), MARCH, FIRST)
    assert codes(error) == [("9.1.amounts[0]", "above_later")]
    lifts.report_progress(filing("70", "2023-05-02"), MARCH, FIRST)
    assert lifts.current[MARCH].recorded_at == at("2023-05-02")


def test_a_correction_replaces_the_month_and_keeps_the_original(lifts: Item) -> None:
    lifts.report_progress(filing("50", "2023-03-30"), MARCH, FIRST)
    original = lifts.current[MARCH].report_id
    lifts.correct_report(filing("45", "2023-04-03", n=1), original, "统计口径有误", FIRST)
    *_, event = lifts.collect_events()
    assert isinstance(event, Item.ReportCorrected)
    assert (event.corrects, event.reason, event.period) == (original, "统计口径有误", "2023-03")
    assert lifts.current[MARCH].values[0].amounts == (Decimal(45),)
    assert lifts.reports[original].values[0].amounts == (Decimal(50),)


def test_a_correction_says_why_and_changes_something(lifts: Item) -> None:
    lifts.report_progress(filing("50", "2023-03-30"), MARCH, FIRST)
    original = lifts.current[MARCH].report_id
    with pytest.raises(InvalidReport) as error:
        lifts.correct_report(filing("50", "2023-04-03", n=1), original, "  ", FIRST)
    assert codes(error) == [("reason", "required"), ("values", "unchanged")]


def test_only_the_version_in_force_can_be_corrected(lifts: Item) -> None:
    lifts.report_progress(filing("50", "2023-03-30"), MARCH, FIRST)
    original = lifts.current[MARCH].report_id
    lifts.correct_report(filing("45", "2023-04-03", n=1), original, "错报", FIRST)
    with pytest.raises(InvalidReport) as error:
        lifts.correct_report(filing("44", "2023-04-04", n=2), original, "再改", FIRST)
    assert codes(error) == [("corrects", "superseded")]
    with pytest.raises(InvalidReport) as error:
        lifts.correct_report(filing("44", "2023-04-04", n=3), "nonsense", "再改", FIRST)
    assert codes(error) == [("corrects", "no_such_report")]


def test_a_correction_stays_in_order_with_the_other_months(lifts: Item) -> None:
    lifts.report_progress(filing("50", "2023-03-30"), MARCH, FIRST)
    lifts.report_progress(filing("60", "2023-04-28"), Period(2023, 4), FIRST)
    march = lifts.current[MARCH].report_id
    with pytest.raises(InvalidReport) as error:
        lifts.correct_report(filing("65", "2023-05-03", n=1), march, "补录", FIRST)
    assert codes(error) == [("9.1.amounts[0]", "above_later")]


def test_evidence_must_be_web_addresses_and_narratives_bounded(lifts: Item) -> None:
    bad = filing(
        "50",
        "2023-03-30",
        evidence=("javascript:alert(1)", "https://example.gov.cn/a"),
        narrative="说" * 2001,
    )
    with pytest.raises(InvalidReport) as error:
        lifts.report_progress(bad, MARCH, FIRST)
    assert codes(error) == [("narrative", "too_long"), ("evidence[0]", "not_a_web_address")]


def test_milestones_once_done_stay_done(plan_spec: PlanSpec) -> None:
    item = Item.register(
        2023, plan_spec.items[4], "system:test"
    )  # 5: 北尖公园净水厂, one milestone
    done = Filing(
        "a", "市市政园林局", (ProjectValues("5.1", (), (True,)),), "", (), "x", at("2023-04-28")
    )
    undone = Filing(
        "b", "市市政园林局", (ProjectValues("5.1", (), (False,)),), "", (), "x", at("2023-05-28")
    )
    item.report_progress(done, Period(2023, 4), FIRST)
    with pytest.raises(InvalidReport) as error:
        item.report_progress(undone, Period(2023, 5), FIRST)
    assert codes(error) == [("5.1.milestones[0]", "undone")]


def test_periods_parse_strictly() -> None:
    assert Period.parse("2023-06") == Period(2023, 6)
    assert Period(2023, 12).next() == Period(2024, 1)
    assert Period(2023, 2).last_day.day == 28
    for bad in ("2023-6", "2023-13", "June", "2023-06-01", ""):
        with pytest.raises(InvalidReport):
            Period.parse(bad)
