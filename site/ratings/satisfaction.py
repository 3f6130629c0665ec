"""Satisfaction results (问效于民): by project, item, category, key project, unit, district.

Every rate is shown with its counts, its formula and its 95% interval; case
evaluations are shown apart from project ratings.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, make_response, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import Connection
from werkzeug.wrappers import Response

from application.evaluation_file import load_formula
from minsheng_site.caching import publicly_cacheable
from minsheng_site.csv_export import csv_response
from minsheng_site.plans.charts import satisfaction_chart
from minsheng_site.services import services
from minsheng_site.views import YEAR, plan_of, render, simulated_figures
from projections.plans import queries as q
from projections.ratings import satisfaction_queries as sq

bp = publicly_cacheable(Blueprint("satisfaction", __name__))

FORMULA = "满意率 =（满意 + 基本满意）÷ 全部评价"


def _labels(c: Connection, year: int) -> dict[str, dict[Any, str]]:
    """What each group is called on the page."""
    return {
        "project": {p.ref: f"{p.ref} {p.title}" for p in q.projects(c, year)},
        "item": {i.number: _("第%(n)s项", n=i.number) for i in q.items(c, year)},
        "category": {k.number: k.name for k in q.categories(c, year)},
        "key_project": {k.number: k.name for k in q.key_projects(c, year)},
        "unit": {},
        "district": {},
    }


def results_of(year: int) -> dict[str, Any]:
    """The year's results, computed once per state of the log (and language)."""

    plan = plan_of(year)

    def compute() -> dict[str, Any]:
        with services().read() as c:
            return {
                "plan": plan,
                "results": sq.year_results(c, year),
                "cases": sq.case_results(c, year),
                "cases_first": sq.case_results(c, year, first=True),
                "labels": _labels(c, year),
            }

    return services().once(("satisfaction", year, str(get_locale())), compute)


@bp.get(f"/plans/{YEAR}/satisfaction")
def results(year: int) -> str:
    figures = results_of(year)
    r: sq.Results = figures["results"]
    ranked = {d: sq.ranking(r.by.get(d, {})) for d in sq.DIMENSIONS}
    return render(
        "ratings/satisfaction/results.html",
        **figures,
        ranked=ranked,
        dimensions=_dimension_names(),
        min_ranked=sq.MIN_RANKED,
        has_evaluation=load_formula(year) is not None,
    )


def _dimension_names() -> dict[str, str]:
    return {
        "project": _("具体项目"),
        "item": _("条目"),
        "category": _("方面"),
        "key_project": _("重点项目"),
        "unit": _("牵头责任单位"),
        "district": _("区域（评价人自填）"),
    }


@bp.get(f"/plans/{YEAR}/satisfaction/chart.svg")
def chart(year: int) -> Response:
    r: sq.Results = results_of(year)["results"]
    series = {
        _("%(q)s（n=%(n)s）", q=quarter, n=f"{t.total:,}"): _points(t)
        for quarter, t in plan_quarters(year, r.quarters).items()
    }
    title = _(
        "%(y)s年各季度满意率（%%）与95%%区间（评价少于%(n)s条的季度不画区间）",
        y=year,
        n=sq.MIN_RANKED,
    )
    small = request.args.get("size") == "small"  # the drawing phones get (a <picture> source)
    response = make_response(satisfaction_chart(series, small, title))
    response.mimetype = "image/svg+xml"
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


def plan_quarters(year: int, quarters: dict[str, sq.Tally]) -> dict[str, sq.Tally]:
    """The quarters of the plan's own year. A plan file says nothing of ratings going on
    after its year, so later quarters (ratings cast since) stay out of its chart; the
    table and the open data still list them, labelled."""
    return {quarter: t for quarter, t in quarters.items() if quarter.startswith(f"{year}Q")}


def _points(t: sq.Tally) -> tuple[float, float | None, float | None]:
    """A quarter's rate and, with enough ratings to mean something, its interval."""
    low, high = t.interval
    if t.total < sq.MIN_RANKED:
        return 100 * (t.rate or 0), None, None
    return 100 * (t.rate or 0), 100 * low, 100 * high


