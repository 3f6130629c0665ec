"""Amendments of a plan in public: the list (/plans/<year>/amendments) and its JSON."""

from __future__ import annotations

from flask import Blueprint, jsonify
from werkzeug.wrappers import Response

from minsheng_site.caching import publicly_cacheable
from minsheng_site.services import services
from minsheng_site.views import YEAR, plan_of, render
from projections.plans.amendments import amendments

bp = publicly_cacheable(Blueprint("amendments", __name__))


@bp.get(f"/plans/{YEAR}/amendments")
def index(year: int) -> str:
    plan = plan_of(year)
    with services().read() as c:
        rows = amendments(c, year)
    return render("cycle/amendments.html", plan=plan, amendments=rows)


@bp.get(f"/api/v1/plans/{YEAR}/amendments")
def index_api(year: int) -> Response:
    plan_of(year)
    with services().read() as c:
        rows = amendments(c, year)
    return jsonify(
        {
            "year": year,
            "amendments": [
                {
                    "number": a.number,
                    "kind": a.kind,
                    "item": a.item,
                    "project": a.project or None,
                    "change": a.change,
                    "basis": {"number": a.basis_number, "date": a.basis_date.isoformat()},
                    "effective": a.effective.isoformat(),
                    "reason": a.reason,
                    "simulated": a.simulated,
                    "recorded_at": a.recorded_at.isoformat(),
                    "event": a.uuid,
                }
                for a in rows
            ],
        }
    )
