"""Progress as of any day: the rows recorded by then, judged by the domain's schedule rules.

Nothing here is stored: every page computes its state from the report rows
recorded up to the end of its "as of" day, so looking back in time is the
same code as looking at today.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Connection, select

from domain.districts import Breakdown, breakdown_from_data
from domain.plan_spec import ProjectSpec, Schedule, Target
from domain.progress import Period, ProjectValues, values_from_data
from domain.schedule import (
    Due,
    Status,
    Timeliness,
    mean,
    project_completion,
    reporting_periods,
    status,
    target_completion,
    timeliness,
)
from domain.wuxi import end_of_day
from projections.cases.cases import CaseRow
from projections.plans import queries as q
from projections.plans.amendments import amended_item, amended_items, amendments
from projections.plans.catalog import CatalogPlan
from projections.plans.progress import ProgressReport
from projections.ratings.satisfaction import BallotRow
from projections.supervision.supervision_queries import FindingView


@dataclass(frozen=True)
class ReportRow:
    report_id: str
    item: int
    period: Period
    unit: str
    values: tuple[ProjectValues, ...]
    narrative: str
    evidence: tuple[str, ...]
    corrects: str | None
    reason: str
    simulated: bool
    recorded_at: datetime
    event_id: int
    districts: Breakdown = ()

    def of(self, ref: str) -> ProjectValues | None:
        return next((v for v in self.values if v.ref == ref), None)


@dataclass(frozen=True)
class TargetProgress:
    label: str
    amount: Decimal
    unit: str
    at_least: bool
    achieved: Decimal | None
    share: Decimal


@dataclass(frozen=True)
class ProjectProgress:
    project: q.ProjectView
    completion: Decimal
    status: Status
    targets: tuple[TargetProgress, ...]
    milestones: tuple[tuple[str, bool], ...]
    latest_period: Period | None
    midyear_completion: Decimal
    midyear_met: bool | None  # None until the mid-year date has passed
    curve: tuple[tuple[Period, Decimal], ...]  # completion month by month, as reported
    # Any report it stands on is of the labelled simulated year: its figures are made up.
    simulated: bool = False


@dataclass(frozen=True)
class ItemProgress:
    item: q.ItemView
    completion: Decimal
    status: Status
    projects: tuple[ProjectProgress, ...]
    reports: tuple[ReportRow, ...]  # every report and correction recorded by then, in log order
    in_force: dict[Period, ReportRow]
    dues: tuple[Due, ...]


def report_rows(
    c: Connection, year: int, cutoff: datetime, items: Sequence[int] | None = None
) -> list[ReportRow]:
    query = (
        select(ProgressReport.__table__)
        .where(ProgressReport.year == year, ProgressReport.recorded_at < cutoff)
        .order_by(ProgressReport.event_id)
    )
    if items is not None:
        query = query.where(ProgressReport.item.in_(items))
    return [
        ReportRow(
            r.report_id,
            r.item,
            Period.parse(r.period),
            r.unit,
            values_from_data(r.values),
            r.narrative,
            tuple(r.evidence),
            r.corrects,
            r.reason,
            r.simulated,
            r.recorded_at,
            r.event_id,
            breakdown_from_data(r.districts),
        )
        for r in c.execute(query)
    ]


def spec_of(project: q.ProjectView) -> ProjectSpec:
    targets = tuple(Target(t.label, t.amount, t.unit, t.at_least) for t in project.targets)
    return ProjectSpec(project.ref, project.title, project.text, targets, project.milestones)


def schedule_of(plan: q.PlanView) -> Schedule:
    return Schedule(plan.midyear_date, plan.midyear_share, plan.deadline)


def in_force(rows: Iterable[ReportRow]) -> dict[Period, ReportRow]:
    """The version of each month's report in force: the last one recorded (rows in log order)."""
    current: dict[Period, ReportRow] = {}
    for row in rows:
        current[row.period] = row
    return dict(sorted(current.items()))


def project_progress(
    project: q.ProjectView,
    current: dict[Period, ReportRow],
    plan: q.PlanView,
    as_of: date,
    with_curve: bool = True,
) -> ProjectProgress:
    spec, schedule = spec_of(project), schedule_of(plan)
    latest = next(reversed(current.values()), None) if current else None
    values = latest.of(project.ref) if latest else None
    completion = project_completion(spec, values)
    midyear = [r for p, r in current.items() if p <= Period.of(plan.midyear_date)]
    midyear_completion = (
        project_completion(spec, midyear[-1].of(project.ref)) if midyear else Decimal(0)
    )
    targets = tuple(
        TargetProgress(
            t.label,
            t.amount,
            t.unit,
            t.at_least,
            values.amounts[i] if values else None,
            target_completion(t, values.amounts[i]) if values else Decimal(0),
        )
        for i, t in enumerate(spec.targets)
    )
    milestones = tuple(
        (text, bool(values and values.milestones[i])) for i, text in enumerate(spec.milestones)
    )
    return ProjectProgress(
        project,
        completion,
        status(completion, as_of, schedule),
        targets,
        milestones,
        latest.period if latest else None,
        midyear_completion,
        midyear_completion * 100 >= plan.midyear_share if as_of >= plan.midyear_date else None,
        tuple((p, project_completion(spec, r.of(project.ref))) for p, r in current.items())
        if with_curve
        else (),
        any(r.simulated for r in current.values()),
    )