def _rows(year: int) -> list[list[Any]]:
    figures = results_of(year)
    r: sq.Results = figures["results"]
    cases: sq.CaseResults = figures["cases"]
    rows: list[list[Any]] = []
    simulated = simulated_figures()  # the figures draw on the labelled simulated year

    def add(source: str, dimension: str, key: Any, t: sq.Tally, quarter: str = "") -> None:
        low, high = t.interval
        rows.append(
            [
                source,
                dimension,
                key,
                t.satisfied,
                t.basically,
                t.unsatisfied,
                t.total,
                "" if t.rate is None else f"{t.rate:.4f}",
                f"{low:.4f}" if t.total else "",
                f"{high:.4f}" if t.total else "",
                int(t.ranked),
                quarter,
                simulated,
            ]
        )

    add("ratings", "all", "", r.overall)
    for quarter, t in r.quarters.items():
        add("ratings", "quarter", quarter, t)
    for dimension in sq.DIMENSIONS:
        for key, t in sorted(r.by.get(dimension, {}).items(), key=lambda kv: str(kv[0])):
            add("ratings", dimension, key, t)
            for quarter, part in r.trend.get((dimension, key), {}).items():
                add("ratings", dimension, key, part, quarter)  # the same group, quarter by quarter
    # "cases": each case's latest evaluation; "cases_first": each case's first one
    for source, tallies in (("cases", cases), ("cases_first", figures["cases_first"])):
        add(source, "all", "", tallies.overall)
        for name, groups in (
            ("unit", tallies.by_unit),
            ("district", tallies.by_district),
            ("track", tallies.by_track),
            ("quarter", tallies.quarters),
        ):
            for key, t in sorted(groups.items()):
                add(source, name, key, t)
    return rows


HEADER = [
    "source",
    "dimension",
    "key",
    "satisfied",
    "basically",
    "unsatisfied",
    "total",
    "rate",
    "interval_95_low",
    "interval_95_high",
    "ranked",
    "quarter",  # blank: the whole year; else that quarter's ratings of the group
    "simulated",  # the figures draw on the labelled simulated year
]


@bp.get(f"/open-data/plans/{YEAR}/satisfaction.csv")
def results_csv(year: int) -> Response:
    return csv_response([HEADER, *_rows(year)], f"satisfaction-{year}.csv")


@bp.get(f"/api/v1/plans/{YEAR}/satisfaction")
def results_api(year: int) -> Response:
    figures = results_of(year)
    r: sq.Results = figures["results"]
    cases: sq.CaseResults = figures["cases"]
    return jsonify(
        {
            "year": year,
            "simulated": simulated_figures(),
            "formula": "rate = (satisfied + basically) / total; interval_95: Wilson score",
            "min_ranked": sq.MIN_RANKED,
            "ratings": {
                "overall": r.overall.as_dict(),
                "quarters": {k: t.as_dict() for k, t in r.quarters.items()},
                "by": {
                    d: {str(k): t.as_dict() for k, t in r.by.get(d, {}).items()}
                    for d in sq.DIMENSIONS
                },
                "by_quarter": {
                    d: {
                        str(k): {
                            quarter: part.as_dict()
                            for quarter, part in r.trend.get((d, k), {}).items()
                        }
                        for k in r.by.get(d, {})
                    }
                    for d in sq.DIMENSIONS
                },
            },
            "cases": _case_tallies(cases),
            # the same cases by their first evaluation: 销号 needs a content latest one
            "cases_first_evaluation": _case_tallies(figures["cases_first"]),
            "cases_formula": {
                "cases": "rate = (satisfied + basically) / evaluated, by each case's latest "
                "evaluation",
                "cases_first_evaluation": "rate = cases whose first evaluation was satisfied "
                "or basically / evaluated",
            },
            "csv": url_for("ratings.satisfaction.results_csv", year=year, _external=True),
        }
    )


def _case_tallies(cases: sq.CaseResults) -> dict[str, Any]:
    return {
        "overall": cases.overall.as_dict(),
        "by_unit": {k: t.as_dict() for k, t in cases.by_unit.items()},
        "by_district": {k: t.as_dict() for k, t in cases.by_district.items()},
        "by_track": {k: t.as_dict() for k, t in cases.by_track.items()},
        "quarters": {k: t.as_dict() for k, t in cases.quarters.items()},
    }
