"""Open data: progress, redacted cases and the public log as JSON (paginated), JSON Lines and CSV.

Everything here is built from read models that hold no personal data.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    jsonify,
    render_template,
    request,
    stream_with_context,
    url_for,
)

from domain.cases import DISTRICTS, STATES, is_overdue
from minsheng_site.caching import publicly_cacheable
from minsheng_site.csv_export import csv_response
from minsheng_site.opendata.openapi import spec
from minsheng_site.services import services
from minsheng_site.views import YEAR, as_of_arg, bounded, found, today
from projections.cases import case_queries as cq
from projections.plans import queries as q
from projections.plans.progress_queries import item_progress
from projections.publiclog import log_queries as lq
from projections.publiclog import store_chain
from projections.publiclog.public_log import MAX_SEQ, export_line

bp = publicly_cacheable(Blueprint("open_data", __name__))


def _limit() -> int:
    limit = bounded(request.args.get("limit", "100"), 1, 500)
    if limit is None:
        abort(400, description="limit: 1 to 500")
    return limit


def _after() -> int:
    after = bounded(request.args.get("after", "0"), 0, MAX_SEQ)
    if after is None:
        abort(400, description="after: an entry number")
    return after


@bp.get("/api/v1/openapi.json")
def openapi() -> Response:
    return jsonify(spec(request.host_url.rstrip("/")))


@bp.get("/api/docs")
def docs() -> str:
    return render_template("opendata/api_docs.html", spec=spec(request.host_url.rstrip("/")))


@bp.get(f"/api/v1/plans/{YEAR}/progress")
def plan_progress(year: int) -> Response:
    as_of, _travelling = as_of_arg(clamp=True)
    with services().read() as c:
        plan = found(q.plan(c, year))
        progress = services().plan_progress(c, plan, as_of)
    return jsonify(
        {
            "year": year,
            "as_of": as_of.isoformat(),
            "completion": _share(progress.completion),
            "projects": [
                {
                    "ref": p.project.ref,
                    "status": p.status.value,
                    "completion": _share(p.completion),
                    "latest_period": str(p.latest_period) if p.latest_period else None,
                    "midyear_met": p.midyear_met,
                    "simulated": p.simulated,
                    "url": url_for(
                        "plans.pages.project", year=year, ref=p.project.ref, _external=True
                    ),
                }
                for p in progress.projects
            ],
        }
    )


@bp.get(f"/api/v1/plans/{YEAR}/projects/<ref>/history")
def project_history(year: int, ref: str) -> Response:
    """Every report and correction of the project's item, with this project's values."""
    with services().read() as c:
        plan = found(q.plan(c, year))
        project = found(q.project(c, year, ref))
        progress = item_progress(c, plan, found(q.item(c, year, project.item)), today())
    reports = []
    for r in progress.reports:
        values = r.of(ref)
        reports.append(
            {
                "report_id": r.report_id,
                "period": str(r.period),
                "unit": r.unit,
                "amounts": [str(a) for a in values.amounts] if values else [],
                "milestones": list(values.milestones) if values else [],
                "districts": [
                    {"target": d.target, "district": d.district, "amount": str(d.amount)}
                    for d in r.districts
                    if d.ref == ref
                ],
                "narrative": r.narrative,
                "evidence": list(r.evidence),
                "corrects": r.corrects,
                "reason": r.reason or None,
                "recorded_at": r.recorded_at.isoformat(),
                "simulated": r.simulated,
            }
        )
    return jsonify(
        {
            "year": year,
            "ref": ref,
            "targets": [
                {"label": t.label, "amount": str(t.amount), "unit": t.unit, "at_least": t.at_least}
                for t in project.targets
            ],
            "milestones": list(project.milestones),
            "reports": reports,
        }
    )


@bp.get("/api/v1/cases")
def cases() -> Response:
    state = request.args.get("state") or None
    district = request.args.get("district") or None
    if state and state not in STATES:
        abort(400, description="state")
    if district and district not in DISTRICTS:
        abort(400, description="district")
    overdue = request.args.get("overdue") or None
    if overdue not in (None, "1"):
        abort(400, description="overdue: 1 or nothing")
    limit, page = _limit(), _page()
    filters = cq.Filters(state=state, district=district, overdue_only=overdue == "1")
    with services().read() as c:
        rows, total = cq.board(c, filters, today(), page, per_page=limit)
    more = page * limit < total
    return jsonify(
        {
            "total": total,
            "page": page,
            "cases": [public_case(r) for r in rows],
            "next": url_for(
                "opendata.open_data.cases",
                page=page + 1,
                limit=limit,
                state=state,
                district=district,
                overdue=overdue,
                _external=True,
            )
            if more
            else None,
        }
    )


@bp.get("/api/v1/cases/<number>")
def case(number: str) -> Response:
    with services().read() as c:
        row = found(cq.case(c, number.strip().upper()))
    return jsonify(public_case(row))


@bp.get("/api/v1/log")
def log_page() -> Response:
    after, limit = _after(), _limit()
    with services().read() as c:
        rows = lq.page(c, after, limit)
        public, store = lq.head(c), store_chain.head(c)
    entries = [
        {
            "seq": r.seq,
            "uuid": r.uuid,
            "kind": r.kind,
            "year": r.year,
            "business_date": r.business_date,
            "recorded_at": r.recorded_at.isoformat(),
            "payload": r.payload,
            "corrects": r.corrects,
            "prev_hash": r.prev_hash,
            "hash": r.hash,
            "url": url_for("opendata.journalists.event", uuid=r.uuid, _external=True),
        }
        for r in rows
    ]
    more = len(rows) == limit
    return jsonify(
        {
            "entries": entries,
            "next": url_for(
                "opendata.open_data.log_page", after=rows[-1].seq, limit=limit, _external=True
            )
            if more
            else None,
            # Both chains' heads now: the public log's and the store chain's (every stored event).
            "heads": {
                "public": {"entries": public[0], "head": public[1]} if public else None,
                "store": {"events": store[0], "head": store[1]} if store else None,
            },
        }
    )


@bp.get("/api/v1/log.jsonl")
def log_export() -> Response:
    def lines() -> Iterator[str]:
        after = 0
        while True:
            with services().read() as c:
                rows = lq.page(c, after, 1000)
            if not rows:
                return
            for row in rows:
                yield export_line(row) + "\n"
            after = rows[-1].seq

    response = Response(stream_with_context(lines()), mimetype="application/x-ndjson")
    response.headers["Content-Disposition"] = "attachment; filename=minsheng-public-log.jsonl"
    return response


@bp.get(f"/open-data/plans/{YEAR}/projects.csv")
def projects_csv(year: int) -> Response:
    with services().read() as c:
        plan = found(q.plan(c, year))
        progress = services().plan_progress(c, plan, today())
    rows: list[list[Any]] = [
        [
            "ref",
            "item",
            "category",
            "title",
            "key_project",
            "targets",
            "status",
            "completion",
            "latest_period",
            "midyear_met",
            "url",
            "simulated",  # its progress stands on reports of the labelled simulated year
        ]
    ]
    for p in progress.projects:
        pv = p.project
        targets = "；".join(
            f"{t.label} {t.amount}{t.unit}{'以上' if t.at_least else ''}" for t in pv.targets
        )
        rows.append(
            [
                pv.ref,
                pv.item,
                pv.category,
                pv.title,
                pv.key_project or "",
                targets,
                p.status.value,
                f"{p.completion:.4f}",
                p.latest_period or "",
                p.midyear_met if p.midyear_met is not None else "",
                url_for("plans.pages.project", year=year, ref=pv.ref, _external=True),
                p.simulated,
            ]
        )
    return csv_response(rows, f"minsheng-{year}-projects.csv")


@bp.get("/open-data/cases.csv")
def cases_csv() -> Response:
    with services().read() as c:
        rows = cq.all_rows(c, None)
    records = [public_case(row) for row in sorted(rows, key=lambda r: r.number)]
    # a case published with consent has every column; the others leave those blank
    fields = max((list(r) for r in records), key=len, default=["number"])
    table = [fields, *([_cell(record.get(f)) for f in fields] for record in records)]
    return csv_response(table, "minsheng-cases.csv")


# What only the citizen's consent publishes: their words, and what they said of the handling.
# The unit, time limit and overdue flag are the administration's facts, public for every case.
CONSENTED = (
    "title",
    "text",
    "redacted",
    "erased",
    "evaluation",
    "first_evaluation",
    "rehandled",
    "merged_into",
    "projects",
)


def public_case(row: Any) -> dict[str, Any]:
    """A case as anyone may see it: without consent, no words and no evaluation, but its
    category, district, stage, lead unit, time limit and whether it is overdue."""
    record = {
        "number": row.number,
        "year": row.year,
        "category": row.category,
        "district": row.district,
        "stage": row.state,
        "consent": row.consent,
        "simulated": row.simulated,
        "url": url_for("cases.pages.case", number=row.number, _external=True),
        "title": row.public_title,
        "text": row.public_text,
        "redacted": row.redacted,
        "erased": row.erased,
        "received_on": row.received_on.isoformat(),
        "route": row.route,
        "lead_unit": row.lead_unit,
        "co_units": list(row.co_units or []),
        "deadline": row.deadline.isoformat() if row.deadline else None,
        "overdue": is_overdue(row, today()),
        "key_supervised": row.track,
        "evaluation": row.evaluation,
        "first_evaluation": row.first_evaluation,
        "rehandled": row.rehandled,
        "replied_on_time": row.last_reply_on_time,
        "closed_on": row.closed_on.isoformat() if row.closed_on else None,
        "merged_into": row.merged_into,
        "projects": [{"year": y, "ref": r} for y, r in (row.projects or [])],
    }
    if row.consent:
        return record
    return {k: v for k, v in record.items() if k not in CONSENTED}


def _page() -> int:
    page = bounded(request.args.get("page", "1"), 1, 100_000)
    if page is None:
        abort(400, description="page: 1 to 100000")
    return page


def _share(value: Any) -> float:
    return round(float(value), 4)


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return "；".join(str(v) for v in value)
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else value
