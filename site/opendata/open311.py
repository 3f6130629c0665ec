"""Open311 GeoReport v2 (read-only) for citizens' cases, with documented extensions.

Lists come newest first, `page_size` (default 100, at most 1000) at a time;
`page` (extension) turns the page and a `Link: <...>; rel="next"` header
points to the next one.

Extensions on each request: `stage` (受理…销号 stage code), `route` (三个一批),
`deadline` (the time limit, a date), `key_supervised` ("weixingfu" /
"shizhang" / null), `district`. `GET /open311/v2/requests/{id}/history.json`
(extension) lists a case's public steps. Without the citizen's consent a
request carries no description and its history no words, but its agency,
time limit, route and key supervision all the same (the administration's
facts, public for every case, as on the board and in /api/v1/cases).

Every resource answers as `.json` or `.xml` (the specification's element
names: <services><service>, <service_requests><request>, <errors><error>).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, time
from typing import Any

from flask import Blueprint, Response, abort, jsonify, request, url_for

from domain.cases import CATEGORIES, DECLINED, Case
from domain.text import xml_safe
from domain.wuxi import at_wuxi
from minsheng_site.caching import publicly_cacheable
from minsheng_site.services import services
from minsheng_site.views import bounded, found
from projections.cases import case_queries as cq
from projections.cases import georeport_queries as gq
from projections.cases.georeport_queries import CLOSED, CLOSED_STATUS, OPEN_STATUS

bp = publicly_cacheable(Blueprint("open311", __name__, url_prefix="/open311/v2"))
FMT = "<any(json, xml):fmt>"
ITEMS = {"endpoints": "endpoint", "formats": "format"}  # XML: what a list's elements are called
_URL_FOR_NAMES = frozenset({"fmt", "_anchor", "_method", "_scheme", "_external"})
# A case's steps that say what was written about it: listed only with the citizen's consent.
WORDS_OF_A_CASE = (
    Case.Replied.step,
    Case.SupervisionNoted.step,
    Case.LinkedToProject.step,
    Case.ContentRedacted.step,
)


def answer(value: Any, fmt: str, root: str, item: str) -> Response:
    """The value as JSON, or as GeoReport v2 XML: <root><item>...</item>...</root>."""
    if fmt == "json":
        return jsonify(value)
    element = ET.Element(root)
    _fill(element, value, item)
    body = ET.tostring(element, encoding="utf-8", xml_declaration=True)
    return Response(body, mimetype="text/xml")


def _fill(element: ET.Element, value: Any, item: str) -> None:
    if isinstance(value, list):
        for each in value:
            _fill(ET.SubElement(element, item), each, item)
    elif isinstance(value, dict):
        fields: dict[str, Any] = value  # the answer's own dicts: names to values
        for key, each in fields.items():
            _fill(ET.SubElement(element, key), each, ITEMS.get(key, key))
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:  # citizens' words may hold characters XML 1.0 cannot carry
        element.text = xml_safe(str(value))


def errors(status: int, description: str) -> Response:
    """GeoReport v2 errors, in the format the path asked for."""
    fmt = "xml" if request.path.endswith(".xml") else "json"
    response = answer([{"code": status, "description": description}], fmt, "errors", "error")
    response.status_code = status
    return response


def service_code(category: str) -> str:
    return f"C{CATEGORIES.index(category) + 1:02d}"


@bp.get(f"/discovery.{FMT}")
def discovery(fmt: str) -> Response:
    return answer(
        {
            "changeset": "2026-11-29T00:00:00Z",
            "contact": url_for("opendata.journalists.journalists", _external=True),
            "key_service": "Read-only: no API key is needed.",
            "endpoints": [
                {
                    "specification": "http://wiki.open311.org/GeoReport_v2",
                    "url": url_for("opendata.open311.discovery", fmt="json", _external=True).rsplit(
                        "/", 1
                    )[0],
                    "changeset": "2026-11-29T00:00:00Z",
                    "type": "production",
                    "formats": ["application/json", "text/xml"],
                }
            ],
        },
        fmt,
        "discovery",
        "discovery",
    )


@bp.get(f"/services.{FMT}")
def services_list(fmt: str) -> Response:
    return answer(
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
        ],
        fmt,
        "services",
        "service",
    )


@bp.get(f"/requests.{FMT}")
def requests_list(fmt: str) -> Response:
    args = request.args
    status = args.get("status")
    if status and not set(status.split(",")) <= {OPEN_STATUS, CLOSED_STATUS}:
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
    query = gq.Query(
        numbers=frozenset(ids),
        status=status if status in (OPEN_STATUS, CLOSED_STATUS) else None,
        categories=tuple(c for c in CATEGORIES if service_code(c) in codes),
        start=start,
        end=end,
        updated_after=updated_after,
        page=_number("page", 1, 100_000, default=1),
        page_size=_number("page_size", 1, 1000, default=100),
    )
    with services().read() as c:
        listed = gq.requests(c, query)
    rows, updated, more, page = listed.rows, listed.updated, listed.more, query.page
    response = answer(
        [service_request(r, updated.get(r.case_id, r.submitted_at)) for r in rows],
        fmt,
        "service_requests",
        "request",
    )
    if more:
        # The path holds the format, and url_for reads _scheme, _anchor... as its options:
        # query args of those names are not carried (they clashed, a 500, or bent the link).
        carried = {k: v for k, v in args.to_dict().items() if k not in _URL_FOR_NAMES}
        following = url_for(
            "opendata.open311.requests_list",
            **{**carried, "page": str(page + 1)},
            fmt=fmt,
            _external=True,
        )
        response.headers["Link"] = f'<{following}>; rel="next"'
    return response


def _number(name: str, low: int, high: int, default: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    value = bounded(raw, low, high)
    if value is None:
        abort(400, description=f"{name}: {low} to {high}")
    return value


@bp.get(f"/requests/<number>.{FMT}")
def request_one(number: str, fmt: str) -> Response:
    with services().read() as c:
        row = found(cq.case(c, number.upper()))
        updated = gq.last_steps(c, [row.case_id])
    one = [service_request(row, updated.get(row.case_id, row.submitted_at))]
    return answer(one, fmt, "service_requests", "request")


@bp.get(f"/requests/<number>/history.{FMT}")
def history(number: str, fmt: str) -> Response:
    with services().read() as c:
        row = found(cq.case(c, number.upper()))
        steps = cq.steps(c, row.case_id)
    if not row.consent:
        steps = [s for s in steps if s.step not in WORDS_OF_A_CASE]
    return answer(
        [
            {
                "step": s.step,
                "datetime": _w3(s.recorded_at),
                "unit": s.unit if row.consent else None,
                "notes": s.text if row.consent else None,
            }
            for s in steps
        ],
        fmt,
        "history",
        "step",
    )


def service_request(row: Any, updated: datetime) -> dict[str, Any]:
    public = row.consent  # the citizen's words; the unit and its time limit are public anyway
    return {
        "service_request_id": row.number,
        "status": CLOSED_STATUS if row.state in CLOSED else OPEN_STATUS,
        "status_notes": row.declined_reason if row.state == DECLINED else None,
        "service_name": row.category,
        "service_code": service_code(row.category),
        "description": row.public_text if public else None,
        "agency_responsible": row.lead_unit,
        "service_notice": None,
        "requested_datetime": _w3(row.submitted_at),
        "updated_datetime": _w3(updated),
        "expected_datetime": _w3(at_wuxi(row.deadline, 23, 59)) if row.deadline else None,
        "address": row.district,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
        # extensions
        "stage": row.state,
        "route": row.route,
        "deadline": row.deadline.isoformat() if row.deadline else None,
        "key_supervised": row.track,
        "district": row.district,
        "simulated": row.simulated,  # a case of the labelled simulated year
        "url": url_for("cases.pages.case", number=row.number, _external=True),
    }


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
