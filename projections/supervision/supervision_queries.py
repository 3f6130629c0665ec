"""Supervision records and findings as of a day: each finding's state folded from its steps."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, select

from domain.supervision import CLOSED, OPEN, RECTIFYING
from projections.supervision.supervision import FindingStep, SupervisionFinding, SupervisionVisit

STATE_AFTER = {
    "raised": OPEN,
    "rectification": RECTIFYING,
    "closed": CLOSED,  # a finding's step: not a case state
    "reopened": OPEN,
}


@dataclass(frozen=True)
class Step:
    step: str
    text: str
    simulated: bool
    recorded_at: datetime
    event_id: int


@dataclass(frozen=True)
class Visit:
    record_id: str
    kind: str
    body: str
    held_on: date
    title: str
    summary: str
    projects: tuple[str, ...]
    simulated: bool
    recorded_at: datetime
    event_id: int


@dataclass(frozen=True)
class FindingView:
    finding_id: str
    record: Visit
    item: int
    projects: tuple[str, ...]
    unit: str
    text: str
    steps: tuple[Step, ...]

    @property
    def state(self) -> str:
        return STATE_AFTER[self.steps[-1].step]

    @property
    def is_open(self) -> bool:
        return self.state != CLOSED


def visits(c: Connection, year: int, cutoff: datetime) -> list[Visit]:
    rows = c.execute(
        select(SupervisionVisit.__table__)
        .where(SupervisionVisit.year == year, SupervisionVisit.recorded_at < cutoff)
        .order_by(SupervisionVisit.held_on, SupervisionVisit.event_id)
    )
    return [
        Visit(
            r.record_id,
            r.kind,
            r.body,
            r.held_on,
            r.title,
            r.summary,
            tuple(r.projects),
            r.simulated,
            r.recorded_at,
            r.event_id,
        )
        for r in rows
    ]


def findings(
    c: Connection,
    year: int,
    cutoff: datetime,
    *,
    unit: str | None = None,
    items: Sequence[int] | None = None,
    finding_id: str | None = None,
) -> list[FindingView]:
    """Findings raised by `cutoff`, with only the steps recorded by then."""
    by_id = {v.record_id: v for v in visits(c, year, cutoff)}
    query = select(SupervisionFinding.__table__).where(SupervisionFinding.year == year)
    if unit is not None:
        query = query.where(SupervisionFinding.unit == unit)
    if items is not None:
        query = query.where(SupervisionFinding.item.in_(items))
    if finding_id is not None:
        query = query.where(SupervisionFinding.finding_id == finding_id)
    rows = [r for r in c.execute(query) if r.record_id in by_id]
    steps: dict[str, list[Step]] = defaultdict(list)
    if rows:
        for s in c.execute(
            select(FindingStep.__table__)
            .where(
                FindingStep.finding_id.in_([r.finding_id for r in rows]),
                FindingStep.recorded_at < cutoff,
            )
            .order_by(FindingStep.event_id)
        ):
            steps[s.finding_id].append(Step(s.step, s.text, s.simulated, s.recorded_at, s.event_id))
    found = [
        FindingView(
            r.finding_id,
            by_id[r.record_id],
            r.item,
            tuple(r.projects),
            r.unit,
            r.text,
            tuple(steps[r.finding_id]),
        )
        for r in rows
        if steps[r.finding_id]
    ]
    return sorted(found, key=lambda f: (f.record.held_on, f.steps[0].event_id))
