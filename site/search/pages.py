"""Site search: one box on every page, results grouped by kind, each with its status.

`/search?q=电梯` (a plain GET form; htmx swaps the results as one types), `/api/v1/search`
(the same as JSON) and `/opensearch.xml` (so a browser can add the site's search).
A query that is a case number or a project's reference (9.1) goes straight to its page.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import Blueprint, abort, jsonify, redirect, render_template, request, url_for
from sqlalchemy import Connection
from werkzeug.wrappers import Response

from domain.cases import DISTRICTS
from domain.schedule import Status
from minsheng_site.caching import publicly_cacheable
from minsheng_site.labels import label
from minsheng_site.services import services
from minsheng_site.views import int_arg, plan_of, render, today
from projections.cases import case_queries as cq
from projections.plans import queries as q
from projections.plans.progress_queries import ProjectProgress, group_progress
from projections.search.index import KINDS, LOG_KINDS, PLAN_KINDS
from projections.search.search_queries import (
    Filters,
    Found,
    Hit,
    case_number,
    project_ref,
    search,
)
from projections.search.words import Piece, Query, excerpt, highlight, parse, synonyms

bp = publicly_cacheable(Blueprint("pages", __name__))

PER_KIND = 5  # results of each kind on the page for all kinds
PAGE = 20  # results per page when one kind is chosen
MAX_PAGE = 50
# Offered on an empty search: the everyday words residents type (the plan's own are longer).
EXAMPLES = ("电梯", "公厕", "托育", "停车", "助餐", "路灯")


@dataclass(frozen=True)
class Result:
    """One thing found, as the page and the API show it."""

    kind: str
    url: str
    title: list[Piece]
    excerpt: list[Piece]
    ref: str  # a project's reference, an item's number, a case number...
    status: str | None  # a code: a project's Status, a case's or a finding's state
    status_label: str | None
    completion: Decimal | None
    year: int
    meta: str  # a line of context: a report's month and unit, a visit's date
    simulated: bool = False  # of the labelled simulation (the cycle's things say so)


@dataclass(frozen=True)
class Asked:
    text: str
    filters: Filters
    kind: str | None
    page: int


def _asked() -> Asked:
    text = request.args.get("q", "")
    kind = request.args.get("kind") or None
    if kind is not None and kind not in KINDS:
        abort(400, description=f"kind: one of {', '.join(KINDS)}")
    district = request.args.get("district") or None
    if district is not None and district not in DISTRICTS:
        abort(400, description=f"district: one of {', '.join(DISTRICTS)}")
    filters = Filters(
        kinds=(kind,) if kind else (),
        year=int_arg("year", 2000, 2100),
        category=int_arg("category", high=999),
        district=district,
    )
    return Asked(text, filters, kind, int_arg("page", high=MAX_PAGE) or 1)


def _find(c: Connection, asked: Asked) -> Found:
    query = parse(asked.text, synonyms())
    if asked.kind:
        return search(c, query, asked.filters, per_kind=PAGE, offset=(asked.page - 1) * PAGE)
    return search(c, query, asked.filters, per_kind=PER_KIND)


def _direct(c: Connection, text: str, year: int | None) -> str | None:
    """The page a query names outright: a case by its number, a project by its ref."""
    number = case_number(c, text)
    if number:
        return url_for("cases.pages.case", number=number)
    wanted = year or q.current_year(c)
    ref = project_ref(c, text, wanted) if wanted else None
    if ref:
        return url_for("plans.pages.project", year=wanted, ref=ref)
    return None


@bp.get("/search")
def results() -> str | Response:
    asked = _asked()
    with services().read() as c:
        if request.args.get("go") != "0":  # ?go=0: search the words, do not jump
            direct = _direct(c, asked.text, asked.filters.year)
            if direct:
                return redirect(direct)
        found = _find(c, asked)
        shown = _results(c, found)
        return render(
            "search/search.html",
            "search/_results.html",
            asked=asked,
            found=found,
            shown=shown,
            kinds=KINDS,
            districts=DISTRICTS,
            categories=_categories(c, asked.filters.year),
            per_page=PAGE if asked.kind else PER_KIND,
            examples=EXAMPLES,
            log_kinds=LOG_KINDS,
        )


@bp.get("/api/v1/search")
def api() -> Response:
    asked = _asked()
    with services().read() as c:
        found = _find(c, asked)
        shown = _results(c, found)
    return jsonify(
        {
            "query": asked.text,
            "words": [list(w.spellings) for w in found.query.words],
            "near": found.near,
            "total": found.total,
            "counts": found.counts,
            "capped": sorted(found.capped),
            "page": asked.page if asked.kind else 1,
            "results": [
                {
                    "kind": r.kind,
                    "title": "".join(p.text for p in r.title),
                    "url": r.url,
                    "ref": r.ref,
                    "year": r.year,
                    "status": r.status,
                    "completion": None if r.completion is None else float(r.completion),
                    "excerpt": "".join(p.text for p in r.excerpt),
                    "highlights": _spans(r.excerpt),
                    "context": r.meta,
                    "simulated": r.simulated,
                }
                for group in shown
                for r in group[1]
            ],
        }
    )


@bp.get("/opensearch.xml")
def opensearch() -> Response:
    body = render_template("search/opensearch.xml")
    return Response(body, mimetype="application/opensearchdescription+xml")


def rate_limits(app: Any, limiter: Any) -> None:
    """Searches per address, the page and the API counted together (one shared scope)."""
    for endpoint in ("search.pages.results", "search.pages.api"):
        app.view_functions[endpoint] = limiter.shared_limit(
            app.config["SEARCH_LIMIT"], scope="search"
        )(app.view_functions[endpoint])


def _spans(pieces: list[Piece]) -> list[list[int]]:
    """Where the matched words are in the excerpt: [start, end) character offsets."""
    spans, at = [], 0
    for piece in pieces:
        if piece.marked:
            spans.append([at, at + len(piece.text)])
        at += len(piece.text)
    return spans


def _categories(c: Connection, year: int | None) -> list[Any]:
    wanted = year or q.current_year(c)
    return q.categories(c, wanted) if wanted else []


def _results(c: Connection, found: Found) -> list[tuple[str, list[Result]]]:
    # Completion only where a plan's thing is shown (reports, visits, cases need none).
    states = _project_states(c, {h.year for h in found.hits if h.kind in PLAN_KINDS})
    cases = cq.states(c, [h.ref for h in found.hits if h.kind == "case"])
    return [
        (kind, [_result(h, found.query, states, cases) for h in hits])
        for kind, hits in found.by_kind()
    ]


def _project_states(c: Connection, years: set[int]) -> dict[tuple[int, str], ProjectProgress]:
    states: dict[tuple[int, str], ProjectProgress] = {}
    known = set(q.plan_years(c))
    for year in sorted(years & known):
        plan = plan_of(year)
        for p in services().plan_progress(c, plan, today()).projects:
            states[(year, p.project.ref)] = p
    return states


def _result(
    hit: Hit,
    query: Query,
    states: dict[tuple[int, str], ProjectProgress],
    cases: dict[str, str],
) -> Result:
    kind, year, ref = hit.kind, hit.year, hit.ref
    status: str | None = None
    status_label: str | None = None
    group = group_progress([states[(year, r)] for r in _refs(hit, states) if (year, r) in states])
    completion = group.completion if group else None
    if kind == "project" and (year, ref) in states:
        status = states[(year, ref)].status.value
        status_label = label(Status(status), "project_status")
    meta = ""
    if kind == "case":
        status = cases.get(ref)
        status_label = label(status, "case_state") if status else None
    elif kind == "finding":
        status = hit.detail.get("state")
        status_label = label(status, "finding_state") if status else None
    elif kind == "proposal":
        status = hit.detail.get("answer")
        status_label = label(status, "proposal_answer") if status else None
    elif kind == "amendment":
        meta = " · ".join(
            x for x in (hit.detail.get("project", ""), hit.detail.get("basis", "")) if x
        )
    elif kind == "report":
        meta = f"{hit.detail.get('period', '')} · {hit.detail.get('unit', '')}"
    elif kind == "visit":
        meta = str(hit.detail.get("held_on", ""))
    title = hit.title or ref
    body = excerpt(hit.body, query) if hit.body else ""
    return Result(
        kind=kind,
        url=_url(hit),
        title=highlight(title, query),
        excerpt=highlight(body, query),
        ref=ref,
        status=status,
        status_label=status_label,
        completion=completion,
        year=year,
        meta=meta,
        simulated=bool(hit.detail.get("simulated")),
    )


def _refs(hit: Hit, states: dict[tuple[int, str], ProjectProgress]) -> list[str]:
    """The specific projects whose completion a found plan's thing shows (none for others)."""
    if hit.kind == "project":
        return [hit.ref]
    if hit.kind in ("item", "key_project"):
        return list(hit.detail.get("projects", []))
    if hit.kind == "category":
        return [r for (y, r), p in states.items() if y == hit.year and p.project.category
                == hit.category]  # fmt: skip
    return []


