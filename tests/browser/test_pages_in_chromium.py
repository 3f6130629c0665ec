"""What only a browser shows: accessibility, layout on a phone, htmx and its no-JS fallback."""

from __future__ import annotations

import json
import urllib.request
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import axe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGES = {
    "home": "/",
    "item": "/plans/2023/items/8",
    "project": "/plans/2023/projects/10.1",
    "projects": "/plans/2023/projects/",
    "key-project": "/plans/2023/key-projects/3",
    "unit": "/plans/2023/units/市住房城乡建设局",
    "document": "/plans/2023/document",
    "not-found": "/plans/2023/items/99",
    "progress": "/plans/2023/progress?as_of=2023-06-30",
    "scorecards": "/plans/2023/scorecards",
    "supervision": "/plans/2023/supervision",
    "project-mid-year": "/plans/2023/projects/9.1?as_of=2023-06-30",
    "method": "/plans/2023/method",
    "login": "/staff/login",
    "journalists": "/journalists",
    "api-docs": "/api/docs",
    "satisfaction": "/plans/2023/satisfaction",
    "evaluation": "/plans/2023/evaluation",
    "cases": "/cases/",
    "privacy": "/privacy",
}


@pytest.mark.parametrize("name", list(PAGES))
def test_pages_have_no_serious_accessibility_violations(
    page: Page, live_server: str, name: str
) -> None:
    page.goto(live_server + PAGES[name])
    path = screenshot(page, name)
    assert path.stat().st_size > 10_000
    violations = axe_violations(page)
    assert violations == [], [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in violations
    ]


def an_event_page(live_server: str) -> str:
    """The permanent page of a monthly report: long hashes, the hashed JSON."""
    with urllib.request.urlopen(f"{live_server}/api/v1/log?limit=500") as response:
        entries = json.loads(response.read())["entries"]
    report = next(e for e in entries if e["kind"] == "report.filed")
    return urlsplit(report["url"]).path


def test_an_event_page_has_no_serious_accessibility_violations(
    page: Page, live_server: str
) -> None:
    page.goto(live_server + an_event_page(live_server))
    expect(page.get_by_text("在公开记录链中的位置")).to_be_visible()
    assert axe_violations(page) == []


@pytest.mark.parametrize(
    "name",
    ["home", "item", "projects", "document", "journalists", "satisfaction", "evaluation", "event"],
)
def test_pages_fit_a_phone_screen_without_sideways_scrolling(
    browser: Browser, live_server: str, name: str
) -> None:
    path = an_event_page(live_server) if name == "event" else PAGES[name]
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    page = context.new_page()
    page.goto(live_server + path)
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    screenshot(page, f"phone-{name}")
    context.close()
    assert overflow <= 0


def test_filtering_projects_with_htmx_swaps_the_table_and_updates_the_address(
    page: Page, live_server: str
) -> None:
    page.goto(live_server + "/plans/2023/projects/")
    expect(page.locator(".result-count")).to_have_text("共118个具体项目")
    page.evaluate("() => { window.stillTheSamePage = true }")
    page.select_option("#f-category", "3")
    expect(page.locator(".result-count")).to_have_text("共17个具体项目")
    assert page.url.endswith("/plans/2023/projects/?category=3&key=")
    assert page.evaluate("() => window.stillTheSamePage") is True  # swapped, not reloaded
    page.go_back()
    expect(page.locator(".result-count")).to_have_text("共118个具体项目")


def test_filtering_projects_works_without_javascript(browser: Browser, live_server: str) -> None:
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    page.goto(live_server + "/plans/2023/projects/")
    page.select_option("#f-key", "any")
    page.click("main button[type=submit]")
    expect(page.locator(".result-count")).to_have_text("共42个具体项目")
    assert "key=any" in page.url
    context.close()


def test_switching_to_traditional_chinese_converts_the_page(page: Page, live_server: str) -> None:
    page.goto(live_server + "/plans/2023/items/9")
    page.click("text=繁體中文")
    expect(page.locator("h2").first).to_have_text("責任單位")
    expect(page.locator("blockquote")).to_contain_text("完成既有住宅加裝電梯300臺")
    assert page.url.endswith("/plans/2023/items/9")
