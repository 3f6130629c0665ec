"""The task force's pages in Chromium: accessible, and usable on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import axe_violations, screenshot
from tests.web.staff_helpers import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]

STAFF_PAGES = {
    "staff-home": "/staff/",
    "staff-cases": "/staff/cases/",
    "staff-case-new": "/staff/cases/new",
    "staff-moderation": "/staff/ratings/",
    "staff-awards": "/staff/awards/2023",
    "staff-supervision": "/staff/plans/2023/supervision/new",
    "staff-report": "/staff/plans/2023/items/9/report",
}


def sign_in(page: Page, server: str, username: str = "gov.chen") -> None:
    page.goto(server + "/staff/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_contain_text("工作台")


def test_staff_pages_have_no_serious_accessibility_violations(page: Page, live_server: str) -> None:
    sign_in(page, live_server)
    page.goto(live_server + "/staff/cases/")
    # a case of the queue (not "登记12345来电", which also has digits)
    first_case = page.locator("table.cases a[href^='/staff/cases/']").first
    case = first_case.get_attribute("href") or ""
    pages = {**STAFF_PAGES, "staff-case": case, "staff-access-log": "/staff/cases/access-log"}
    for name, path in pages.items():
        assert_accessible(page, live_server + path, name)
    page.context.clear_cookies()
    sign_in(page, live_server, "rd.zhang")
    assert_accessible(page, live_server + case, "staff-case-supervisor")
    expect(page.locator("#private + p")).to_contain_text("仅诉求专班和承办单位可见")


def assert_accessible(page: Page, url: str, name: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    screenshot(page, name)
    violations = axe_violations(page)
    assert violations == [], (
        url,
        [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in violations],
    )


def test_the_awards_page_fits_a_phone(browser: Browser, live_server: str) -> None:
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    sign_in(page, live_server)
    for path in ("/staff/awards/2023", "/staff/ratings/"):
        page.goto(live_server + path)
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, path
    context.close()
