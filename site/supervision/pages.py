"""Public supervision pages: the visits and findings of a plan year, one page per finding."""

from __future__ import annotations

from uuid import UUID

from flask import Blueprint

from domain.wuxi import end_of_day
from minsheng_site.caching import publicly_cacheable
from minsheng_site.services import services
from minsheng_site.views import YEAR, as_of_arg, found, plan_of, render
from projections.plans import queries as q
from projections.supervision.supervision_queries import findings, visits

bp = publicly_cacheable(Blueprint("pages", __name__))


@bp.get(f"/plans/{YEAR}/supervision")
def supervision(year: int) -> str:
    as_of, travelling = as_of_arg()
    with services().read() as c:
        plan = plan_of(year)
        cutoff = end_of_day(as_of)
        all_findings = findings(c, year, cutoff)
        return render(
            "supervision/supervision.html",
            plan=plan,
            visits=visits(c, year, cutoff),
            findings=all_findings,
            as_of=as_of,
            travelling=travelling,
        )


@bp.get(f"/plans/{YEAR}/findings/<uuid:finding_id>")
def finding(year: int, finding_id: UUID) -> str:
    as_of, travelling = as_of_arg()
    with services().read() as c:
        plan = plan_of(year)
        found_finding = found(
            next(iter(findings(c, year, end_of_day(as_of), finding_id=str(finding_id))), None)
        )
        projects = q.projects(c, year, refs=list(found_finding.projects))
    return render(
        "supervision/finding.html",
        plan=plan,
        finding=found_finding,
        projects=projects,
        as_of=as_of,
        travelling=travelling,
    )
