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

The three awards rank candidates; the administrators' nominations and
selections are recorded as events (see `domain.awards`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.ratings import wilson

COMPONENTS = ("completion", "timeliness", "findings", "satisfaction")


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
