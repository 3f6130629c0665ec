"""The cycle's candidates in public: conversions of cases, the candidate list, the congress vote,
and their open data (CSV, JSON)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, jsonify, render_template
from werkzeug.wrappers import Response

from minsheng_site.caching import publicly_cacheable
from minsheng_site.csv_export import csv_response
from minsheng_site.services import services
from minsheng_site.views import YEAR, found, int_arg, today
from projections.cases import case_queries
from projections.cycle import candidate_queries as cq

bp = publicly_cacheable(Blueprint("candidates", __name__))
NUMBER = "<int(min=1, max=999999):number>"
CASES_PER_PAGE = 50  # as the case board


def _year_of_cycle(c: Any, year: int) -> None:
    """A 404 for a year with neither a conversion nor a candidate."""
    if year not in cq.years(c):
        found(None)


@bp.get(f"/cycle/{YEAR}/candidates/")
def index(year: int) -> str:
    with services().read() as c:
        _year_of_cycle(c, year)
        rows = cq.candidates(c, year)
        vote = cq.vote(c, year)
        conversions = {f"Z{r.number}": r for r in cq.conversions(c, year)}
        projects = cq.plan_projects(c, year)
    return render_template(
        "cycle/candidates/index.html",
        projects=projects,
        cycle_year=year,
        rows=rows,
        vote=vote,
        conversions=conversions,
    )


@bp.get(f"/cycle/{YEAR}/candidates/{NUMBER}")
def candidate(year: int, number: int) -> str:
    with services().read() as c:
        row = found(cq.candidate(c, year, number))
        vote = cq.vote(c, year)
        conversions = {f"Z{r.number}": r for r in cq.conversions(c, year)}
        projects = cq.plan_projects(c, year).get(number, [])
    return render_template(
        "cycle/candidates/candidate.html",
        cycle_year=year,
        row=row,
        vote=vote,
        conversions=conversions,
        projects=projects,
    )


@bp.get(f"/cycle/{YEAR}/conversions/")
def conversions(year: int) -> str:
    with services().read() as c:
        _year_of_cycle(c, year)
        rows = cq.conversions(c, year)
        fed = {r.number: cq.fed(c, year, f"Z{r.number}") for r in rows}
    return render_template("cycle/candidates/conversions.html", cycle_year=year, rows=rows, fed=fed)


@bp.get(f"/cycle/{YEAR}/conversions/{NUMBER}")
def conversion(year: int, number: int) -> str:
    """A conversion: its counts by district and lead unit, and its cases a page at a time
    (every case number is in /api/v1/cycle/<year>/candidates)."""
    page = int_arg("page") or 1
    with services().read() as c:
        row = found(cq.conversion(c, year, number))
        by_district, by_unit = cq.conversion_counts(c, year, number)
        linked = cq.conversion_cases(c, year, number, CASES_PER_PAGE, (page - 1) * CASES_PER_PAGE)
        if page > 1 and not linked:
            abort(404)
        cases = case_queries.by_numbers(c, [r.case_number for r in linked])
        fed = [cq.candidate(c, year, n) for n in cq.fed(c, year, f"Z{number}")]
    total = sum(n for _district, n in by_district)
    return render_template(
        "cycle/candidates/conversion.html",
        cycle_year=year,
        row=row,
        linked=linked,
        total=total,
        page=page,
        per_page=CASES_PER_PAGE,
        pages=max(1, -(-total // CASES_PER_PAGE)),
        cases=cases,
        by_district=by_district,
        by_unit=by_unit,
        fed=[f for f in fed if f is not None],
        today=today(),
    )


@bp.get(f"/cycle/{YEAR}/vote")
def vote(year: int) -> str:
    with services().read() as c:
        recorded = found(cq.vote(c, year))
        rows = cq.candidates(c, year)
    return render_template("cycle/candidates/vote.html", cycle_year=year, vote=recorded, rows=rows)


def _candidate(row: Any) -> dict[str, Any]:
    return {
        "ref": f"C{row.number}",
        "title": row.title,
        "category": row.category,
        "description": row.description,
        "sources": row.sources,
        "targets": row.targets,
        "units": row.units,
        "listed_at": row.recorded_at.isoformat(),
        "votes": None
        if row.votes_for is None
        else {"for": row.votes_for, "against": row.against, "abstain": row.abstain},
        "chosen": bool(row.chosen),
        "corrections": row.corrections,
        "corrected_at": row.corrected_at.isoformat() if row.corrected_at else None,
        "correction_reason": row.correction_reason,
        "simulated": bool(row.simulated),
    }


def _vote(row: Any) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "session": row.session,
        "held_on": row.held_on.isoformat(),
        "document_number": row.document_number,
        "document_url": row.document_url,
        "voting": row.voting,
        "declared": row.declared,
        "recorded_at": row.recorded_at.isoformat(),
        "corrections": row.corrections,
        "corrected_at": row.corrected_at.isoformat() if row.corrected_at else None,
        "correction_reason": row.correction_reason,
        "simulated": bool(row.simulated),
    }


@bp.get(f"/api/v1/cycle/{YEAR}/candidates")
def candidates_api(year: int) -> Response:
    with services().read() as c:
        _year_of_cycle(c, year)
        rows = cq.candidates(c, year)
        recorded = cq.vote(c, year)
        conversions = cq.conversions(c, year)
        cases = {r.number: cq.conversion_cases(c, year, r.number) for r in conversions}
    return jsonify(
        {
            "year": year,
            "candidates": [_candidate(r) for r in rows],
            "vote": _vote(recorded),
            "conversions": [
                {
                    "ref": f"Z{r.number}",
                    "title": r.title,
                    "problem": r.problem,
                    "cases": [k.case_number for k in cases[r.number]],
                    "simulated": bool(r.simulated),
                }
                for r in conversions
            ],
        }
    )


CSV_FIELDS = (
    "year",
    "ref",
    "title",
    "category",
    "sources",
    "units",
    "targets",
    "votes_for",
    "votes_against",
    "votes_abstain",
    "voting",
    "chosen",
    "simulated",
)


@bp.get(f"/cycle/{YEAR}/candidates.csv")
def candidates_csv(year: int) -> Response:
    with services().read() as c:
        _year_of_cycle(c, year)
        rows = cq.candidates(c, year)
        recorded = cq.vote(c, year)
    table: list[list[object]] = [list(CSV_FIELDS)]
    for r in rows:
        table.append(
            [
                year,
                f"C{r.number}",
                r.title,
                r.category,
                " ".join(r.sources),
                "、".join(r.units),
                "；".join(f"{t['label']} {t['amount']}{t['unit']}" for t in r.targets),
                "" if r.votes_for is None else r.votes_for,
                "" if r.against is None else r.against,
                "" if r.abstain is None else r.abstain,
                recorded.voting if recorded is not None else "",
                "" if recorded is None else ("1" if r.chosen else "0"),
                "1" if r.simulated else "0",
            ]
        )
    return csv_response(table, f"candidates-{year}.csv")


CONVERSION_FIELDS = ("year", "ref", "title", "problem", "cases", "districts", "simulated")


@bp.get(f"/cycle/{YEAR}/conversions.csv")
def conversions_csv(year: int) -> Response:
    """Each conversion with its number of cases and their count by district (a conversion
    names only cases whose citizens agreed to publish; their numbers are in the JSON API)."""
    with services().read() as c:
        _year_of_cycle(c, year)
        rows = cq.conversions(c, year)
        counts = cq.districts_by_conversion(c, year)
    table: list[list[object]] = [list(CONVERSION_FIELDS)]
    for r in rows:
        table.append(
            [
                year,
                f"Z{r.number}",
                r.title,
                r.problem,
                r.cases,
                "；".join(f"{district or '-'} {n}" for district, n in counts.get(r.number, [])),
                "1" if r.simulated else "0",
            ]
        )
    return csv_response(table, f"conversions-{year}.csv")
