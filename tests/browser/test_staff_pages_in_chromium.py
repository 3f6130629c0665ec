"""The task force's pages in Chromium: accessible, and usable on a phone."""

from __future__ import annotations

import re

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


def sign_in(page: Page, server: str) -> None:
    page.goto(server + "/staff/login")
    page.fill("#username", "gov.chen")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("工作台")


def test_staff_pages_have_no_serious_accessibility_violations(page: Page, live_server: str) -> None:
    sign_in(page, live_server)
    page.goto(live_server + "/staff/cases/")
    first_case = page.locator("a[href^='/staff/cases/']").filter(has_text=re.compile(r"\d")).first
    pages = {**STAFF_PAGES, "staff-case": first_case.get_attribute("href") or ""}
    for name, path in pages.items():
        response = page.goto(live_server + path)
        assert response is not None and response.status == 200, path
        screenshot(page, name)
        violations = axe_violations(page)
        assert violations == [], (
            path,
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
