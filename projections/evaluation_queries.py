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

from domain.cases import CLOSED
from domain.evaluation import CaseMerit, Formula, Inputs, case_order, components, ranked, score
from domain.schedule import Timeliness
from domain.wuxi import end_of_day
from projections import queries as q
from projections.awards import AwardEntry
from projections.cases import CaseRow
from projections.progress_queries import plan_progress
from projections.satisfaction import BallotRow
from projections.supervision_queries import findings

DUE = (Timeliness.ON_TIME, Timeliness.LATE, Timeliness.MISSING)


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
        tally[0] += level in ("satisfied", "basically")
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
    unit_parts: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"completion": [], "due": 0, "on_time": 0, "raised": 0, "open": 0, "rated": [0, 0]}
    )
    for item in progress.items:
        due = sum(1 for d in item.dues if d.timeliness in DUE)
        on_time = sum(1 for d in item.dues if d.timeliness is Timeliness.ON_TIME)
        unit = unit_parts[item.item.lead_unit]
        unit["due"] += due
        unit["on_time"] += on_time
        item_rating = ratings.get(("item", str(item.item.number)), [0, 0])
        unit["rated"] = [a + b for a, b in zip(unit["rated"], item_rating, strict=True)]
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
            unit["completion"].append(float(p.completion))
            unit["rated"] = [unit["rated"][0] + content, unit["rated"][1] + total]
    for f in raised:
        unit_parts[f.unit]["raised"] += 1
        unit_parts[f.unit]["open"] += f.is_open

    out.projects = _scored(project_inputs, labels, formula)
    unit_inputs = {
        name: Inputs(
            completion=sum(u["completion"]) / len(u["completion"]) if u["completion"] else 0.0,
            reports_due=u["due"],
            reports_on_time=u["on_time"],
            findings_raised=u["raised"],
            findings_open=u["open"],
            ratings_content=u["rated"][0],
            ratings_total=u["rated"][1],
        )
        for name, u in unit_parts.items()
        if u["completion"]
    }
    out.units = _scored(unit_inputs, {name: name for name in unit_inputs}, formula)

    for key, award in formula.awards.items():
        if award["kind"] == "project":
            eligible = [
                s
                for s in out.projects
                if s.inputs.completion >= 1 and s.inputs.ratings_total >= formula.minimum_ratings
            ]
            out.candidates[key] = [
                Candidate(s.key, f"{s.key} {s.label}", n, {"score": s.score})
                for n, s in enumerate(eligible, start=1)
            ]
        else:
            out.candidates[key] = _case_candidates(c, plan.year, str(award["track"]), as_of)
    rows = c.execute(
        select(AwardEntry.__table__)  # type: ignore[call-overload]
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
    rows = c.execute(
        select(CaseRow.__table__).where(  # type: ignore[call-overload]
            CaseRow.year == year,
            CaseRow.track == track,
            CaseRow.consent.is_(True),  # an 优秀案例 is shown in public: only with consent
            CaseRow.state == CLOSED,
            CaseRow.evaluation.in_(("satisfied", "basically")),
            CaseRow.closed_on <= as_of,
        )
    ).all()
    merits = [
        (
            CaseMerit(
                number=r.number,
                evaluation=r.evaluation,
                rehandled=r.rehandled,
                on_time=bool(r.last_reply_on_time),
                days=(r.closed_on - r.received_on).days,
            ),
            r,
        )
        for r in rows
    ]
    merits.sort(key=lambda m: case_order(m[0]))
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
        for n, (merit, row) in enumerate(merits, start=1)
    ]
