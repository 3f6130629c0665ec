"""The year-end evaluation computed from the read models: inputs, scores, ranks, candidates.

Everything a score is made of is returned with it, so that the page, the API
and the CSV publish the inputs as well as the result (anyone can recompute).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from domain.evaluation import (
    Formula,
    Inputs,
    UnitInputs,
    case_candidates,
    components,
    project_eligible,
    ranked,
    reports,
    score,
)
from domain.satisfaction import is_content
from domain.wuxi import end_of_day
from projections.cases.cases import CaseRow
from projections.plans import queries as q
from projections.plans.progress_queries import plan_progress
from projections.ratings.awards import AwardEntry
from projections.ratings.satisfaction import BallotRow
from projections.supervision.supervision_queries import findings


@dataclass(frozen=True)
class Scored:
    key: str  # a project ref or a unit's name
    label: str
    inputs: Inputs
    parts: dict[str, float]
    score: float
    rank: int


@dataclass(frozen=True)
class Candidate:
    key: str  # a project ref or a case number
    label: str
    rank: int
    detail: dict[str, Any]


@dataclass
class Evaluation:
    formula: Formula
    projects: list[Scored] = field(default_factory=list)
    units: list[Scored] = field(default_factory=list)
    candidates: dict[str, list[Candidate]] = field(default_factory=dict)
    decisions: dict[str, list[Any]] = field(default_factory=dict)  # nominations, selections


def _ratings(c: Connection, year: int, as_of: date) -> dict[tuple[str, str], list[int]]:
    """(kind, ref) -> [content, total] of ballots as they stood at the end of `as_of`."""
    out: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    rows = c.execute(
        select(BallotRow.kind, BallotRow.ref, BallotRow.level).where(
            BallotRow.year == year, BallotRow.cast_at < end_of_day(as_of)
        )
    )
    for kind, ref, level in rows:
        tally = out[(kind, ref)]
        tally[0] += is_content(level)
        tally[1] += 1
    return out


def evaluate(c: Connection, plan: q.PlanView, formula: Formula) -> Evaluation:
    as_of = formula.as_of
    progress = plan_progress(c, plan, as_of)
    raised = findings(c, plan.year, end_of_day(as_of))
    ratings = _ratings(c, plan.year, as_of)
    out = Evaluation(formula)

    project_inputs: dict[str, Inputs] = {}
    labels: dict[str, str] = {}
    unit_parts: dict[str, UnitInputs] = defaultdict(UnitInputs)
    for item in progress.items:
        due, on_time = reports(d.timeliness for d in item.dues)
        unit = unit_parts[item.item.lead_unit]
        unit.add_item(due, on_time, *ratings.get(("item", str(item.item.number)), [0, 0]))
        for p in item.projects:
            ref = p.project.ref
            mine = [f for f in raised if ref in f.projects]
            content, total = ratings.get(("project", ref), [0, 0])
            project_inputs[ref] = Inputs(
                completion=float(p.completion),
                reports_due=due,
                reports_on_time=on_time,
                findings_raised=len(mine),
                findings_open=sum(1 for f in mine if f.is_open),
                ratings_content=content,
                ratings_total=total,
            )
            labels[ref] = p.project.title
            unit.add_project(float(p.completion), content, total)
    for f in raised:
        unit_parts[f.unit].add_finding(f.is_open)

    out.projects = _scored(project_inputs, labels, formula)
    unit_inputs = {
        name: inputs for name, u in unit_parts.items() if (inputs := u.inputs()) is not None
    }
    out.units = _scored(unit_inputs, {name: name for name in unit_inputs}, formula)

    for key, award in formula.awards.items():
        if award["kind"] == "project":
            eligible = [s for s in out.projects if project_eligible(s.inputs, formula)]
            out.candidates[key] = [
                Candidate(s.key, f"{s.key} {s.label}", n, {"score": s.score})
                for n, s in enumerate(eligible, start=1)
            ]
        else:
            out.candidates[key] = _case_candidates(c, plan.year, str(award["track"]), as_of)
    rows = c.execute(
        select(AwardEntry.__table__)
        .where(AwardEntry.year == plan.year)
        .order_by(AwardEntry.event_id)
    ).all()
    for key in formula.awards:
        out.decisions[key] = [r for r in rows if r.award == key]
    return out


def _scored(inputs: dict[str, Inputs], labels: dict[str, str], formula: Formula) -> list[Scored]:
    scores = {key: score(i, formula) for key, i in inputs.items()}
    return [
        Scored(key, labels[key], inputs[key], components(inputs[key], formula), value, n)
        for n, (key, value) in enumerate(ranked(scores), start=1)
    ]


def _case_candidates(c: Connection, year: int, track: str, as_of: date) -> list[Candidate]:
    """The cases of the award's track; which of them are candidates, in what order, is the
    domain's rule (`domain.evaluation.case_candidates`)."""
    r = CaseRow
    # Only what the rule (domain.evaluation.AwardCase) and the label read: whole rows, with
    # their JSON and text columns, took three times as long.
    rows = c.execute(
        select(
            r.number, r.track, r.consent, r.state, r.evaluation, r.rehandled,
            r.last_reply_on_time, r.received_on, r.closed_on, r.category, r.district, r.lead_unit,
        ).where(r.year == year, r.track == track)
    ).all()  # fmt: skip
    return [
        Candidate(
            merit.number,
            f"{merit.number} {row.category} · {row.district}",
            n,
            {
                "evaluation": merit.evaluation,
                "rehandled": merit.rehandled,
                "on_time": merit.on_time,
                "days": merit.days,
                "unit": row.lead_unit,
            },
        )
        for n, (merit, row) in enumerate(case_candidates(rows, track, as_of), start=1)
    ]
