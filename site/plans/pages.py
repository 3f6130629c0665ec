"""Public plan pages: permanent URLs under /plans/<year>/."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from flask import Blueprint, redirect, request, url_for
from sqlalchemy import Connection
from werkzeug.wrappers import Response

from domain.districts import DISTRICTS, district_named, districts_of
from domain.schedule import Status
from domain.supervision import four_ones
from domain.wuxi import end_of_day
from minsheng_site.caching import publicly_cacheable
from minsheng_site.plans.charts import district_chart_height, expected_curve
from minsheng_site.ratings import panel as ratings
from minsheng_site.services import services
from minsheng_site.views import NUMBER, YEAR, as_of_arg, found, int_arg, plan_of, render, today
from projections.plans import queries as q
from projections.plans import report_photos
from projections.plans.amendments import (
    added_project,
    amendments,
    items_in_force,
    marks,
    projects_in_force,
    unit_in_force,
    units_in_force,
)
from projections.plans.district_queries import breakdowns
from projections.plans.progress_queries import (
    GroupProgress,
    ProjectProgress,
    ReportRow,
    group_progress,
    item_progress,
    project_of,
    scorecards,
)
from projections.plans.timeline import Entry, timeline, with_permalinks
from projections.supervision.supervision_queries import findings, visits

bp = publicly_cacheable(Blueprint("pages", __name__))


@bp.get("/")
def home() -> str | Response:
    with services().read() as c:
        year = q.current_year(c)
    if year is None:
        return render("empty.html")
    return overview(year)


@bp.get("/privacy")
def privacy() -> str:
    """What personal data the site keeps, why, who sees it, and how to have it erased."""
    return render("plans/privacy.html")


@bp.get(f"/plans/{YEAR}/")
def overview(year: int) -> str:
    with services().read() as c:
        plan = plan_of(year)
        return render(
            "plans/plan.html",
            plan=plan,
            categories=q.categories(c, year),
            key_projects=q.key_projects(c, year),
            years=q.plan_years(c),
            progress=services().plan_progress(c, plan, today()),
            statuses=list(Status),
            districts=DISTRICTS,
        )


@bp.get(f"/plans/{YEAR}/categories/{NUMBER}")
def category(year: int, number: int) -> str:
    with services().read() as c:
        plan = plan_of(year)
        cat = found(q.category(c, year, number))
        applied = amendments(c, year, today())  # the plan as it stands today, as counted
        return render(
            "plans/category.html",
            plan=plan,
            category=cat,
            categories=q.categories(c, year),
            items=items_in_force(c, year, applied, category=number),
            amended=marks(applied),
            states=_states(c, plan),
        )


@bp.get(f"/plans/{YEAR}/items/{NUMBER}")
def item(year: int, number: int) -> str:
    as_of, travelling = as_of_arg()
    with services().read() as c:
        plan = plan_of(year)
        registered = found(q.item(c, year, number))
        keys = sorted({p.key_project for p in registered.projects if p.key_project})
        progress = item_progress(c, plan, registered, as_of)
        it = progress.item  # as amended on `as_of`: its units and projects then in force
        amended = marks(amendments(c, year)).get(f"item:{number}", [])
        refs = {p.ref for p in (*registered.projects, *it.projects)}
        return render(
            "plans/item.html",
            plan=plan,
            item=it,
            amendments=amended,
            category=q.category(c, year, it.category),
            key_projects=q.key_projects(c, year, numbers=keys) if keys else [],
            progress=progress,
            entries=_timeline(c, year, as_of, progress.reports, refs, items=[number]),
            report_photos=report_photos.of_item(c, year, number),
            refs=refs,
            projects_by_ref={p.ref: p for p in it.projects},
            as_of=as_of,
            travelling=travelling,
            **ratings.panel(
                c, f"item:{year}:{number}", url_for("plans.pages.item", year=year, number=number)
            ),
        )


@bp.get(f"/plans/{YEAR}/projects/")
def projects(year: int) -> str:
    category = int_arg("category", high=999)
    any_key = request.args.get("key") == "any"
    key = None if any_key else int_arg("key", high=999)
    with services().read() as c:
        plan = plan_of(year)
        applied = amendments(c, year, today())
        return render(
            "plans/projects.html",
            "plans/_projects_table.html",
            plan=plan,
            projects=projects_in_force(
                c, year, applied, category=category, key_project=key, key_only=any_key
            ),
            amended=marks(applied),
            categories=q.categories(c, year),
            key_projects=q.key_projects(c, year),
            selected={"category": category, "key": "any" if any_key else key},
            states=_states(c, plan),
        )


@bp.get(f"/plans/{YEAR}/projects/<ref>")
def project(year: int, ref: str) -> str:
    as_of, travelling = as_of_arg()
    with services().read() as c:
        plan = plan_of(year)
        proj = found(q.project(c, year, ref) or added_project(c, year, ref))
        progress = item_progress(c, plan, found(q.item(c, year, proj.item)), as_of)
        it = progress.item  # as amended on `as_of`
        # Not in force that day (withdrawn or merged by then, or added later): its own
        # figures as reported, outside the item's counts.
        in_force = any(p.project.ref == ref for p in progress.projects)
        mine = project_of(progress, proj, plan, as_of)
        proj = mine.project
        key = q.key_project(c, year, proj.key_project) if proj.key_project else None
        return render(
            "plans/project.html",
            continues=_continued(c, year, proj),
            continued_by=q.continued_by(c, year, ref),
            plan=plan,
            project=proj,
            item=it,
            in_force=in_force,
            amendments=marks(amendments(c, year)).get(ref, []),
            category=q.category(c, year, proj.category),
            key_project=key,
            progress=mine,
            districts=districts_of(it.units, key.units if key else ()),
            breakdowns=breakdowns(proj, progress.in_force),
            chart_height=district_chart_height,
            item_progress=progress,
            expected=expected_curve(plan),
            entries=_timeline(c, year, as_of, progress.reports, {ref}, items=[proj.item]),
            report_photos=report_photos.of_item(c, year, proj.item),
            refs={ref},
            projects_by_ref={proj.ref: proj},
            as_of=as_of,
            travelling=travelling,
            **ratings.panel(
                c, f"project:{year}:{ref}", url_for("plans.pages.project", year=year, ref=ref)
            ),
        )


def _continued(c: Connection, year: int, proj: q.ProjectView) -> ProjectProgress | None:
    """The previous year's project this one continues, with how that year ended (as known
    today): a continued project shows its history."""
    earlier = q.plan(c, year - 1) if proj.continues else None
    before = q.project(c, year - 1, proj.continues) if earlier and proj.continues else None
    it = q.item(c, year - 1, before.item) if before else None
    if earlier is None or before is None or it is None:
        return None
    ended = item_progress(c, earlier, it, min(today(), earlier.deadline))
    return next(p for p in ended.projects if p.project.ref == before.ref)


def _timeline(
    c: Connection,
    year: int,
    as_of: date,
    reports: Sequence[ReportRow],
    refs: set[str],
    items: list[int],
) -> list[Entry]:
    cutoff = end_of_day(as_of)
    seen_visits = [v for v in visits(c, year, cutoff) if refs & set(v.projects)]
    seen_findings = [f for f in findings(c, year, cutoff, items=items) if refs & set(f.projects)]
    return with_permalinks(c, timeline(reports, seen_visits, seen_findings))


@bp.get(f"/plans/{YEAR}/key-projects/")
def key_projects(year: int) -> str:
    with services().read() as c:
        plan = plan_of(year)
        keys = q.key_projects(c, year)
        states = _states(c, plan)
        return render(
            "plans/key_projects.html",
            plan=plan,
            key_projects=keys,
            groups={k.number: _group(states, k.project_refs) for k in keys},
            statuses=list(Status),
        )


@bp.get(f"/plans/{YEAR}/key-projects/{NUMBER}")
def key_project(year: int, number: int) -> str:
    with services().read() as c:
        plan = plan_of(year)
        key = found(q.key_project(c, year, number))
        applied = amendments(c, year, today())
        return render(
            "plans/key_project.html",
            plan=plan,
            key_project=key,
            projects=projects_in_force(c, year, applied, key_project=number),
            amended=marks(applied),
            states=(states := _states(c, plan)),
            group=_group(states, key.project_refs),
            statuses=list(Status),
            open_findings=[
                f
                for f in findings(c, year, end_of_day(today()))
                if f.is_open and set(f.projects) & set(key.project_refs)
            ],
            four_ones=four_ones(
                visits(c, year, end_of_day(today())), key.project_refs, year, today()
            ),
        )


@bp.get(f"/plans/{YEAR}/units/")
def units(year: int) -> str:
    with services().read() as c:
        plan = plan_of(year)
        return render(
            "plans/units.html",
            plan=plan,
            units=units_in_force(c, year, amendments(c, year, today())),
        )


@bp.get(f"/plans/{YEAR}/units/<name>")
def unit(year: int, name: str) -> str:
    as_of, travelling = as_of_arg()
    with services().read() as c:
        plan = plan_of(year)
        it = found(unit_in_force(c, year, name, amendments(c, year, as_of)))
        progress = services().plan_progress(c, plan, as_of)
        raised = findings(c, year, end_of_day(as_of), unit=name)
    led = {i.number for i in it.items_led}
    return render(
        "plans/unit.html",
        plan=plan,
        unit=it,
        card=next((s for s in scorecards(progress, raised) if s.unit == name), None),
        states={p.project.ref: p for p in progress.projects},
        reporting=[i for i in progress.items if i.item.number in led],
        open_findings=[f for f in raised if f.is_open],
        as_of=as_of,
        travelling=travelling,
        district=district_named(name),
    )


@bp.get(f"/plans/{YEAR}/document")
def document(year: int) -> str:
    with services().read() as c:
        plan = plan_of(year)
        text = found(q.document(c, year))
        amended = amendments(c, year)
        return render(
            "plans/document.html",
            plan=plan,
            document=text,
            lines=readable_lines(text.lines),
            amendments=amended,
            marks=marks(amended),
        )


# What the government site's page around the document left in its copy: the font-size
# switch and view counter after the publication date, and its metadata table in pipes.
_PAGE_WIDGETS = re.compile(r"\s*文字大小[:：].*$")
_TABLE_RULE = re.compile(r"^\s*(-{3,}\s*\|\s*)+$")
_TABLE_ROW = re.compile(r"^\s*([^|]+?)\s*\|\s*([^|]*?)\s*\|\s*$")


def readable_lines(lines: Sequence[str]) -> list[tuple[int, str]]:
    """The document's lines as a reader should see them, each with its own line number
    (numbers are citations: a line left out keeps its number unused)."""
    shown = []
    for n, line in enumerate(lines, start=1):
        if _TABLE_RULE.match(line):
            continue
        if row := _TABLE_ROW.match(line):
            line = f"{row[1]}：{row[2]}"
        shown.append((n, _PAGE_WIDGETS.sub("", line)))
    return shown


def _states(c: Connection, plan: q.PlanView) -> dict[str, ProjectProgress]:
    """Each specific project's status and completion today (computed once per day and state
    of the log, shared with the dashboard), for every page that lists projects."""
    return {p.project.ref: p for p in services().plan_progress(c, plan, today()).projects}


def _group(states: dict[str, ProjectProgress], refs: Sequence[str]) -> GroupProgress | None:
    return group_progress([states[r] for r in refs if r in states])


@bp.get("/plans/")
def plans() -> Response:
    return redirect(url_for("plans.pages.home"))
