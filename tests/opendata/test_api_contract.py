"""The published OpenAPI document is a contract: schemathesis generates requests from it.

Every GET operation is called with generated parameters; each response must be
no server error, a status the document declares, the declared content type and
a body that matches the declared schema.
"""

from __future__ import annotations

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.generation.case import Case
from schemathesis.specs.openapi.checks import positive_data_acceptance

# Schemathesis sends requests' default Accept-Encoding, but its WSGI transport hands it the
# body as sent and it does not decode it: ask for none (compression: test_page_cache.py).
PLAIN = {"Accept-Encoding": "identity"}


def test_every_read_operation_keeps_its_published_contract(year_app: Flask) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", year_app).include(method="GET")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 7, "the document lists the read API"

    @settings(
        max_examples=60,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        case: Case = data.draw(schema.as_strategy())
        response = case.call(headers=PLAIN)
        case.validate_response(response, headers=PLAIN)

    check()


def test_the_hotline_intake_keeps_its_published_contract(app: Flask) -> None:
    """POST /api/v1/cases with the platform's token: generated tickets, valid and not.

    A ticket can match the schema and still be refused with a documented 422
    (a blank title after trimming, a phone that is no phone number): those rules
    are the domain's, not JSON Schema's, so schema-valid data may be refused here.
    Everything else holds: no server error, a declared status and content type,
    a body matching its schema, and schema-invalid tickets refused.
    """
    app.config["INTAKE_API_TOKEN"] = "fuzz-token"
    app.config["RATELIMIT_ENABLED"] = False
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app).include(
        method="POST", path="/api/v1/cases"
    )
    bearer = {"Authorization": "Bearer fuzz-token", **PLAIN}

    @settings(
        max_examples=60,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        case: Case = data.draw(schema.as_strategy())
        response = case.call(headers=bearer)
        case.validate_response(response, headers=bearer, excluded_checks=[positive_data_acceptance])

    check()
