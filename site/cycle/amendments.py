"""Amendments of a plan in public: the list (/plans/<year>/amendments), its JSON and CSV."""

from __future__ import annotations

import json

from flask import Blueprint, jsonify, url_for
from werkzeug.wrappers import Response

from minsheng_site.caching import publicly_cacheable
from minsheng_site.csv_export import csv_response
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


CSV_FIELDS = (
    "year",
    "number",
    "kind",
    "item",
    "project",
    "change",
    "basis_number",
    "basis_date",
    "effective",
    "reason",
    "recorded_at",
    "simulated",
    "url",
)


@bp.get(f"/plans/{YEAR}/amendments.csv")
def index_csv(year: int) -> Response:
    plan_of(year)
    with services().read() as c:
        rows = amendments(c, year)
    table: list[list[object]] = [list(CSV_FIELDS)]
    for a in rows:
        table.append(
            [
                year,
                a.number,
                a.kind,
                a.item,
                a.project,
                json.dumps(a.change, ensure_ascii=False, sort_keys=True, separators=(",", ":")),
                a.basis_number,
                a.basis_date.isoformat(),
                a.effective.isoformat(),
                a.reason,
                a.recorded_at.isoformat(),
                "1" if a.simulated else "0",
                url_for("opendata.journalists.event", uuid=a.uuid, _external=True),
            ]
        )
    return csv_response(table, f"amendments-{year}.csv")
