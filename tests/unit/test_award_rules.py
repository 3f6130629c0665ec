"""Who the year-end awards may consider, and what a unit's evaluation inputs are made of."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date
from typing import Any

import pytest

from domain.awards import AwardError, check_nomination
from domain.evaluation import (
    Formula,
    Inputs,
    UnitInputs,
    case_candidates,
    case_eligible,
    project_eligible,
    reports,
)
from domain.satisfaction import LEVELS, is_content
from domain.schedule import Timeliness
from domain.wuxi import at_wuxi, business_date

AS_OF = date(2023, 12, 31)
FORMULA = Formula(
    weights={"completion": 40, "timeliness": 20, "findings": 10, "satisfaction": 30},
    minimum_ratings=30,
    as_of=AS_OF,
    awards={},
)


def inputs(completion: float, ratings_total: int) -> Inputs:
    return Inputs(completion, 10, 10, 0, 0, ratings_total, ratings_total)


@dataclass(frozen=True)
class Row:
    number: str
    track: str | None = "weixingfu"
    consent: bool = True
    state: str = "closed"
    evaluation: str | None = "satisfied"
    rehandled: int = 0
    last_reply_on_time: bool | None = True
    received_on: date = date(2023, 12, 1)
    closed_on: date | None = date(2023, 12, 6)


def test_only_satisfied_and_basically_satisfied_count_as_content() -> None:
    assert [is_content(level) for level in LEVELS] == [True, True, False]
    assert not is_content(None)


def test_reports_due_count_on_time_late_and_missing_but_not_those_not_yet_due() -> None:
    marks = [Timeliness.ON_TIME, Timeliness.LATE, Timeliness.MISSING, Timeliness.NOT_DUE]
    assert reports(marks) == (3, 1)
    assert reports([]) == (0, 0)


@pytest.mark.parametrize(
    ("completion", "ratings", "eligible"),
    [(1.0, 30, True), (1.0, 29, False), (0.999, 30, False), (1.0, 500, True)],
)
def test_a_project_is_a_candidate_when_complete_and_rated_often_enough(
    completion: float, ratings: int, eligible: bool
) -> None:
    assert project_eligible(inputs(completion, ratings), FORMULA) is eligible


def test_a_case_closed_on_the_day_assessed_is_a_candidate_and_the_next_day_is_not() -> None:
    assert case_eligible(Row("A", closed_on=AS_OF), "weixingfu", AS_OF)
    assert not case_eligible(Row("B", closed_on=date(2024, 1, 1)), "weixingfu", AS_OF)


def test_a_case_closed_in_the_first_hours_of_the_wuxi_new_year_is_too_late() -> None:
    """00:30 on 1 January in Wuxi is still 31 December in UTC: closed in 2024 all the same."""
    instant = at_wuxi(date(2024, 1, 1), 0, 30).astimezone(UTC)
    assert instant.date() == AS_OF
    assert not case_eligible(Row("A", closed_on=business_date(instant)), "weixingfu", AS_OF)


@pytest.mark.parametrize(
    "change",
    [
        {"track": "shizhang"},
        {"track": None},
        {"consent": False},  # an 优秀案例 is shown in public: only with the citizen's consent
        {"state": "replied", "closed_on": None},
        {"evaluation": "unsatisfied"},
        {"evaluation": None},
    ],
)
def test_a_case_off_the_track_without_consent_open_or_not_content_is_no_candidate(
    change: dict[str, Any],
) -> None:
    assert not case_eligible(replace(Row("A"), **change), "weixingfu", AS_OF)


def test_case_candidates_are_the_eligible_best_first_ties_by_number() -> None:
    rows = [
        Row("C", evaluation="basically"),
        Row("B2"),
        Row("X", consent=False),
        Row("B1"),
        Row("D", closed_on=date(2023, 12, 20)),  # 19 days from receipt: after the quick ones
    ]
    ranked = case_candidates(rows, "weixingfu", AS_OF)
    assert [merit.number for merit, _row in ranked] == ["B1", "B2", "D", "C"]
    assert [row.number for _merit, row in ranked] == ["B1", "B2", "D", "C"]
    assert ranked[0][0].days == 5
    assert case_candidates([], "weixingfu", AS_OF) == []


def test_a_unit_is_scored_over_the_items_it_leads_and_the_findings_on_it() -> None:
    unit = UnitInputs()
    unit.add_item(reports_due=6, reports_on_time=5, content=3, total=4)
    unit.add_project(completion=1.0, content=10, total=12)
    unit.add_project(completion=0.5, content=0, total=0)
    unit.add_item(reports_due=6, reports_on_time=6, content=0, total=0)
    unit.add_project(completion=0.0, content=2, total=2)
    unit.add_finding(is_open=True)
    unit.add_finding(is_open=False)
    assert unit.inputs() == Inputs(
        completion=0.5,  # the plain mean of its projects
        reports_due=12,  # each item's reports once, not once per project
        reports_on_time=11,
        findings_raised=2,
        findings_open=1,
        ratings_content=15,  # the items' own ratings and their projects'
        ratings_total=18,
    )


def test_a_unit_with_findings_but_no_project_is_not_scored() -> None:
    unit = UnitInputs()
    unit.add_finding(is_open=True)
    assert unit.inputs() is None


def test_only_a_candidate_on_the_list_can_be_nominated() -> None:
    check_nomination("9.1", {"9.1", "8.2"})
    with pytest.raises(AwardError) as refused:
        check_nomination("1.1x", {"9.1", "8.2"})
    assert refused.value.code == "not_candidate"
    with pytest.raises(AwardError):
        check_nomination("9.1", set())  # an empty list: nobody
