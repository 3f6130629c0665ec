"""Absolute URLs come from PUBLIC_BASE_URL, never from a Host header a client forged."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient

from application.case_commands import Intake
from minsheng_site.config import from_environment
from minsheng_site.services import Services
from projections.cases.case_queries import all_rows
from tests.clock import Clock
from tests.conftest import AppFactory

BASE = "https://minsheng.example.gov.cn"
FORGED = {"Host": "evil.example", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http"}
CASE = Intake(
    year=2023,
    channel="online",
    category="文体旅游",
    district="滨湖区",
    title="公园健身器材损坏",
    content="公园内健身器材损坏多日无人维修。",
    name="测试者",
    phone="13900001111",
    consent=True,
    received_on=date(2023, 9, 4),
)
FIXED = [
    "/",
    "/plans/2023/",
    "/plans/2023/items/9",
    "/feeds.opml",
    "/api/v1/plans",
    "/api/v1/plans/2023",
    "/api/v1/plans/2023/progress",
    "/api/v1/plans/2023/projects/9.1/history",
    "/api/v1/openapi.json",
    "/api/docs",
    "/api/v1/cases",
    "/api/v1/log",
    "/open-data/plans/2023/projects.csv",
    "/open-data/cases.csv",
    "/open311/v2/discovery.json",
    "/open311/v2/discovery.xml",
    "/open311/v2/services.json",
    "/open311/v2/requests.json",
    "/open311/v2/requests.xml?page_size=1",
]


@pytest.fixture
def app(app_factory: AppFactory) -> Flask:
    # behind one trusted proxy, which passes on whatever X-Forwarded-Host it was sent
    created = app_factory(
        clock=Clock("2023-09-04T09:00"), plan=True, PUBLIC_BASE_URL=BASE, TRUSTED_PROXIES=1
    )
    services: Services = created.extensions["minsheng"]
    for _ in range(2):
        services.ledger.submit_case(CASE, actor="citizen")
    services.caught_up()
    return created


def forged(client: FlaskClient, path: str) -> tuple[int, str, dict[str, str]]:
    response = client.get(path, headers=FORGED)
    return response.status_code, response.get_data(as_text=True), dict(response.headers)


def test_a_forged_host_reaches_no_page_feed_opml_or_api_answer(app: Flask) -> None:
    client = app.test_client()
    status, opml, _ = forged(client, "/feeds.opml")
    feeds = re.findall(r'xmlUrl="([^"]+)"', opml)
    assert status == 200 and len(feeds) > 5
    assert all(url.startswith(BASE + "/feeds") for url in feeds)
    with app.extensions["minsheng"].read() as c:
        number = all_rows(c, None)[0].number  # one case's own answers too
    paths = FIXED + [url.removeprefix(BASE) for url in feeds]
    paths += [f"/api/v1/cases/{number}", f"/open311/v2/requests/{number}.json"]
    paths += [f"/open311/v2/requests/{number}/history.xml", f"/cases/{number}"]
    for path in paths:
        status, body, headers = forged(client, path)
        assert status == 200, path
        assert "evil.example" not in body + repr(headers), path
    assert f'href="{BASE}/plans/2023/"' in forged(client, "/plans/2023/")[1]
    assert f"{BASE}/api/v1/plans/2023" in forged(client, "/api/v1/plans")[1]


def test_the_default_base_is_the_local_development_address() -> None:
    assert from_environment({})["PUBLIC_BASE_URL"] == "http://127.0.0.1:5000"
