"""Rate limits are one count for every process, exact, and not dodged by changing address.

Every test here counts in a real Redis (what production and `make run` use).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from limits import parse

from tests.clock import Clock
from tests.conftest import AppFactory, make_app
from tests.web.staff_helpers import csrf, post_form

PHONE = "13812345678"


@pytest.fixture
def app(app_factory: AppFactory, redis_url: str) -> Flask:
    return app_factory(
        clock=Clock("2023-08-10T10:00"),
        RATELIMIT_STORAGE_URI=redis_url,
        DEV_OUTBOX=True,
        CODE_LIMIT_PER_CONTACT="1000 per hour",  # so that only the limit on failures is tried
    )


def allowed(app: Flask, setting: str) -> int:
    """How many the documented setting allows (the app's own value, e.g. '10 per 10 minutes')."""
    return parse(app.config[setting]).amount


def client_at(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def lookup(client: FlaskClient, number: str, code: str = "12345678") -> int:
    return post_form(client, "/cases/lookup", {"number": number, "code": code})[0]


def test_two_processes_on_one_store_share_each_count(
    app: Flask, database_url: str, tmp_path: Path, redis_url: str
) -> None:
    other = make_app(database_url, tmp_path, RATELIMIT_STORAGE_URI=redis_url)
    try:
        first, second = client_at(app, "192.0.2.1"), client_at(other, "192.0.2.1")
        n = allowed(app, "LOOKUP_LIMIT")
        statuses = [lookup((first, second)[i % 2], f"2023-{i:06d}") for i in range(n + 2)]
        assert statuses == [401] * n + [429, 429]
    finally:
        other.extensions["minsheng"].close()


def test_failed_lookups_of_one_case_number_are_limited_from_any_address(app: Flask) -> None:
    n = allowed(app, "LOOKUP_LIMIT_PER_CASE")
    statuses = [lookup(client_at(app, f"198.51.{i // 200}.{i % 200 + 1}"), "2023-AAAAAA")
                for i in range(n + 1)]  # fmt: skip
    assert statuses == [401] * n + [429]
    assert lookup(client_at(app, "198.51.99.1"), "2023-BBBBBB") == 401  # other cases are not held


def test_one_ipv6_network_is_one_client_whatever_address_it_takes(app: Flask) -> None:
    n = allowed(app, "LOOKUP_LIMIT")
    statuses = [lookup(client_at(app, f"2001:db8:1:2::{i + 1:x}"), f"2023-{i:06d}")
                for i in range(n + 1)]  # fmt: skip
    assert statuses == [401] * n + [429]
    assert lookup(client_at(app, "2001:db8:1:3::1"), "2023-ZZZZZZ") == 401  # the next /64


def test_an_ipv4_mapped_address_counts_as_the_ipv4_address(app: Flask) -> None:
    n = allowed(app, "LOOKUP_LIMIT")
    for i in range(n):
        assert lookup(client_at(app, "192.0.2.9"), f"2023-{i:06d}") == 401
    assert lookup(client_at(app, "::ffff:192.0.2.9"), "2023-ZZZZZZ") == 429


def test_failed_code_checks_are_limited_per_contact_from_any_address(app: Flask) -> None:
    n = allowed(app, "VERIFY_LIMIT_PER_CONTACT")
    statuses = []
    for i in range(n + 1):
        citizen = client_at(app, f"203.0.{i // 200}.{i % 200 + 1}")
        token = csrf(citizen, "/ratings/verify")
        asked = citizen.post("/ratings/verify", data={"csrf_token": token, "contact": PHONE})
        url = asked.headers["Location"]
        statuses.append(
            citizen.post(url, data={"csrf_token": csrf(citizen, url), "code": "000000"}).status_code
        )
    assert statuses == [401] * n + [429]


def test_limited_forms_fail_closed_while_the_limit_store_is_down(
    database_url: str, tmp_path: Path
) -> None:
    down = make_app(database_url, tmp_path, RATELIMIT_STORAGE_URI=f"redis+unix://{tmp_path}/gone")
    try:
        client = client_at(down, "192.0.2.1")
        assert client.get("/cases/").status_code == 200  # pages count nothing
        assert lookup(client, "2023-AAAAAA") == 500  # no count, no guess
    finally:
        down.extensions["minsheng"].close()


def test_searches_are_limited_per_address_page_and_api_together(app: Flask) -> None:
    """Each search built counts (a page replayed from the page cache costs nothing)."""
    n = allowed(app, "SEARCH_LIMIT")
    client = client_at(app, "203.0.113.40")
    answers = [
        client.get("/search" if i % 2 else "/api/v1/search", query_string={"q": f"电梯{i}"})
        for i in range(n)
    ]
    assert {a.status_code for a in answers} == {200}
    assert client.get("/search?q=x").status_code == 429
    assert client.get("/api/v1/search?q=y").status_code == 429
    assert client_at(app, "203.0.113.41").get("/search?q=z").status_code == 200
