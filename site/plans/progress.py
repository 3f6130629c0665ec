"""Public progress pages: the dashboard, unit scorecards, charts, changes, method."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, make_response, request
from werkzeug.wrappers import Response

from domain.schedule import Status
from domain.wuxi import business_date, end_of_day
from minsheng_site.caching import publicly_cacheable
from minsheng_site.plans.charts import expected_curve, progress_chart
from minsheng_site.services import services
from minsheng_site.views import YEAR, as_of_arg, found, int_arg, plan_of, render, today
from projections.plans import queries as q
from projections.plans.amendments import added_project
from projections.plans.progress_queries import ItemProgress, item_progress, project_of, scorecards
from projections.plans.timeline import timeline, with_permalinks
from projections.supervision.supervision_queries import findings, visits

bp = publicly_cacheable(Blueprint("progress", __name__))

SORTS = {
    "ref": lambda p: (p.project.item, p.project.ref),
    "completion": lambda p: (p.completion, p.project.item),
    "-completion": lambda p: (-p.completion, p.project.item),
}


def _of_key(key_project: int | None, key: str) -> bool:
    if not key:
        return True
    if key == "any":
        return key_project is not None
    return str(key_project) == key


@bp.get(f"/plans/{YEAR}/progress")
def dashboard(year: int) -> str:
    as_of, travelling = as_of_arg()
    wanted = request.args.get("status", "")
    if wanted and wanted not in {s.value for s in Status}:
        abort(400, description=f"status={wanted[:20]!r}")
    order = request.args.get("sort", "ref")
    if order not in SORTS:
        abort(400, description=f"sort={order[:20]!r}")
    category = int_arg("category", high=999)
    with services().read() as c:
        plan = plan_of(year)
        progress = services().plan_progress(c, plan, as_of)
        categories = q.categories(c, year)
        key_projects = q.key_projects(c, year)
    # key: "" every project; "any" those of a key project (人代会票决); N those of key project N
    key = request.args.get("key", "")
    numbers = {str(k.number) for k in key_projects}
    if key not in ("", "any", *numbers):
        abort(400, description=f"key={key[:20]!r}")
    projects = [
        p
        for p in progress.projects
        if (not wanted or p.status.value == wanted)
        and (category is None or p.project.category == category)
        and _of_key(p.project.key_project, key)
    ]
    return render(
        "plans/dashboard.html",
        "plans/_dashboard_table.html",
        plan=plan,
        progress=progress,
        projects=sorted(projects, key=SORTS[order]),
        categories=categories,
        key_projects=key_projects,
        selected={"status": wanted, "sort": order, "category": category, "key": key},
        leads={i.item.number: i.item.lead_unit for i in progress.items},
        statuses=list(Status),
        as_of=as_of,
        travelling=travelling,
    )


@bp.get(f"/plans/{YEAR}/scorecards")
def scorecards_page(year: int) -> str:
    as_of, travelling = as_of_arg()
    with services().read() as c:
        plan = plan_of(year)
        progress = services().plan_progress(c, plan, as_of)
        cards = scorecards(progress, findings(c, year, end_of_day(as_of)))
    order = request.args.get("sort", "missing")
    keys = {
        "missing": lambda s: (-s.missing, -s.days_late, s.unit),
        "late": lambda s: (-s.days_late, s.unit),
        "findings": lambda s: (-s.open_findings, s.unit),
        "unit": lambda s: s.unit,
    }
    if order not in keys:
        abort(400, description=f"sort={order[:20]!r}")
    return render(
        "plans/scorecards.html",
        "plans/_scorecards_table.html",
        plan=plan,
        cards=sorted(cards, key=keys[order]),
        order=order,
        as_of=as_of,
        travelling=travelling,
    )


@bp.get(f"/plans/{YEAR}/projects/<ref>/chart.svg")
def chart(year: int, ref: str) -> Response:
    as_of, _travelling = as_of_arg()
    with services().read() as c:
        plan = plan_of(year)
        project = found(q.project(c, year, ref) or added_project(c, year, ref))
        progress = item_progress(c, plan, found(q.item(c, year, project.item)), as_of)
    mine = project_of(progress, project, plan, as_of)
    small = request.args.get("size") == "small"  # the drawing phones get (a <picture> source)
    response = make_response(progress_chart(plan, mine, small))
    response.mimetype = "image/svg+xml"
    # Shown through <img>: its own styles only, no scripts.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@bp.get(f"/plans/{YEAR}/projects/<ref>/changes")
def changes(year: int, ref: str) -> str:
    end = _day_arg("to") or today()
    asked = _day_arg("from")
    if (asked and asked > end) or end > today():
        abort(400, description="from/to")
    with services().read() as c:
        plan = plan_of(year)
        project = found(q.project(c, year, ref) or added_project(c, year, ref))
        item = found(q.item(c, year, project.item))
        after = item_progress(c, plan, item, end)
        start = asked or _since_last_report(plan, after, ref, end)
        before = item_progress(c, plan, item, start)
        cutoff, since = end_of_day(end), end_of_day(start)
        recorded = [r for r in after.reports if r.recorded_at >= since]
        seen = [v for v in visits(c, year, cutoff) if ref in v.projects and v.recorded_at >= since]
        raised = [f for f in findings(c, year, cutoff, items=[item.number]) if ref in f.projects]
        between = [e for e in timeline(recorded, seen, raised) if e.recorded_at >= since]
        between = with_permalinks(c, between)
    return render(
        "plans/changes.html",
        plan=plan,
        project=project,
        item=item,
        start=start,
        end=end,
        before=(was := project_of(before, project, plan, start)),
        after=(now := project_of(after, project, plan, end)),
        target_pairs=list(zip(was.targets, now.targets, strict=True)),
        milestone_pairs=list(zip(was.milestones, now.milestones, strict=True)),
        entries=between,
    )


@bp.get(f"/plans/{YEAR}/method")
def method(year: int) -> str:
    plan = plan_of(year)
    return render("plans/method.html", plan=plan, expected=expected_curve(plan))


def _since_last_report(plan: q.PlanView, progress: ItemProgress, ref: str, end: date) -> date:
    """The default start of a project's changes: the day before its latest month's report
    was first recorded (or that month began, if earlier), so the range shows what the last
    report changed; the plan's date when nothing was reported yet."""
    mine = next((p for p in progress.projects if p.project.ref == ref), None)
    if mine is None or mine.latest_period is None:
        return min(plan.document_date, end)
    recorded = min(r.recorded_at for r in progress.reports if r.period == mine.latest_period)
    first = min(business_date(recorded), mine.latest_period.first_day)
    return min(first - timedelta(days=1), end)


def _day_arg(name: str) -> date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        abort(400, description=f"{name}={raw[:20]!r}")
