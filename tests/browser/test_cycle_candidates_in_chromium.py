"""The cycle's candidates in Chromium: on a phone (390 px) no page and no table scrolls
sideways, the vote's figures read as labelled cards, and no serious accessibility violation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Browser

from application.simulated_candidates import write_simulated_candidates
from tests.browser.conftest import axe_violations, screenshot, serve
from tests.browser.test_phones_in_chromium import OVERFLOW, PHONE
from tests.conftest import make_app
from tests.stores import Templates, year_with

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PAGES = (
    "/cycle/2024/candidates/",
    "/cycle/2024/candidates/4",
    "/cycle/2024/conversions/",
    "/cycle/2024/conversions/1",
    "/cycle/2024/vote",
)


@pytest.fixture(scope="module")
def cycle_server(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    store_templates: Templates,
) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("cycle")
    url = store_templates.copy(year_with(cases=100, raters=500), "sqlite", request, folder)
    app: Flask = make_app(url, folder)
    services = app.extensions["minsheng"]
    write_simulated_candidates(services.ledger, 2024, [f"P{n}" for n in range(1, 13)])
    services.caught_up()
    yield from serve(app)


def test_the_cycles_pages_fit_a_phone_and_pass_axe(browser: Browser, cycle_server: str) -> None:
    context = browser.new_context(
        viewport={"width": PHONE, "height": 844},
        is_mobile=True,
        has_touch=True,
        bypass_csp=True,
        locale="zh-CN",
    )
    page = context.new_page()
    found: list[str] = []
    try:
        for path in PAGES:
            response = page.goto(cycle_server + path)
            assert response and response.ok, path
            seen = page.evaluate(OVERFLOW, PHONE)
            if seen["page"] > PHONE:
                found.append(f"{path}: the page is {seen['page']}px wide")
            found += [f"{path}: {table}" for table in seen["tables"]]
            found += [f"{path}: {v['id']}" for v in axe_violations(page)]
        page.goto(cycle_server + "/cycle/2024/vote")
        screenshot(page, "cycle-vote-390")
        # a table on a phone reads as labelled cards: each figure says what it is
        label = page.locator("main table.stack td[data-label]").first.get_attribute("data-label")
        assert label == "候选项目"
        assert page.locator("main").get_by_text("模拟").count() > 0
    finally:
        context.close()
    assert found == [], "\n".join(found)
