"""Search as a resident meets it, in Chromium: the box in the header, live results as she
types (htmx), the same without JavaScript, traditional characters, a phone's width, axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import axe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.parametrize("width", [390, 1280])
def test_typing_in_the_search_page_shows_results_live(
    page: Page, live_server: str, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server}/search")
    page.locator("#q").press_sequentially("电梯", delay=50)
    first = page.locator("#search-results .search-title a").first
    expect(first).to_contain_text("电梯")  # no Enter pressed: htmx asked as she typed
    assert "q=" in page.url  # the address follows, so the results can be shared
    expect(page.locator("#search-results mark").first).to_have_text("电梯")
    expect(page.locator("#search-results .status").first).to_be_visible()
    width_used = page.evaluate("document.documentElement.scrollWidth")
    assert width_used <= width
    assert axe_violations(page) == []
    screenshot(page, f"search-{width}")
    first.click()
    expect(page).to_have_url(f"{live_server}/plans/2023/projects/9.1")


def test_the_header_box_searches_from_any_page_without_javascript(
    browser: Browser, live_server: str
) -> None:
    context = browser.new_context(locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    try:
        page.goto(f"{live_server}/plans/2023/progress")
        box = page.locator("form.site-search input[name=q]")
        box.fill("公廁")  # traditional characters
        box.press("Enter")
        expect(page.locator("#search-results")).to_contain_text("城市公厕新改建")
        page.locator("#f-kind").select_option("project")
        page.locator(".search-form button[type=submit]").click()
        expect(page.locator("#search-results h2")).to_have_count(1)
        page.goto(f"{live_server}/plans/2023/")
        page.locator("form.site-search input[name=q]").fill("9.1")
        page.locator("form.site-search input[name=q]").press("Enter")
        expect(page).to_have_url(f"{live_server}/plans/2023/projects/9.1")
    finally:
        context.close()