def _url(hit: Hit) -> str:
    year, ref = hit.year, hit.ref
    match hit.kind:
        case "project":
            return url_for("plans.pages.project", year=year, ref=ref)
        case "item":
            return url_for("plans.pages.item", year=year, number=int(ref))
        case "key_project":
            return url_for("plans.pages.key_project", year=year, number=int(ref))
        case "category":
            return url_for("plans.pages.category", year=year, number=int(ref))
        case "unit":
            return url_for("plans.pages.unit", year=year, name=ref)
        case "case":
            return url_for("cases.pages.case", number=ref)
        case "finding":
            return url_for("supervision.pages.finding", year=year, finding_id=ref)
        case "visit":
            return url_for("supervision.pages.supervision", year=year) + f"#record-{ref}"
        case "proposal":
            return url_for("cycle.proposals.proposal", year=year, number=int(ref))
        case "candidate":
            return url_for("cycle.candidates.candidate", year=year, number=int(ref))
        case "conversion":
            return url_for("cycle.candidates.conversion", year=year, number=int(ref))
        case "amendment":
            return url_for("cycle.amendments.index", year=year) + f"#amendment-{ref}"
        case "report":
            item = int(hit.detail["item"])
            return url_for("plans.pages.item", year=year, number=item) + f"#report-{ref}"
    raise ValueError(hit.kind)
