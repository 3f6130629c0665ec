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
        response = case.call()
        case.validate_response(response)

    check()
