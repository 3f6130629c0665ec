"""The year-end evaluation (年底考评, 全年一评议): a published formula, and the award rules.

A project's score is a weighted mean of four components, each between 0 and 1:

- completion: its completion as reported by the day assessed;
- timeliness: monthly reports of its item filed on time ÷ reports due
  (1 when none was due);
- findings: 1 − supervision findings still open ÷ findings raised on it
  (1 when none was raised);
- satisfaction: the lower bound of the Wilson 95% interval of its 满意率,
  counted only from `minimum_ratings` ratings (0 below: few ratings earn
  nothing rather than a lucky 100%).

score = 100 × Σ weightₖ × componentₖ ÷ Σ weightₖ. A responsible unit is scored
the same way over the items it leads (completion: the mean of their projects;
the other components over all of them together).

The three awards rank their candidates:

- 民心工程奖: projects complete by the day assessed and rated at least
  `minimum_ratings` times, in the order of their scores;
- the two case awards ("微幸福", "市长在线"): cases key-supervised on the
  award's track, closed by the day assessed with the citizen 满意 or 基本满意,
  and published with the citizen's consent, in the order of `case_order`.

The administrators' nominations and selections are recorded as events (see
`domain.awards`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol, TypeVar

from domain.cases import CLOSED
from domain.ratings import wilson
from domain.satisfaction import is_content
from domain.schedule import Timeliness

COMPONENTS = ("completion", "timeliness", "findings", "satisfaction")
DUE = (Timeliness.ON_TIME, Timeliness.LATE, Timeliness.MISSING)  # reports that were due


@dataclass(frozen=True)
class Formula:
    weights: dict[str, int]  # by component
    minimum_ratings: int
    as_of: date  # the day assessed
    awards: dict[str, dict[str, object]]  # by award key: name, kind, places

    def __post_init__(self) -> None:
        if set(self.weights) != set(COMPONENTS):
            raise ValueError(f"weights for exactly {', '.join(COMPONENTS)}")
        if any(w < 0 for w in self.weights.values()) or sum(self.weights.values()) <= 0:
            raise ValueError("weights are whole numbers, at least one above zero")


@dataclass(frozen=True)
class Inputs:
    """What the score is computed from: all of it published with the score."""

    completion: float
    reports_due: int
    reports_on_time: int
    findings_raised: int
    findings_open: int
    ratings_content: int  # 满意 + 基本满意
    ratings_total: int


def components(inputs: Inputs, formula: Formula) -> dict[str, float]:
    enough = inputs.ratings_total >= formula.minimum_ratings
    return {
        "completion": min(max(inputs.completion, 0.0), 1.0),
        "timeliness": inputs.reports_on_time / inputs.reports_due if inputs.reports_due else 1.0,
        "findings": 1 - inputs.findings_open / inputs.findings_raised
        if inputs.findings_raised
        else 1.0,
        "satisfaction": wilson(inputs.ratings_content, inputs.ratings_total)[0] if enough else 0.0,
    }


def score(inputs: Inputs, formula: Formula) -> float:
    parts = components(inputs, formula)
    total = sum(formula.weights.values())
    return 100 * sum(formula.weights[k] * parts[k] for k in COMPONENTS) / total


def ranked(scores: dict[str, float]) -> list[tuple[str, float]]:
    """Best first; equal scores in the order of their keys (stable, reproducible)."""
    return sorted(scores.items(), key=lambda kv: (-round(kv[1], 6), kv[0]))


@dataclass(frozen=True)
class CaseMerit:
    """How well a case went, for the two case awards (微幸福, 市长在线)."""

    number: str
    evaluation: str  # the citizen's latest: satisfied / basically
    rehandled: int  # times sent back as 不满意
    on_time: bool  # its last reply within the time limit
    days: int  # from receipt to 销号


def case_order(merit: CaseMerit) -> tuple[int, int, int, int, str]:
    """满意 before 基本满意, never sent back, on time, quicker, then by number."""
    return (
        0 if merit.evaluation == "satisfied" else 1,
        merit.rehandled,
        0 if merit.on_time else 1,
        merit.days,
        merit.number,
    )


def reports(timeliness: Iterable[Timeliness]) -> tuple[int, int]:
    """An item's monthly reports: how many were due by the day assessed, how many came on time."""
    marks = list(timeliness)
    return sum(1 for t in marks if t in DUE), sum(1 for t in marks if t is Timeliness.ON_TIME)