def item_progress(c: Connection, plan: q.PlanView, item: q.ItemView, as_of: date) -> ItemProgress:
    """The item as amended on `as_of` (its units, targets and projects in force that day)."""
    rows = report_rows(c, plan.year, end_of_day(as_of), [item.number])
    return _item_progress(plan, amended_item(c, item, as_of), rows, as_of)


def _item_progress(
    plan: q.PlanView, item: q.ItemView, rows: list[ReportRow], as_of: date, with_curve: bool = True
) -> ItemProgress:
    current = in_force(rows)
    projects = tuple(project_progress(p, current, plan, as_of, with_curve) for p in item.projects)
    completion = mean(p.completion for p in projects)
    first_recorded: dict[Period, datetime] = {}
    for row in rows:
        first_recorded.setdefault(row.period, row.recorded_at)
    periods = reporting_periods(Period.of(plan.document_date), schedule_of(plan))
    return ItemProgress(
        item,
        completion,
        status(completion, as_of, schedule_of(plan)),
        projects,
        tuple(rows),
        current,
        tuple(timeliness(periods, first_recorded, as_of)),
    )


def project_of(
    progress: ItemProgress, project: q.ProjectView, plan: q.PlanView, as_of: date
) -> ProjectProgress:
    """`project`'s progress within its item's; a project not in force on `as_of` (withdrawn,
    merged, or added later) is outside the item's counts: its own figures as reported."""
    mine = next((p for p in progress.projects if p.project.ref == project.ref), None)
    return mine or project_progress(project, progress.in_force, plan, as_of)


@dataclass(frozen=True)
class PlanProgress:
    as_of: date
    items: tuple[ItemProgress, ...]
    completion: Decimal
    status_counts: dict[Status, int]
    midyear_met: int | None
    midyear_total: int

    @property
    def projects(self) -> list[ProjectProgress]:
        return [p for i in self.items for p in i.projects]


@dataclass(frozen=True)
class GroupProgress:
    """Some specific projects together (a key project's): the mean of their completions,
    as the plan's overall completion is, and how many are in each status."""

    completion: Decimal
    status_counts: dict[Status, int]
    projects: int


def group_progress(projects: Sequence[ProjectProgress]) -> GroupProgress | None:
    if not projects:
        return None
    counts = dict(Counter(p.status for p in projects))
    return GroupProgress(mean(p.completion for p in projects), counts, len(projects))


def plan_progress(c: Connection, plan: q.PlanView, as_of: date) -> PlanProgress:
    rows = report_rows(c, plan.year, end_of_day(as_of))
    by_item: dict[int, list[ReportRow]] = defaultdict(list)
    for row in rows:
        by_item[row.item].append(row)
    # The plan as amended on `as_of`: a withdrawn or merged project leaves the counts.
    applied = amendments(c, plan.year, as_of)
    items = tuple(
        _item_progress(plan, i, by_item[i.number], as_of, with_curve=False)
        for i in amended_items(q.items(c, plan.year), applied)
    )
    projects = [p for i in items for p in i.projects]
    met = [p.midyear_met for p in projects]
    return PlanProgress(
        as_of,
        items,
        mean(p.completion for p in projects),
        dict(Counter(p.status for p in projects)),
        sum(1 for m in met if m) if as_of >= plan.midyear_date else None,
        len(projects),
    )


def simulated_present(c: Connection) -> bool:
    """Is any of the labelled simulated year in the log? (A banner says so on every page.)"""
    reports = select(ProgressReport.report_id).where(ProgressReport.simulated.is_(True)).limit(1)
    cases = select(CaseRow.case_id).where(CaseRow.simulated.is_(True)).limit(1)
    ratings = select(BallotRow.ballot_id).where(BallotRow.simulated.is_(True)).limit(1)
    plans = select(CatalogPlan.year).where(CatalogPlan.simulated.is_(True)).limit(1)
    return any(c.execute(q).first() is not None for q in (reports, cases, ratings, plans))


@dataclass(frozen=True)
class Scorecard:
    """How a lead unit reported, and what supervision left open, as of a day."""

    unit: str
    items: tuple[int, ...]
    counts: dict[Timeliness, int]
    days_late: int  # in all, over its late reports
    worst_delay: int
    open_findings: int
    closed_findings: int

    @property
    def on_time(self) -> int:
        return self.counts.get(Timeliness.ON_TIME, 0)

    @property
    def late(self) -> int:
        return self.counts.get(Timeliness.LATE, 0)

    @property
    def missing(self) -> int:
        return self.counts.get(Timeliness.MISSING, 0)


def scorecards(progress: PlanProgress, raised: Sequence[FindingView]) -> list[Scorecard]:
    by_unit: dict[str, list[ItemProgress]] = defaultdict(list)
    for item in progress.items:
        by_unit[item.item.lead_unit].append(item)
    cards = []
    for unit, items in by_unit.items():
        dues = [d for i in items for d in i.dues]
        mine = [f for f in raised if f.unit == unit]
        cards.append(
            Scorecard(
                unit,
                tuple(i.item.number for i in items),
                dict(Counter(d.timeliness for d in dues)),
                sum(d.days_late for d in dues),
                max((d.days_late for d in dues), default=0),
                sum(1 for f in mine if f.is_open),
                sum(1 for f in mine if not f.is_open),
            )
        )
    return cards
