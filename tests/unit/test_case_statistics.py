"""The published case statistics and the overdue rule, on small hand-made cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date
from decimal import Decimal

import pytest

from domain.case_statistics import Counters, Rate, counters, grouped, stats
from domain.cases import STATES, is_overdue
from domain.wuxi import at_wuxi, business_date

TODAY = date(2023, 9, 6)


@dataclass(frozen=True)
class Facts:
    state: str
    deadline: date | None = None
    track: str | None = None
    assigned_on: date | None = None
    first_reply_on: date | None = None
    last_reply_on_time: bool | None = None
    evaluation: str | None = None
    first_evaluation: str | None = None
    rehandled: int = 0
    fix_answer: str | None = None
    district: str = "梁溪区"


@pytest.mark.parametrize(
    ("deadline", "overdue"),
    [(date(2023, 9, 5), True), (TODAY, False), (date(2023, 9, 7), False), (None, False)],
)
def test_a_case_is_overdue_only_after_its_deadline_day(
    deadline: date | None, overdue: bool
) -> None:
    assert is_overdue(Facts("handling", deadline), TODAY) is overdue
    assert is_overdue(Facts("rehandling", deadline), TODAY) is overdue


@pytest.mark.parametrize("state", sorted(set(STATES) - {"handling", "rehandling"}))
def test_only_a_case_being_handled_runs_against_its_time_limit(state: str) -> None:
    assert not is_overdue(Facts(state, date(2023, 1, 1)), TODAY)


def test_overdue_is_judged_on_the_wuxi_day_not_the_utc_day() -> None:
    """01:30 on 6 September in Wuxi is still 5 September in UTC: a limit of the 5th has passed."""
    instant = at_wuxi(TODAY, 1, 30).astimezone(UTC)
    assert instant.date() == date(2023, 9, 5)
    assert is_overdue(Facts("handling", date(2023, 9, 5)), business_date(instant))


def test_no_cases_give_zeros_and_rates_without_a_share() -> None:
    empty = stats([], TODAY, "全部")
    assert (empty.label, empty.received, empty.handled, empty.overdue) == ("全部", 0, 0, 0)
    assert empty.closed == Rate(0, 0) and empty.closed.share is None
    assert empty.median_days_to_reply is None
    assert counters([]) == Counters(0, 0, 0)
    assert grouped([], lambda f: f.district, TODAY) == []


def test_cases_not_accepted_declined_or_merged_are_received_but_not_handled() -> None:
    cases = [Facts("submitted"), Facts("declined"), Facts("merged"), Facts("accepted")]
    figures = stats(cases, TODAY)
    assert (figures.received, figures.handled) == (4, 1)
    assert figures.closed == Rate(0, 1)


def test_each_rate_keeps_its_counts() -> None:
    cases = [
        Facts("closed", last_reply_on_time=True, evaluation="satisfied"),
        Facts("closed", last_reply_on_time=False, evaluation="basically", rehandled=1),
        Facts("rehandling", TODAY, evaluation="unsatisfied", rehandled=2),
        Facts("replied"),
        Facts("declined", evaluation="satisfied"),  # not handled: counts nowhere below
    ]
    figures = stats(cases, TODAY)
    assert figures.closed == Rate(2, 4)  # 办结率 = closed ÷ handled
    assert figures.on_time == Rate(1, 2)  # 按时办结率 = on time ÷ closed
    assert figures.satisfied == Rate(2, 3)  # 满意率 = (满意 + 基本满意) ÷ evaluated
    assert figures.rehandled == Rate(2, 3)  # 发回重办率 = sent back at least once ÷ evaluated
    assert figures.satisfied.share == Decimal(2) / 3


def test_the_first_evaluation_rate_counts_cases_later_satisfied_after_being_sent_back() -> None:
    cases = [
        Facts("closed", evaluation="satisfied", first_evaluation="satisfied"),
        Facts("closed", evaluation="basically", first_evaluation="unsatisfied", rehandled=1),
        Facts("closed", evaluation="satisfied", first_evaluation="unsatisfied", rehandled=2),
        # content at first, reopened by "is it fixed?" 否, then sent back
        Facts(
            "rehandling", TODAY, evaluation="unsatisfied", first_evaluation="basically", rehandled=1
        ),
        Facts("replied"),  # not evaluated: in no denominator
    ]
    figures = stats(cases, TODAY)
    assert figures.first_satisfied == Rate(2, 4)  # first 满意/基本满意 ÷ evaluated
    assert figures.satisfied == Rate(3, 4)  # the latest evaluation
    assert figures.rehandled == Rate(3, 4)


def test_the_median_days_to_reply_count_from_assignment_over_cases_with_both_days() -> None:
    cases = [
        Facts("replied", assigned_on=date(2023, 9, 1), first_reply_on=date(2023, 9, 2)),
        Facts("replied", assigned_on=date(2023, 9, 1), first_reply_on=date(2023, 9, 5)),
        Facts("handling", assigned_on=date(2023, 9, 1)),  # no reply yet: left out
    ]
    assert stats(cases, TODAY).median_days_to_reply == 2.5  # the mean of the middle two


def test_the_overdue_count_is_of_handled_cases_on_the_day() -> None:
    cases = [
        Facts("handling", date(2023, 9, 5)),
        Facts("rehandling", date(2023, 9, 1)),
        Facts("handling", TODAY),  # the deadline day itself: still in time
        Facts("replied", date(2023, 9, 1)),  # replied: the unit has answered
    ]
    assert stats(cases, TODAY).overdue == 2
    assert stats(cases, date(2023, 9, 7)).overdue == 3


def test_groups_leave_out_cases_without_one_and_come_most_received_first() -> None:
    cases = [
        Facts("accepted", district="锡山区"),
        Facts("accepted", district="梁溪区"),
        Facts("closed", district="梁溪区"),
        Facts("accepted", district=""),
    ]
    groups = grouped(cases, lambda f: f.district, TODAY)
    assert [(g.label, g.received) for g in groups] == [("梁溪区", 2), ("锡山区", 1)]


def test_groups_of_equal_size_keep_the_order_they_were_first_met() -> None:
    cases = [Facts("accepted", district=d) for d in ("锡山区", "梁溪区", "梁溪区", "锡山区")]
    assert [g.label for g in grouped(cases, lambda f: f.district, TODAY)] == ["锡山区", "梁溪区"]


def test_counters_count_handled_cases_and_the_key_supervised_of_each_track() -> None:
    cases = [
        Facts("handling", track="weixingfu"),
        Facts("closed", track="weixingfu"),
        Facts("replied", track="shizhang"),
        Facts("accepted"),
        Facts("merged", track="weixingfu"),  # merged: not handled, not counted
    ]
    assert counters(cases) == Counters(handled=4, weixingfu=2, shizhang=1)


def test_the_fixed_rate_counts_the_answers_of_handled_cases_only() -> None:
    cases = [
        Facts("closed", evaluation="satisfied", fix_answer="yes"),
        Facts("closed", evaluation="satisfied", fix_answer="unsure"),
        Facts("accepted", evaluation="satisfied", fix_answer="no"),  # reopened by its 否
        Facts("closed", evaluation="satisfied"),  # not asked yet, or no answer
        Facts("declined", fix_answer="yes"),  # not handled: counts nowhere
    ]
    fixed = stats(cases, TODAY).fixed
    assert (fixed.numerator, fixed.denominator) == (1, 3)
