"""District pages: what each 市(县)区 takes part in, its own figures, cases and satisfaction."""

from __future__ import annotations

from flask import Blueprint, abort, make_response
from werkzeug.wrappers import Response

from domain import case_statistics as cs
from domain.districts import DISTRICTS, unit_names
from minsheng_site.caching import publicly_cacheable
from minsheng_site.plans.charts import district_chart
from minsheng_site.ratings.satisfaction import results_of
from minsheng_site.services import services
from minsheng_site.views import YEAR, as_of_arg, found, int_arg, plan_of, render, today
from projections.cases import case_queries as cq
from projections.plans import queries as q
from projections.plans.district_queries import (
    VIA_ITEM,
    breakdowns,
    district_view,
    project_districts,
)
from projections.plans.progress_queries import item_progress

bp = publicly_cacheable(Blueprint("districts", __name__))


@bp.get(f"/plans/{YEAR}/districts/")
def index(year: int) -> str:
    with services().read() as c:
        plan = plan_of(year)
        scopes = project_districts(q.items(c, year), q.key_projects(c, year))
    counts = {d: sum(1 for scope in scopes.values() if d in scope) for d in DISTRICTS}
    return render("plans/districts.html", plan=plan, counts=counts)


@bp.get(f"/plans/{YEAR}/districts/<district>")
def district(year: int, district: str) -> str:
    if district not in DISTRICTS:
        abort(404)
    as_of, travelling = as_of_arg()
    with services().read() as c:
        plan = plan_of(year)
        view = district_view(
            district,
            q.items(c, year),
            q.key_projects(c, year),
            services().plan_progress(c, plan, as_of),
        )
        units = sorted(set(unit_names(district)) & q.unit_names(c))
        cases = [r for r in cq.fact_rows(c, year) if r.district == district]
    satisfaction = results_of(year)
    return render(
        "plans/district.html",
        plan=plan,
        view=view,
        units=units,
        via_item=VIA_ITEM,
        cases=cs.stats(cases, today(), district),
        ratings=satisfaction["results"].by.get("district", {}).get(district),
        case_ratings=satisfaction["cases"].by_district.get(district),
        case_firsts=satisfaction["cases_first"].by_district.get(district),
        as_of=as_of,
        travelling=travelling,
    )


@bp.get(f"/plans/{YEAR}/projects/<ref>/districts.svg")
def chart(year: int, ref: str) -> Response:
    """One target's breakdown by district (?target=N, from 0), as the project page shows it."""
    as_of, _travelling = as_of_arg()
    index = int_arg("target", low=0, high=99) or 0
    with services().read() as c:
        plan = plan_of(year)
        project = found(q.project(c, year, ref))
        progress = item_progress(c, plan, found(q.item(c, year, project.item)), as_of)
    shown = next((b for b in breakdowns(project, progress.in_force) if b.index == index), None)
    response = make_response(district_chart(shown))
    response.mimetype = "image/svg+xml"
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response
