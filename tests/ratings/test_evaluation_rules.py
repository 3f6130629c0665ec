"""The year-end formula and the award rules, as pure domain code."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from statistics import NormalDist

import pytest

from application.evaluation_file import FormulaFileError, load_formula
from domain.awards import Award, AwardError, award_id
from domain.evaluation import CaseMerit, Formula, Inputs, case_order, components, ranked, score
from domain.wuxi import WUXI

Z = NormalDist().inv_cdf(0.975)  # two-sided 95%
AT = datetime(2024, 1, 10, 9, tzinfo=WUXI)
FORMULA = Formula(
    weights={"completion": 40, "timeliness": 20, "findings": 10, "satisfaction": 30},
    minimum_ratings=30,
    as_of=date(2023, 12, 31),
    awards={},
)


def inputs(**changes: object) -> Inputs:
    fields: dict[str, object] = {
        "completion": 1.0,
        "reports_due": 10,
        "reports_on_time": 10,
        "findings_raised": 0,
        "findings_open": 0,
        "ratings_content": 30,
        "ratings_total": 30,
    }
    fields.update(changes)
    return Inputs(**fields)  # type: ignore[arg-type]


def test_each_component_follows_its_published_definition() -> None:
    parts = components(
        inputs(
            completion=0.5,
            reports_on_time=7,
            findings_raised=4,
            findings_open=1,
            ratings_content=40,
            ratings_total=50,
        ),
        FORMULA,
    )
    assert parts["completion"] == 0.5
    assert parts["timeliness"] == 0.7
    assert parts["findings"] == 0.75
    # Wilson lower bound of 40/50 at z = 1.95996…, worked by hand
    assert parts["satisfaction"] == pytest.approx(0.669629, abs=1e-6)


def test_nothing_due_and_nothing_found_count_as_full_marks() -> None:
    parts = components(inputs(reports_due=0, reports_on_time=0), FORMULA)
    assert parts["timeliness"] == 1.0 and parts["findings"] == 1.0


def test_too_few_ratings_earn_nothing_rather_than_a_lucky_hundred() -> None:
    assert components(inputs(ratings_content=29, ratings_total=29), FORMULA)["satisfaction"] == 0
    assert components(inputs(ratings_content=30, ratings_total=30), FORMULA)["satisfaction"] > 0.88


def test_completion_is_clipped_to_between_nothing_and_all() -> None:
    assert components(inputs(completion=1.3), FORMULA)["completion"] == 1.0
    assert components(inputs(completion=-0.1), FORMULA)["completion"] == 0.0


def test_score_is_the_weighted_mean_times_a_hundred() -> None:
    # with every rating content, Wilson's lower bound is 1 / (1 + z²/n)
    best = inputs(ratings_content=10_000, ratings_total=10_000)
    assert score(best, FORMULA) == pytest.approx(40 + 20 + 10 + 30 / (1 + Z**2 / 10_000))
    worst = inputs(completion=0, reports_on_time=0, findings_raised=2, findings_open=2)
    assert score(worst, FORMULA) == pytest.approx(30 / (1 + Z**2 / 30))  # 26.59...
    only_completion = Formula(
        {**FORMULA.weights, "timeliness": 0, "findings": 0, "satisfaction": 0},
        30,
        FORMULA.as_of,
        {},
    )
    assert score(inputs(completion=0.37), only_completion) == pytest.approx(37.0)


def test_ranking_is_best_first_and_ties_go_by_key() -> None:
    assert ranked({"2.1": 80.0, "1.3": 80.0, "9.1": 95.5, "1.2": 10.0}) == [
        ("9.1", 95.5),
        ("1.3", 80.0),
        ("2.1", 80.0),
        ("1.2", 10.0),
    ]
    # differences below the published rounding (6 decimals) are ties too
    assert [k for k, _ in ranked({"b": 50.0, "a": 50.0 - 1e-9})] == ["a", "b"]


def test_cases_satisfied_first_then_never_sent_back_on_time_and_quick() -> None:
    def merit(number: str, **changes: object) -> CaseMerit:
        fields: dict[str, object] = {"evaluation": "satisfied", "rehandled": 0, "on_time": True}
        fields.update({"days": 5, **changes})
        return CaseMerit(number=number, **fields)  # type: ignore[arg-type]

    cases = [
        merit("A5", evaluation="basically"),
        merit("A4", rehandled=1),
        merit("A3", on_time=False),
        merit("A2", days=9),
        merit("A1b"),
        merit("A1a"),
    ]
    assert [m.number for m in sorted(cases, key=case_order)] == [
        "A1a", "A1b", "A2", "A3", "A4", "A5",
    ]  # fmt: skip


def test_a_formula_needs_every_component_and_some_weight() -> None:
    with pytest.raises(ValueError, match="exactly"):
        Formula({"completion": 1}, 30, date(2023, 12, 31), {})
    with pytest.raises(ValueError, match="whole numbers"):
        Formula({k: 0 for k in FORMULA.weights}, 30, date(2023, 12, 31), {})
    with pytest.raises(ValueError, match="whole numbers"):
        Formula({**FORMULA.weights, "findings": -1}, 30, date(2023, 12, 31), {})


def test_the_2023_formula_file_is_what_the_page_publishes() -> None:
    formula = load_formula(2023)
    assert formula is not None
    assert formula.weights == FORMULA.weights and formula.minimum_ratings == 30
    assert formula.as_of == date(2023, 12, 31)
    assert {k: (a["kind"], a["places"]) for k, a in formula.awards.items()} == {
        "minxin": ("project", 10),
        "weixingfu": ("case", 10),
        "shizhang": ("case", 10),
    }
    assert load_formula(2019) is None


@pytest.mark.parametrize(
    "text, words",
    [
        (
            "as_of: 2023-12-31\nminimum_ratings: 30\nweights: {completion: 1}\nawards: {}\n",
            "exactly",
        ),
        ("as_of: someday\nminimum_ratings: 30\nweights: {}\nawards: {}\n", "as_of"),
        ("as_of: 2023-12-31\nminimum_ratings: 30\nweights: {}\nawards: {}\nbonus: 5\n", "bonus"),
        ("as_of: [2023\n", "evaluation.yaml"),
    ],
)
def test_a_broken_formula_file_is_refused_naming_the_file_and_field(
    tmp_path: Path, text: str, words: str
) -> None:
    (tmp_path / "2023").mkdir()
    (tmp_path / "2023" / "evaluation.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(FormulaFileError) as refused:
        load_formula(2023, tmp_path)
    assert words in str(refused.value) and "evaluation.yaml" in str(refused.value)


def opened(places: int = 2) -> Award:
    return Award.open(2023, "minxin", "民心工程奖", places, "gov.chen", AT)


def test_an_award_is_one_aggregate_per_year_and_key() -> None:
    assert opened().id == award_id(2023, "minxin")
    assert award_id(2024, "minxin") != award_id(2023, "minxin")
    assert award_id(2023, "shizhang") != award_id(2023, "minxin")


def test_nominate_then_select_within_the_places() -> None:
    award = opened(places=1)
    award.nominate("9.1", " 群众评价最高 ", "gov.chen", AT)
    award.nominate("4.2", "", "gov.chen", AT)
    award.select("9.1", "", "gov.chen", AT)
    assert award.nominated == ("9.1", "4.2") and award.selected == ("9.1",)
    events = award.collect_events()
    assert [type(e).__name__ for e in events] == ["Opened", "Nominated", "Nominated", "Selected"]
    assert events[1].note == "群众评价最高"  # type: ignore[attr-defined]
    assert all(e.actor == "gov.chen" for e in events)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "steps, code",
    [
        ([("nominate", "9.1"), ("nominate", "9.1")], "nominated"),
        ([("select", "9.1")], "not_nominated"),
        ([("nominate", "9.1"), ("select", "9.1"), ("select", "9.1")], "selected"),
        (
            [("nominate", "9.1"), ("nominate", "4.2"), ("select", "9.1"), ("select", "4.2")],
            "full",
        ),
    ],
)
def test_award_decisions_out_of_order_are_refused_by_name(
    steps: list[tuple[str, str]], code: str
) -> None:
    award = opened(places=1)
    *fine, (last, candidate) = steps
    for action, who in fine:
        getattr(award, action)(who, "", "gov.chen", AT)
    before = len(award.collect_events())
    with pytest.raises(AwardError) as refused:
        getattr(award, last)(candidate, "", "gov.chen", AT)
    assert refused.value.code == code
    assert before > 0 and award.collect_events() == []  # nothing recorded by the refusal


def test_a_decision_is_withdrawn_with_a_public_reason_latest_first() -> None:
    award = opened(places=1)
    award.nominate("9.1", "", "gov.chen", AT)
    award.select("9.1", "", "gov.chen", AT)
    award.withdraw("9.1", " 数据有误 ", "gov.chen", AT)
    assert (award.nominated, award.selected) == (("9.1",), ())  # the selection went
    award.nominate("4.2", "", "gov.chen", AT)
    award.select("4.2", "", "gov.chen", AT)  # its place is free again
    award.withdraw("9.1", "重新考虑", "gov.chen", AT)
    assert (award.nominated, award.selected) == (("4.2",), ("4.2",))  # then the nomination
    withdrawn = [e for e in award.collect_events() if isinstance(e, Award.Withdrawn)]
    assert [(e.decision, e.reason) for e in withdrawn] == [
        ("selection", "数据有误"),
        ("nomination", "重新考虑"),
    ]


@pytest.mark.parametrize(
    "candidate, reason, code", [("9.1", "  ", "reason"), ("4.2", "理由", "not_nominated")]
)
def test_a_withdrawal_needs_a_reason_and_something_to_withdraw(
    candidate: str, reason: str, code: str
) -> None:
    award = opened()
    award.nominate("9.1", "", "gov.chen", AT)
    with pytest.raises(AwardError) as refused:
        award.withdraw(candidate, reason, "gov.chen", AT)
    assert refused.value.code == code


@pytest.mark.parametrize("action", ["nominate", "select", "withdraw"])
def test_a_published_note_or_reason_with_a_mobile_number_is_refused(action: str) -> None:
    award = opened()
    if action != "nominate":
        award.nominate("9.1", "", "gov.chen", AT)
    if action == "withdraw":
        award.select("9.1", "", "gov.chen", AT)
    before = len(award.collect_events())
    with pytest.raises(AwardError) as refused:
        getattr(award, action)("9.1", "请联系 139-0000-1111", "gov.chen", AT)
    assert refused.value.code == "mobile"
    assert before > 0 and award.collect_events() == []
