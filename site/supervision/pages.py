"""Public supervision pages: the visits and findings of a plan year, one page per finding."""

from __future__ import annotations

from uuid import UUID

from flask import Blueprint, abort, request

from domain.supervision import CLOSED, OPEN
from domain.wuxi import end_of_day
from minsheng_site.caching import publicly_cacheable
from minsheng_site.services import services
from minsheng_site.views import YEAR, as_of_arg, found, plan_of, render
from projections.plans import queries as q
from projections.supervision.supervision_queries import findings, visits

bp = publicly_cacheable(Blueprint("pages", __name__))


@bp.get(f"/plans/{YEAR}/supervision")
def supervision(year: int) -> str:
    """Every visit with its findings; filtered (open or closed, a unit, a key project),
    only the findings that match and the visits that raised them."""
    as_of, travelling = as_of_arg()
    state = request.args.get("state", "")
    unit = request.args.get("unit", "")
    key = request.args.get("key", "")
    with services().read() as c:
        plan = plan_of(year)
        cutoff = end_of_day(as_of)
        all_findings = findings(c, year, cutoff)
        key_projects = q.key_projects(c, year)
        all_visits = visits(c, year, cutoff)
    units = sorted({f.unit for f in all_findings})
    members = {str(k.number): set(k.project_refs) for k in key_projects}
    if state not in ("", OPEN, CLOSED):  # open: not yet closed (rectifying counts as open)
        abort(400, description=f"state={state[:20]!r}")
    if unit and unit not in units:
        abort(400, description=f"unit={unit[:20]!r}")
    if key and key not in members:
        abort(400, description=f"key={key[:20]!r}")
    shown = [
        f
        for f in all_findings
        if (not state or f.is_open == (state == OPEN))
        and (not unit or f.unit == unit)
        and (not key or members[key] & set(f.projects))
    ]
    filtered = bool(state or unit or key)
    raised_in = {f.record.record_id for f in shown}
    return render(
        "supervision/supervision.html",
        plan=plan,
        visits=[v for v in all_visits if not filtered or v.record_id in raised_in],
        findings=shown,
        units=units,
        key_projects=key_projects,
        selected={"state": state, "unit": unit, "key": key},
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
