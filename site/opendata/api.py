"""Open data v1: the plan as JSON. Errors are JSON too (see errors.py)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request, url_for
from werkzeug.wrappers import Response

from minsheng_site.caching import publicly_cacheable
from minsheng_site.services import services
from minsheng_site.views import as_of_arg, found
from projections.plans import queries as q
from projections.plans.amendments import amended_items, amendments

bp = publicly_cacheable(Blueprint("api", __name__, url_prefix="/api/v1"))


@bp.get("/plans")
def plans() -> Response:
    with services().read() as c:
        years = q.plan_years(c)
    return jsonify(
        {
            "plans": [
                {"year": y, "url": url_for("opendata.api.plan", year=y, _external=True)}
                for y in years
            ]
        }
    )


@bp.get("/plans/<int(min=2000, max=2100):year>")
def plan(year: int) -> Response:
    """The plan as registered; with ?as_of=, its items and projects as amended that day
    (as progress counts them: an added project is there, a withdrawn or merged one is not,
    targets and units as changed)."""
    asked = bool(request.args.get("as_of", "").strip())
    day, _travelling = as_of_arg(clamp=True)
    with services().read() as c:
        view = found(q.plan(c, year))
        categories = q.categories(c, year)
        items = q.items(c, year)
        if asked:
            items = amended_items(items, amendments(c, year, day))
        key_projects = q.key_projects(c, year)
        amended = len(amendments(c, year))
    return jsonify(
        {
            "year": year,
            "as_of": day.isoformat() if asked else None,
            "amendments": {
                "count": amended,
                "url": url_for("cycle.amendments.index_api", year=year, _external=True),
            },
            "document": _document(view),
            "schedule": {
                "midyear_date": view.midyear_date.isoformat(),
                "midyear_share_percent": view.midyear_share,
                "deadline": view.deadline.isoformat(),
            },
            "counts": view.counts,
            "categories": [
                {
                    "number": cat.number,
                    "name": cat.name,
                    "items": [i.number for i in items if i.category == cat.number],
                    "url": url_for(
                        "plans.pages.category", year=year, number=cat.number, _external=True
                    ),
                }
                for cat in categories
            ],
            "items": [_item(i) for i in items],
            "projects": [_project(p) for i in items for p in i.projects],
            "key_projects": [_key_project(k) for k in key_projects],
        }
    )


def _document(view: q.PlanView) -> dict[str, Any]:
    return {
        "number": view.document_number,
        "title": view.title,
        "notice_title": view.notice_title,
        "issuer": view.issuer,
        "date": view.document_date.isoformat(),
        "published": view.published.isoformat() if view.published else None,
        "url": url_for("plans.pages.document", year=view.year, _external=True),
    }


def _item(i: q.ItemView) -> dict[str, Any]:
    return {
        "number": i.number,
        "category": i.category,
        "text": i.text,
        "units": list(i.units),
        "lead_unit": i.lead_unit,
        "projects": [p.ref for p in i.projects],
        "source_line": i.source_line,
        "url": url_for("plans.pages.item", year=i.year, number=i.number, _external=True),
    }


def _project(p: q.ProjectView) -> dict[str, Any]:
    return {
        "ref": p.ref,
        "item": p.item,
        "category": p.category,
        "title": p.title,
        "text": p.text,
        "targets": [
            {"label": t.label, "amount": str(t.amount), "unit": t.unit, "at_least": t.at_least}
            for t in p.targets
        ],
        "milestones": list(p.milestones),
        "key_project": p.key_project,
        "url": url_for("plans.pages.project", year=p.year, ref=p.ref, _external=True),
    }


def _key_project(k: q.KeyProjectView) -> dict[str, Any]:
    return {
        "number": k.number,
        "name": k.name,
        "text": k.text,
        "leaders": list(k.leaders),
        "units": list(k.units),
        "projects": list(k.project_refs),
        "source_line": k.source_line,
        "url": url_for("plans.pages.key_project", year=k.year, number=k.number, _external=True),
    }
