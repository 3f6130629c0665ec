"""Open311 GeoReport v2 (read-only) for citizens' cases, with documented extensions.

Extensions on each request: `stage` (受理…销号 stage code), `route` (三个一批),
`deadline` (the time limit, a date), `key_supervised` ("weixingfu" /
"shizhang" / null), `district`. `GET /open311/v2/requests/{id}/history.json`
(extension) lists a case's public steps. Without the citizen's consent a
request carries only its service (category), district and stage.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from flask import Blueprint, Response, abort, jsonify, request, url_for
from sqlalchemy import select

from domain.cases import CATEGORIES
from domain.progress import LOCAL
from minsheng_site.services import services
from minsheng_site.views import found
from projections import case_queries as cq
from projections.cases import CaseRow

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
CLOSED = ("closed", "declined", "merged")


def service_code(category: str) -> str:
    return f"C{CATEGORIES.index(category) + 1:02d}"


@bp.get("/discovery.json")
def discovery() -> Response:
    return jsonify(
        {
            "changeset": "2026-11-29T00:00:00Z",
            "contact": url_for("log.journalists", _external=True),
            "key_service": "Read-only: no API key is needed.",
            "endpoints": [
                {
                    "specification": "http://wiki.open311.org/GeoReport_v2",
                    "url": url_for("open311.discovery", _external=True).rsplit("/", 1)[0],
                    "changeset": "2026-11-29T00:00:00Z",
                    "type": "production",
                    "formats": ["application/json"],
                }
            ],
        }
    )


@bp.get("/services.json")
def services_list() -> Response:
    return jsonify(
        [
            {
                "service_code": service_code(c),
                "service_name": c,
                "description": f"民生诉求：{c}",
                "metadata": False,
                "type": "realtime",
                "keywords": "民生诉求",
                "group": "民生诉求",
            }
            for c in CATEGORIES
        ]
    )


@bp.get("/requests.json")
def requests_list() -> Response:
    args = request.args
    status = args.get("status")
    if status and not set(status.split(",")) <= {"open", "closed"}:
        abort(400, description="status: open, closed")
    codes = set((args.get("service_code") or "").split(",")) - {""}
    if codes - {service_code(c) for c in CATEGORIES}:
        abort(400, description="service_code")
    start, end, updated_after = (
        _instant("start_date"),
        _instant("end_date"),
        _instant("updated_after"),
    )
    ids = set((args.get("service_request_id") or "").upper().split(",")) - {""}
    with services().read() as c:
        query = select(CaseRow.__table__).order_by(CaseRow.submitted_at.desc())  # type: ignore[call-overload]
        rows = c.execute(query).all()
        updated = _updated(c)
    out = []
    for row in rows:
        if ids and row.number not in ids:
            continue
        if status and ("closed" if row.state in CLOSED else "open") not in status.split(","):
            continue
        if codes and service_code(row.category) not in codes:
            continue
        if (start and row.submitted_at < start) or (end and row.submitted_at > end):
            continue
        if updated_after and updated.get(row.case_id, row.submitted_at) <= updated_after:
            continue
        out.append(service_request(row, updated.get(row.case_id, row.submitted_at)))
        if len(out) >= 1000:
            break
    return jsonify(out)


@bp.get("/requests/<number>.json")
def request_one(number: str) -> Response:
    with services().read() as c:
        row = found(cq.case(c, number.upper()))
        updated = _updated(c, row.case_id)
    return jsonify([service_request(row, updated.get(row.case_id, row.submitted_at))])


@bp.get("/requests/<number>/history.json")
def history(number: str) -> Response:
    with services().read() as c:
        row = found(cq.case(c, number.upper()))
        steps = cq.steps(c, row.case_id)
    if not row.consent:
        steps = [s for s in steps if s.step not in ("replied", "supervised", "linked", "redacted")]
    return jsonify(
        [
            {
                "step": s.step,
                "datetime": _w3(s.recorded_at),
                "unit": s.unit if row.consent else None,
                "notes": s.text if row.consent else None,
            }
            for s in steps
        ]
    )


def service_request(row: Any, updated: datetime) -> dict[str, Any]:
    public = row.consent
    return {
        "service_request_id": row.number,
        "status": "closed" if row.state in CLOSED else "open",
        "status_notes": row.declined_reason if row.state == "declined" else None,
        "service_name": row.category,
        "service_code": service_code(row.category),
        "description": row.public_text if public else None,
        "agency_responsible": row.lead_unit if public else None,
        "service_notice": None,
        "requested_datetime": _w3(row.submitted_at),
        "updated_datetime": _w3(updated),
        "expected_datetime": _w3(datetime.combine(row.deadline, time(23, 59), tzinfo=LOCAL))
        if public and row.deadline
        else None,
        "address": row.district,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
        # extensions
        "stage": row.state,
        "route": row.route if public else None,
        "deadline": row.deadline.isoformat() if public and row.deadline else None,
        "key_supervised": row.track if public else None,
        "district": row.district,
        "url": url_for("cases.case", number=row.number, _external=True),
    }


def _updated(c: Any, case_id: str | None = None) -> dict[str, datetime]:
    from sqlalchemy import func

    from projections.cases import CaseStep

    query = select(CaseStep.case_id, func.max(CaseStep.recorded_at)).group_by(CaseStep.case_id)
    if case_id:
        query = query.where(CaseStep.case_id == case_id)
    return {case: _aware(at) for case, at in c.execute(query)}


def _aware(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _instant(name: str) -> datetime | None:
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        try:
            value = datetime.combine(date.fromisoformat(raw), time(0))
        except ValueError:
            abort(400, description=f"{name}: a w3 datetime such as 2023-06-01T00:00:00Z")
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _w3(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