@dataclass
class UnitInputs:
    """A responsible unit's inputs, gathered over the items it leads and the findings on it."""

    completions: list[float] = field(default_factory=list)  # of the projects of its items
    reports_due: int = 0
    reports_on_time: int = 0
    findings_raised: int = 0
    findings_open: int = 0
    ratings_content: int = 0
    ratings_total: int = 0

    def add_item(self, reports_due: int, reports_on_time: int, content: int, total: int) -> None:
        """An item it leads: the item's reports, and the ratings of the item itself."""
        self.reports_due += reports_due
        self.reports_on_time += reports_on_time
        self._rated(content, total)

    def add_project(self, completion: float, content: int, total: int) -> None:
        """A project of an item it leads: its completion and its ratings."""
        self.completions.append(completion)
        self._rated(content, total)

    def add_finding(self, is_open: bool) -> None:
        self.findings_raised += 1
        self.findings_open += is_open

    def _rated(self, content: int, total: int) -> None:
        self.ratings_content += content
        self.ratings_total += total

    def inputs(self) -> Inputs | None:
        """None for a unit that leads no project: findings alone are not scored."""
        if not self.completions:
            return None
        return Inputs(
            completion=sum(self.completions) / len(self.completions),
            reports_due=self.reports_due,
            reports_on_time=self.reports_on_time,
            findings_raised=self.findings_raised,
            findings_open=self.findings_open,
            ratings_content=self.ratings_content,
            ratings_total=self.ratings_total,
        )


def project_eligible(inputs: Inputs, formula: Formula) -> bool:
    """民心工程奖: complete by the day assessed, and rated often enough to be judged."""
    return inputs.completion >= 1 and inputs.ratings_total >= formula.minimum_ratings


class AwardCase(Protocol):
    """What the case awards read of a case (a row of the case board has all of it)."""

    @property
    def number(self) -> str: ...

    @property
    def track(self) -> str | None: ...

    @property
    def consent(self) -> bool: ...

    @property
    def state(self) -> str: ...

    @property
    def evaluation(self) -> str | None: ...

    @property
    def rehandled(self) -> int: ...

    @property
    def last_reply_on_time(self) -> bool | None: ...

    @property
    def received_on(self) -> date: ...

    @property
    def closed_on(self) -> date | None: ...


def case_eligible(case: AwardCase, track: str, as_of: date) -> bool:
    """A case award's candidate: key-supervised on its track, closed by the day assessed with
    the citizen content, and shown in public only with the citizen's consent."""
    return (
        case.track == track
        and case.consent
        and case.state == CLOSED
        and is_content(case.evaluation)
        and case.closed_on is not None
        and case.closed_on <= as_of
    )


def case_merit(case: AwardCase) -> CaseMerit:
    if case.closed_on is None or case.evaluation is None:
        raise ValueError(f"case {case.number} is not closed with an evaluation")
    return CaseMerit(
        number=case.number,
        evaluation=case.evaluation,
        rehandled=case.rehandled,
        on_time=bool(case.last_reply_on_time),
        days=(case.closed_on - case.received_on).days,
    )


C = TypeVar("C", bound=AwardCase)


def case_candidates(cases: Iterable[C], track: str, as_of: date) -> list[tuple[CaseMerit, C]]:
    """The eligible cases with their merits, best first (`case_order`)."""
    merits = [(case_merit(c), c) for c in cases if case_eligible(c, track, as_of)]
    return sorted(merits, key=lambda m: case_order(m[0]))
