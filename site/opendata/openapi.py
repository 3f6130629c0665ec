"""The OpenAPI 3 description of the open-data API (served at /api/v1/openapi.json)."""

from __future__ import annotations

from typing import Any

from domain.cases import CATEGORIES, DISTRICTS, STATES
from projections.publiclog.public_log import MAX_SEQ
from projections.search.index import KINDS


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    "400": _json(_ref("Error"), "Bad parameters"),
    "404": _json(_ref("Error"), "Not found"),
}
YEAR = {
    "name": "year",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 2000, "maximum": 2100},
}
LIMIT = {
    "name": "limit",
    "in": "query",
    "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 100},
}


def spec(server: str) -> dict[str, Any]:
    string, integer, boolean = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
    nullable_string = {"type": ["string", "null"]}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "民生实事公开台 open data",
            "version": "1",
            "description": "The yearly plan, its progress, citizens' cases (without personal "
            "data), satisfaction results, the year-end evaluation and the hash-chained public "
            "log. Errors are JSON: "
            "{error: {status, code, message}}.",
        },
        "servers": [{"url": server}],
        "paths": {
            "/api/v1/plans": {
                "get": {
                    "summary": "Registered plans",
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "required": ["plans"],
                                "properties": {
                                    "plans": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": ["year", "url"],
                                            "properties": {"year": integer, "url": string},
                                        },
                                    }
                                },
                            }
                        )
                    },
                }
            },
            "/api/v1/plans/{year}": {
                "get": {
                    "summary": "A plan: categories, items, projects, key projects",
                    "parameters": [
                        YEAR,
                        {
                            "name": "as_of",
                            "in": "query",
                            "description": "A day: the items and projects as amended that"
                            " day (without it, the plan as registered; see `amendments`)."
                            " A day before 2000 or after today is answered for the nearest"
                            " day known; the response's `as_of` says which.",
                            "schema": {"type": "string", "format": "date"},
                        },
                    ],
                    "responses": {"200": _json(_ref("Plan")), **ERRORS},
                }
            },
            "/api/v1/plans/{year}/progress": {
                "get": {
                    "summary": "Each project's completion and status, as of a day",
                    "parameters": [
                        YEAR,
                        {
                            "name": "as_of",
                            "in": "query",
                            "description": "A day (default today). A day before 2000 or after"
                            " today is answered for the nearest day known; the"
                            " response's `as_of` says which.",
                            "schema": {"type": "string", "format": "date"},
                        },
                    ],
                    "responses": {"200": _json(_ref("Progress")), **ERRORS},
                }
            },
            "/api/v1/plans/{year}/projects/{ref}/history": {
                "get": {
                    "summary": "Every report and correction",
                    "parameters": [
                        YEAR,
                        {
                            "name": "ref",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "pattern": "^[0-9]{1,3}\\.[0-9]{1,2}$"},
                        },
                    ],
                    "responses": {"200": _json(_ref("History")), **ERRORS},
                }
            },
            "/api/v1/plans/{year}/satisfaction": {
                "get": {
                    "summary": "Satisfaction: ratings counted per level and 满意率 with its "
                    "Wilson 95% interval, per subject, unit, district and quarter; "
                    "and citizens' evaluations of cases, kept apart",
                    "parameters": [YEAR],
                    "responses": {"200": _json(_ref("Satisfaction")), **ERRORS},
                }
            },
            "/api/v1/plans/{year}/evaluation": {
                "get": {
                    "summary": "The year-end evaluation: formula, every input, component, "
                    "score and rank, award candidates, nominations and selections",
                    "parameters": [YEAR],
                    "responses": {"200": _json(_ref("Evaluation")), **ERRORS},
                }
            },
            "/api/v1/plans/{year}/amendments": {
                "get": {
                    "summary": "The plan's amendments in the order recorded: kind, item and "
                    "project, the change (old and new), official basis, effective day, reason",
                    "parameters": [YEAR],
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "required": ["year", "amendments"],
                                "properties": {
                                    "year": integer,
                                    "amendments": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": [
                                                "number",
                                                "kind",
                                                "change",
                                                "basis",
                                                "effective",
                                                "reason",
                                                "simulated",
                                            ],
                                        },
                                    },
                                },
                            }
                        ),
                        **ERRORS,
                    },
                }
            },
            "/api/v1/cycle/{year}/proposals": {
                "get": {
                    "summary": "The solicitation of plan year {year}: its period and counts, and "
                    "every published proposal with its supports and answer (never who "
                    "proposed or supported)",
                    "parameters": [YEAR],
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "required": ["year", "solicitation", "proposals"],
                                "properties": {
                                    "year": integer,
                                    "solicitation": {"type": "object"},
                                    "proposals": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": [
                                                "ref",
                                                "title",
                                                "supports",
                                                "answer",
                                                "simulated",
                                            ],
                                        },
                                    },
                                },
                            }
                        ),
                        **ERRORS,
                    },
                }
            },
            "/api/v1/cycle/{year}/candidates": {
                "get": {
                    "summary": "The yearly cycle of plan year {year}: its candidates (with "
                    "their sources: proposals P…, conversions Z…), the congress vote as "
                    "recorded and the conversions of cases (case numbers only)",
                    "parameters": [YEAR],
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "required": ["year", "candidates", "vote", "conversions"],
                                "properties": {
                                    "year": integer,
                                    "candidates": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": ["ref", "title", "sources", "simulated"],
                                        },
                                    },
                                    "vote": {"type": ["object", "null"]},
                                    "conversions": {"type": "array"},
                                },
                            }
                        ),
                        **ERRORS,
                    },
                }
            },
            "/api/v1/cases": {
                "get": {
                    "summary": "Citizens' cases, without personal data",
                    "parameters": [
                        {
                            "name": "state",
                            "in": "query",
                            "schema": {"type": "string", "enum": list(STATES)},
                        },
                        {
                            "name": "district",
                            "in": "query",
                            "schema": {"type": "string", "enum": list(DISTRICTS)},
                        },
                        {
                            "name": "overdue",
                            "in": "query",
                            "description": "1: only cases being handled past their time "
                            "limit (the board's 超期 list; `total` is their count)",
                            "schema": {"type": "string", "enum": ["1"]},
                        },
                        {
                            "name": "page",
                            "in": "query",
                            "schema": {
                                "type": "integer",
                                "minimum": 1,
                                "maximum": 100000,
                                "default": 1,
                            },
                        },
                        LIMIT,
                    ],
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "required": ["total", "page", "cases", "next"],
                                "properties": {
                                    "total": integer,
                                    "page": integer,
                                    "cases": {"type": "array", "items": _ref("Case")},
                                    "next": nullable_string,
                                },
                            }
                        ),
                        **ERRORS,
                    },
                },
                "post": {
                    "summary": "A 12345 ticket (the hotline platform only; bearer token)",
                    "security": [{"bearer": []}],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("Ticket")}},
                    },
                    "responses": {
                        "201": _json(_ref("TicketReceipt"), "Registered"),
                        "200": _json(
                            _ref("TicketReceipt"),
                            "Registered before (same ticket); with its query_code again when "
                            "sent within a day with the same phone (the first answer may have "
                            "been lost)",
                        ),
                        "400": _json(_ref("Error"), "Not JSON"),
                        "401": _json(_ref("Error"), "No or wrong token"),
                        "422": _json(_ref("Error"), "Refused fields"),
                    },
                },
            },
            "/api/v1/cases/{number}": {
                "get": {
                    "summary": "One case",
                    "parameters": [
                        {
                            "name": "number",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "maxLength": 16},
                        }
                    ],
                    "responses": {"200": _json(_ref("Case")), **ERRORS},
                }
            },
            "/api/v1/log": {
                "get": {
                    "summary": "The public log, in order; follow `next`",
                    "parameters": [
                        {
                            "name": "after",
                            "in": "query",
                            "schema": {
                                "type": "integer",
                                "minimum": 0,
                                "maximum": MAX_SEQ,
                                "default": 0,
                            },
                        },
                        LIMIT,
                    ],
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "required": ["entries", "next", "heads"],
                                "properties": {
                                    "entries": {"type": "array", "items": _ref("LogEntry")},
                                    "next": nullable_string,
                                    "heads": _ref("LogHeads"),
                                },
                            }
                        ),
                        **ERRORS,
                    },
                }
            },
            "/api/v1/search": {
                "get": {
                    "summary": "Site search: what holds every word of `q` (simplified or "
                    "traditional characters; synonyms counted), grouped by kind, 5 of each; "
                    "with `kind`, 20 per page. The plan's kinds best first; cases, findings, "
                    "visits and reports newest first. `near`: nothing held every word, these "
                    "hold the most. Never any personal data: cases only with their public words",
                    "parameters": [
                        {"name": "q", "in": "query", "schema": {"type": "string"}},
                        {"name": "kind", "in": "query", "schema": {"enum": list(KINDS)}},
                        {
                            "name": "category",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 1, "maximum": 999},
                        },
                        {"name": "district", "in": "query", "schema": {"enum": list(DISTRICTS)}},
                        {
                            "name": "year",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 2000, "maximum": 2100},
                        },
                        {
                            "name": "page",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 1, "maximum": 50},
                        },
                    ],
                    "responses": {"200": _json(_ref("Search")), **ERRORS},
                }
            },
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Search": {
                    "type": "object",
                    "required": [
                        "query",
                        "words",
                        "near",
                        "total",
                        "counts",
                        "capped",
                        "page",
                        "results",
                    ],
                    "properties": {
                        "query": string,
                        "words": {
                            "type": "array",
                            "description": "each word of the query, folded, with its synonyms",
                            "items": {"type": "array", "items": string},
                        },
                        "near": boolean,
                        "total": integer,
                        "counts": {
                            "type": "object",
                            "additionalProperties": integer,
                            "description": "things found per kind",
                        },
                        "capped": {
                            "type": "array",
                            "items": {"enum": list(KINDS)},
                            "description": "kinds found more often than counted (cases, "
                            "findings, visits and reports are counted up to 200, newest first)",
                        },
                        "page": integer,
                        "results": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": [
                                    "kind",
                                    "title",
                                    "url",
                                    "ref",
                                    "year",
                                    "status",
                                    "completion",
                                    "excerpt",
                                    "highlights",
                                    "context",
                                    "simulated",
                                ],
                                "properties": {
                                    "kind": {"enum": list(KINDS)},
                                    "title": string,
                                    "url": string,
                                    "ref": string,
                                    "year": integer,
                                    "status": nullable_string,
                                    "completion": {"type": ["number", "null"]},
                                    "excerpt": string,
                                    "highlights": {
                                        "type": "array",
                                        "description": "[start, end) of each match in excerpt",
                                        "items": {
                                            "type": "array",
                                            "items": integer,
                                            "minItems": 2,
                                            "maxItems": 2,
                                        },
                                    },
                                    "context": string,
                                    "simulated": boolean,
                                },
                            },
                        },
                    },
                },
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["status", "code", "message"],
                            "properties": {
                                "status": integer,
                                "code": string,
                                "message": string,
                                "fields": {"type": "array"},
                            },
                        }
                    },
                },
                "Plan": {
                    "type": "object",
                    "required": [
                        "year",
                        "document",
                        "categories",
                        "items",
                        "projects",
                        "key_projects",
                        "as_of",
                        "amendments",
                    ],
                    "properties": {
                        "year": integer,
                        "as_of": {"type": ["string", "null"], "format": "date"},
                        "amendments": {
                            "type": "object",
                            "required": ["count", "url"],
                            "properties": {"count": integer, "url": string},
                        },
                        "document": {"type": "object"},
                        "categories": {"type": "array"},
                        "items": {"type": "array"},
                        "projects": {"type": "array"},
                        "key_projects": {"type": "array"},
                    },
                },
                "Progress": {
                    "type": "object",
                    "required": ["year", "as_of", "completion", "projects"],
                    "properties": {
                        "year": integer,
                        "as_of": string,
                        "completion": {"type": "number"},
                        "projects": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["ref", "status", "completion"],
                                "properties": {
                                    "ref": string,
                                    "status": {
                                        "type": "string",
                                        "enum": [
                                            "not_started",
                                            "on_track",
                                            "behind",
                                            "done",
                                            "overdue",
                                        ],
                                    },
                                    "completion": {"type": "number", "minimum": 0, "maximum": 1},
                                    "simulated": {
                                        "type": "boolean",
                                        "description": "stands on reports of the labelled"
                                        " simulated year",
                                    },
                                },
                            },
                        },
                    },
                },
                "History": {
                    "type": "object",
                    "required": ["year", "ref", "targets", "reports"],
                    "properties": {
                        "year": integer,
                        "ref": string,
                        "targets": {"type": "array"},
                        "milestones": {"type": "array"},
                        "reports": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["report_id", "period", "recorded_at", "districts"],
                                "properties": {
                                    "districts": {
                                        "description": "The cumulative amounts by district, "
                                        "where the report broke a target down (target: its "
                                        "index among the project's targets)",
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": ["target", "district", "amount"],
                                            "properties": {
                                                "target": integer,
                                                "district": {
                                                    "type": "string",
                                                    "enum": list(DISTRICTS),
                                                },
                                                "amount": {"type": "string"},
                                            },
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
                "Tally": {
                    "type": "object",
                    "required": [
                        "satisfied",
                        "basically",
                        "unsatisfied",
                        "total",
                        "rate",
                        "interval_95",
                        "ranked",
                    ],
                    "properties": {
                        "satisfied": integer,
                        "basically": integer,
                        "unsatisfied": integer,
                        "total": integer,
                        "rate": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
                        "interval_95": {
                            "type": ["array", "null"],
                            "items": {"type": "number", "minimum": 0, "maximum": 1},
                        },
                        "ranked": boolean,
                    },
                },
                "Satisfaction": {
                    "type": "object",
                    "required": ["year", "formula", "min_ranked", "ratings", "cases"],
                    "properties": {
                        "year": integer,
                        "simulated": {
                            "type": "boolean",
                            "description": "the figures draw on the labelled simulated year",
                        },
                        "formula": string,
                        "min_ranked": integer,
                        "ratings": {
                            "type": "object",
                            "required": ["overall", "quarters", "by", "by_quarter"],
                            "properties": {
                                "overall": _ref("Tally"),
                                "by_quarter": {
                                    "type": "object",
                                    "description": "dimension → group → quarter → tally",
                                },
                                "quarters": {
                                    "type": "object",
                                    "additionalProperties": _ref("Tally"),
                                },
                                "by": {
                                    "type": "object",
                                    "additionalProperties": {
                                        "type": "object",
                                        "additionalProperties": _ref("Tally"),
                                    },
                                },
                            },
                        },
                        "cases": {
                            "type": "object",
                            "required": ["overall"],
                            "properties": {"overall": _ref("Tally")},
                        },
                        "cases_first_evaluation": {
                            "description": "The same cases counted by their first "
                            "evaluation (销号 needs a content latest one)",
                            "type": "object",
                            "required": ["overall"],
                            "properties": {"overall": _ref("Tally")},
                        },
                        "cases_formula": {"type": "object"},
                    },
                },
                "Scored": {
                    "type": "object",
                    "required": ["key", "label", "rank", "score", "inputs", "components"],
                    "properties": {
                        "key": string,
                        "label": string,
                        "rank": {"type": "integer", "minimum": 1},
                        "score": {"type": "number", "minimum": 0, "maximum": 100},
                        "inputs": {
                            "type": "object",
                            "required": [
                                "completion",
                                "reports_due",
                                "reports_on_time",
                                "findings_raised",
                                "findings_open",
                                "ratings_content",
                                "ratings_total",
                            ],
                        },
                        "components": {
                            "type": "object",
                            "additionalProperties": {"type": "number", "minimum": 0, "maximum": 1},
                        },
                    },
                },
                "Evaluation": {
                    "type": "object",
                    "required": ["year", "formula", "projects", "units", "awards"],
                    "properties": {
                        "year": integer,
                        "simulated": {
                            "type": "boolean",
                            "description": "the scores draw on the labelled simulated year",
                        },
                        "formula": {
                            "type": "object",
                            "required": ["as_of", "weights", "minimum_ratings", "awards"],
                        },
                        "projects": {"type": "array", "items": _ref("Scored")},
                        "units": {"type": "array", "items": _ref("Scored")},
                        "awards": {
                            "type": "object",
                            "additionalProperties": {
                                "type": "object",
                                "required": [
                                    "name",
                                    "places",
                                    "candidates",
                                    "nominated",
                                    "selected",
                                ],
                                "properties": {
                                    "candidates": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": ["key", "rank"],
                                        },
                                    },
                                    "nominated": {"type": "array", "items": string},
                                    "selected": {"type": "array", "items": string},
                                },
                            },
                        },
                    },
                },
                "Case": {
                    "type": "object",
                    "required": ["number", "category", "district", "stage", "consent", "url"],
                    "properties": {
                        "number": string,
                        "year": integer,
                        "category": string,
                        "district": string,
                        "stage": {"type": "string", "enum": list(STATES)},
                        "consent": boolean,
                        "simulated": boolean,
                        "url": string,
                        "lead_unit": nullable_string,
                        "deadline": nullable_string,
                        "overdue": boolean,
                        "first_evaluation": nullable_string,
                        "evaluation": nullable_string,
                        "rehandled": integer,
                    },
                },
                "Ticket": {
                    "type": "object",
                    "required": [
                        "external_id",
                        "received_on",
                        "category",
                        "district",
                        "title",
                        "content",
                        "name",
                        "phone",
                    ],
                    "description": "Fields are refused (422, each named) when blank after"
                    " trimming spaces, or when the phone is not a mainland mobile or a"
                    " landline with its area code.",
                    "additionalProperties": False,
                    "properties": {
                        "external_id": {"type": "string", "minLength": 1, "maxLength": 40},
                        "received_on": {"type": "string", "format": "date"},
                        "category": {"type": "string", "enum": list(CATEGORIES)},
                        "district": {"type": "string", "enum": list(DISTRICTS)},
                        "title": {"type": "string", "minLength": 1, "maxLength": 60},
                        "content": {"type": "string", "minLength": 1, "maxLength": 2000},
                        "name": {"type": "string", "minLength": 1, "maxLength": 30},
                        "phone": {
                            "type": "string",
                            "maxLength": 20,
                            "examples": ["13812345678", "0510-12345678"],
                        },
                        "consent": boolean,
                    },
                },
                "TicketReceipt": {
                    "type": "object",
                    "required": ["number", "created"],
                    "properties": {"number": string, "created": boolean, "query_code": string},
                },
                "LogHeads": {
                    "description": "The public log's length and head hash, and the store "
                    "chain's (every stored event record, public or not): its length and last link",
                    "type": "object",
                    "required": ["public", "store"],
                    "properties": {
                        "public": {
                            "type": ["object", "null"],
                            "required": ["entries", "head"],
                            "properties": {"entries": integer, "head": string},
                        },
                        "store": {
                            "type": ["object", "null"],
                            "required": ["events", "head"],
                            "properties": {"events": integer, "head": string},
                        },
                    },
                },
                "LogEntry": {
                    "type": "object",
                    "required": [
                        "seq",
                        "uuid",
                        "kind",
                        "recorded_at",
                        "payload",
                        "prev_hash",
                        "hash",
                    ],
                    "properties": {
                        "seq": integer,
                        "uuid": string,
                        "kind": string,
                        "recorded_at": string,
                        "payload": {"type": "object"},
                        "prev_hash": string,
                        "hash": string,
                    },
                },
            },
        },
    }
