"""Year over year: the same category or lead unit in every registered plan, side by side.

Categories are matched by name (每年十个方面, numbered as each year's document numbers them),
lead units by name. Each year's figures are its own as of today in Wuxi (a past year's as it
ended): the mean completion of its specific projects, how many are done, and its verified
citizens' satisfaction rate, with the counts each figure rests on.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from flask import Blueprint, abort, request
from sqlalchemy import Connection

from domain.schedule import Status
from minsheng_site.caching import publicly_cacheable
from minsheng_site.ratings.satisfaction import results_of
from minsheng_site.services import services
from minsheng_site.views import plan_of, render, today
from projections.plans import queries as q
from projections.plans.progress_queries import ProjectProgress, group_progress

bp = publicly_cacheable(Blueprint("compare", __name__))
BY = ("category", "unit")


@dataclass(frozen=True)
class Figures:
    """One row's figures in one year."""

    projects: int
    done: int
    completion: Decimal
    rated: int  # verified ratings counted
    rate: float | None  # 满意 + 基本满意 over rated


@dataclass(frozen=True)
class Row:
    name: str
    years: dict[int, Figures]  # only the years whose plan has this row


@bp.get("/plans/compare")
def compare() -> str:
    by = request.args.get("by", "category")
    if by not in BY:
        abort(400, description="by: category or unit")
    with services().read() as c:
        years = q.plan_years(c)
        plans = [plan_of(y) for y in years]
        rows: dict[str, dict[int, Figures]] = defaultdict(dict)
        for plan in plans:
            progress = services().plan_progress(c, plan, min(today(), plan.deadline))
            groups = _groups(c, plan.year, by, progress.projects)
            tallies = results_of(plan.year)["results"].by.get(by, {})
            for (key, name), projects in groups.items():
                figures = group_progress(projects)
                assert figures is not None  # a group holds at least one project
                tally = tallies.get(key)
                rows[name][plan.year] = Figures(
                    figures.projects,
                    figures.status_counts.get(Status.DONE, 0),
                    figures.completion,
                    tally.total if tally else 0,
                    tally.rate if tally else None,
                )
    plans_by_year = {p.year: p for p in plans}
    ordered = sorted(rows.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return render(
        "plans/compare.html",
        by=by,
        years=years,
        plans=plans_by_year,
        rows=[Row(name, figures) for name, figures in ordered],
    )


def _groups(
    c: Connection, year: int, by: str, projects: list[ProjectProgress]
) -> dict[tuple[object, str], list[ProjectProgress]]:
    """The plan's projects by category (key: its number, named by its name) or by the lead
    unit of their item (key and name: the unit), as the satisfaction results group them."""
    groups: dict[tuple[object, str], list[ProjectProgress]] = defaultdict(list)
    if by == "category":
        names = {x.number: x.name for x in q.categories(c, year)}
        for p in projects:
            groups[(p.project.category, names[p.project.category])].append(p)
    else:
        leads = {i.number: i.units[0] for i in q.items(c, year)}
        for p in projects:
            lead = leads[p.project.item]
            groups[(lead, lead)].append(p)
    return groups
