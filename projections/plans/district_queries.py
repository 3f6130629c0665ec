"""Progress by district: each project's districts, and their amounts as reports broke them down.

Computed, like all progress, from the report rows in force on the day asked
(`progress_queries`): a district's figure for a target is what the latest
report in force that breaks that target down says.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from domain.districts import DISTRICTS, EVERY_DISTRICT, district_named, districts_of, divisible
from domain.progress import Period
from projections.plans import queries as q
from projections.plans.progress_queries import PlanProgress, ProjectProgress, ReportRow

# How a district comes to share a project: the document names it (or 各市(县)区) among the
# responsible units of the project's item, or of its key project.
VIA_ITEM, VIA_KEY_PROJECT = "item", "key_project"


@dataclass(frozen=True)
class TargetBreakdown:
    """One target's cumulative amounts by district, from the latest report that gave them."""

    index: int  # of the target in its project
    label: str
    unit: str
    total: Decimal  # the target's cumulative amount in that report
    period: Period
    report_id: str
    shares: tuple[tuple[str, Decimal], ...]  # (district, amount), in the list's order

    def of(self, district: str) -> Decimal | None:
        return next((amount for name, amount in self.shares if name == district), None)


@dataclass(frozen=True)
class Participation:
    """A project a district takes part in, the plan-wide state, and the district's figures."""

    progress: ProjectProgress
    via: str  # VIA_ITEM or VIA_KEY_PROJECT
    every: bool  # named as 各市(县)区, not by its name
    breakdowns: tuple[TargetBreakdown, ...]

    @property
    def divisible(self) -> bool:
        """Has it an amount a report may break down (not only milestones or rates)?"""
        return any(divisible(t.unit) for t in self.progress.project.targets)


@dataclass(frozen=True)
class DistrictView:
    name: str
    projects: tuple[Participation, ...]

    @property
    def reported(self) -> int:
        """How many of its projects have figures of their own for it."""
        return sum(1 for p in self.projects if p.breakdowns)


def shared_units(keys: Sequence[q.KeyProjectView]) -> dict[str, tuple[str, ...]]:
    """The units each key project names, by the refs of its specific projects."""
    shared: dict[str, tuple[str, ...]] = {}
    for key in keys:
        for ref in key.project_refs:
            shared[ref] = (*shared.get(ref, ()), *key.units)
    return shared


def project_districts(
    items: Sequence[q.ItemView], keys: Sequence[q.KeyProjectView]
) -> dict[str, tuple[str, ...]]:
    """Every project's districts (none for most), as the ledger judges a breakdown."""
    shared = shared_units(keys)
    return {
        p.ref: districts_of(item.units, shared.get(p.ref, ()))
        for item in items
        for p in item.projects
    }


def breakdowns(
    project: q.ProjectView, current: Mapping[Period, ReportRow]
) -> tuple[TargetBreakdown, ...]:
    """Each target's latest breakdown by district among the reports in force (by month)."""
    found = []
    for index, target in enumerate(project.targets):
        for period in sorted(current, reverse=True):
            row = current[period]
            shares = {
                d.district: d.amount
                for d in row.districts
                if d.ref == project.ref and d.target == index
            }
            values = row.of(project.ref)
            if shares and values is not None:
                ordered = tuple((d, shares[d]) for d in DISTRICTS if d in shares)
                total = values.amounts[index]
                found.append(
                    TargetBreakdown(
                        index, target.label, target.unit, total, period, row.report_id, ordered
                    )
                )
                break
    return tuple(found)


def district_view(
    district: str,
    items: Sequence[q.ItemView],
    keys: Sequence[q.KeyProjectView],
    progress: PlanProgress,
) -> DistrictView:
    """Every project `district` takes part in, in plan order, with its figures where given."""
    shared = shared_units(keys)
    states = {p.project.ref: p for p in progress.projects}
    in_force = {i.item.number: i.in_force for i in progress.items}
    taking_part = []
    for item in items:
        for project in item.projects:
            via = _via(district, item.units, shared.get(project.ref, ()))
            if via is None or project.ref not in states:
                continue
            taking_part.append(
                Participation(
                    states[project.ref],
                    via[0],
                    via[1],
                    breakdowns(project, in_force.get(item.number, {})),
                )
            )
    return DistrictView(district, tuple(taking_part))


def _via(
    district: str, item_units: Sequence[str], key_units: Sequence[str]
) -> tuple[str, bool] | None:
    for via, units in ((VIA_ITEM, item_units), (VIA_KEY_PROJECT, key_units)):
        if any(district_named(u) == district for u in units):
            return via, False
        if EVERY_DISTRICT in units:
            return via, True
    return None
