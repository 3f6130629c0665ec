"""Phones and elder readers in Chromium: no sideways scrolling at 390 px (tables become
labelled cards), a menu button that works without JavaScript, the language switch in the
header, and the large-text mode (适老化) — in 简体, 繁體 and English, at 390 and 1280 px."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import axe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE, LAPTOP = 390, 1280
LANGUAGES = ("zh_Hans", "zh_Hant", "en")
PAGES = (
    "/",
    "/plans/2023/progress",
    "/plans/2023/projects/",
    "/plans/2023/categories/3",
    "/plans/2023/items/9",
    "/plans/2023/projects/9.1",
    "/plans/2023/projects/9.1/changes",
    "/plans/2023/key-projects/",
    "/plans/2023/key-projects/1",
    "/plans/2023/units/",
    "/plans/2023/units/市住房城乡建设局",
    "/plans/2023/scorecards",
    "/plans/2023/supervision",
    "/plans/2023/satisfaction",
    "/plans/2023/evaluation",
    "/plans/2023/method",
    "/plans/2023/document",
    "/cases/",
    "/cases/stats",
    "/plans/2023/districts/",
    "/plans/2023/districts/梁溪区",
    "/search?q=电梯",
)
# What spills past the screen: the page itself, and every table in <main> (closed
# <details> opened first: their tables count too) that is wider than the screen or
# scrolls inside its box.
OVERFLOW = """(screen) => {
  document.querySelectorAll('main details').forEach(d => { d.open = true; });
  const page = document.documentElement.scrollWidth;
  const tables = [...document.querySelectorAll('main table')].filter(t => {
    const box = t.closest('.table-scroll') || t.parentElement;
    return t.getBoundingClientRect().right > screen + 0.5 || box.scrollWidth > box.clientWidth
      || t.scrollWidth > t.clientWidth;
  }).map(t => (t.className || 'table') + ' ' + Math.round(t.scrollWidth) + 'px');
  return {page, tables};
}"""


@contextmanager
def reader(
    browser: Browser,
    server: str,
    width: int,
    language: str = "zh_Hans",
    large: bool = False,
    javascript: bool = True,
) -> Iterator[BrowserContext]:
    """A reader's browser: a phone (touch, mobile viewport) or a laptop, with the language
    and reading mode they chose earlier (the cookies the switches leave)."""
    context = browser.new_context(
        viewport={"width": width, "height": 844 if width == PHONE else 900},
        is_mobile=width == PHONE,
        has_touch=width == PHONE,
        java_script_enabled=javascript,
        bypass_csp=True,  # axe is injected
    )
    cookies = [("lang", language)] + ([("reading", "large")] if large else [])
    context.add_cookies([{"name": k, "value": v, "url": server} for k, v in cookies])
    try:
        yield context
    finally:
        context.close()


def overflows(page: Page, server: str, width: int) -> list[str]:
    found = []
    for path in PAGES:
        response = page.goto(server + path)
        assert response and response.ok, path
        seen = page.evaluate(OVERFLOW, width)
        if seen["page"] > width:
            found.append(f"{path}: the page is {seen['page']}px wide")
        found += [f"{path}: {table}" for table in seen["tables"]]
    return found


@pytest.mark.parametrize("large", [False, True], ids=["standard", "large"])
@pytest.mark.parametrize("width", [PHONE, LAPTOP])
def test_no_page_and_no_table_scrolls_sideways(
    browser: Browser, live_server: str, width: int, large: bool
) -> None:
    found = []
    # on a laptop, traditional characters take the width of the simplified ones they replace
    for language in LANGUAGES if width == PHONE else ("zh_Hans", "en"):
        with reader(browser, live_server, width, language, large) as context:
            found += [f"{language} {f}" for f in overflows(context.new_page(), live_server, width)]
    assert found == []


def test_at_twice_the_text_size_in_large_text_nothing_overflows_a_phone(
    browser: Browser, live_server: str
) -> None:
    found = []
    for language in LANGUAGES:
        with reader(browser, live_server, PHONE, language, large=True) as context:
            page = context.new_page()
            # the browser's own text size setting at 200% (16 px -> 32 px), as a reader sets it
            context.new_cdp_session(page).send(
                "Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}}
            )
            page.goto(live_server + "/")
            text = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
            assert text >= 40  # px: twice the phone's large text
            found += [f"{language} {f}" for f in overflows(page, live_server, PHONE)]
    assert found == []


def test_a_table_on_a_phone_reads_as_labelled_cards(browser: Browser, live_server: str) -> None:
    with reader(browser, live_server, PHONE) as context:
        page = context.new_page()
        page.goto(live_server + "/plans/2023/progress?category=9")
        row = page.locator("table.progress tbody tr").first
        expect(row.locator("th")).to_contain_text("9.1")
        # each value under the row's header, with its column's name before it
        labels = row.locator("td").evaluate_all(
            "cells => cells.map(e => getComputedStyle(e, '::before').content)"
        )
        assert labels[:2] == ['"牵头单位："', '"状态："']
        boxes = row.locator("th, td").evaluate_all(
            "cells => cells.map(c => c.getBoundingClientRect()).map(r => [r.left, r.top])"
        )
        assert len({round(left) for left, _top in boxes}) == 1, "one column: a card"
        assert [top for _left, top in boxes] == sorted(top for _left, top in boxes)
        screenshot(page, "phone-progress-cards")
    with reader(browser, live_server, LAPTOP) as context:
        page = context.new_page()
        page.goto(live_server + "/plans/2023/progress?category=9")
        expect(page.locator("table.progress thead")).to_be_visible()  # a table on a laptop
        before = "e => getComputedStyle(e, '::before').content"
        assert page.locator("table.progress tbody td").first.evaluate(before) == "none"


def test_the_menu_works_without_javascript_and_the_laptop_shows_the_navigation(
    browser: Browser, live_server: str
) -> None:
    with reader(browser, live_server, PHONE, javascript=False) as context:
        page = context.new_page()
        page.goto(live_server + "/plans/2023/items/9")
        header = page.locator("header.site-header")
        # one row: the site's name, large text and the menu button (the search box may follow)
        tops = header.locator(".site-name, .reading-switch, .menu summary").evaluate_all(
            "all => all.map(e => Math.round(e.getBoundingClientRect().top))"
        )
        assert len(tops) == 3 and max(tops) - min(tops) < 20, tops
        progress = header.get_by_role("link", name="进展", exact=True)
        expect(progress).to_be_hidden()
        header.get_by_text("菜单").click()
        expect(progress).to_be_visible()
        expect(header.get_by_role("link", name="English")).to_be_visible()
        progress.click()
        expect(page).to_have_url(live_server + "/plans/2023/progress")
    with reader(browser, live_server, LAPTOP) as context:
        page = context.new_page()
        page.goto(live_server + "/plans/2023/items/9")
        header = page.locator("header.site-header")
        expect(header.get_by_text("菜单")).to_be_hidden()
        expect(header.get_by_role("link", name="进展", exact=True)).to_be_visible()
        expect(header.get_by_role("link", name="English")).to_be_visible()


@pytest.mark.parametrize("width", [PHONE, LAPTOP])
def test_the_language_switch_in_the_header_keeps_the_reader_on_the_page(
    browser: Browser, live_server: str, width: int
) -> None:
    with reader(browser, live_server, width, javascript=False) as context:
        page = context.new_page()
        page.goto(live_server + "/plans/2023/progress?status=overdue")
        header = page.locator("header.site-header")
        for menu, language in (("菜单", "English"), ("Menu", "繁體中文")):
            if width == PHONE:
                header.get_by_text(menu).click()
            header.get_by_role("link", name=language).click()
            expect(page).to_have_url(live_server + "/plans/2023/progress?status=overdue")
            if language == "English":
                expect(page.locator("h1")).to_have_text("Progress overview, 2023")
        expect(page.locator("html")).to_have_attribute("lang", "zh-Hant")
        expect(page.locator("h1")).to_have_text("2023年進展總覽")


def test_large_text_is_chosen_without_javascript_and_kept_on_every_page(
    browser: Browser, live_server: str
) -> None:
    with reader(browser, live_server, PHONE, javascript=False) as context:
        page = context.new_page()
        page.goto(live_server + "/plans/2023/items/9?as_of=2023-06-30")
        html = page.locator("html")
        expect(html).not_to_have_class("large-text")
        page.get_by_role("link", name="大字模式").click()
        expect(page).to_have_url(live_server + "/plans/2023/items/9?as_of=2023-06-30")
        expect(html).to_have_class("large-text")
        page.locator("header").get_by_text("菜单").click()
        page.locator("header").get_by_role("link", name="民生诉求").click()
        expect(page).to_have_url(live_server + "/cases/")
        expect(html).to_have_class("large-text")
        page.goto(live_server + "/plans/2023/satisfaction")  # a new visit: the cookie
        expect(html).to_have_class("large-text")
        page.get_by_role("link", name="标准字号").click()
        expect(html).not_to_have_class("large-text")


def contrast(page: Page, selector: str) -> float:
    """WCAG contrast of the element's text colour on white (the page's background)."""
    rgb = page.locator(selector).first.evaluate("e => getComputedStyle(e).color")
    channels = [int(c) / 255 for c in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


TARGETS = (
    "header a, header summary, .breadcrumbs a, .pager a, main button, main select, "
    "main input:not([type=hidden]), .languages a"
)


@pytest.mark.parametrize("width", [PHONE, LAPTOP])
def test_large_text_is_bigger_darker_and_easier_to_tap(
    browser: Browser, live_server: str, width: int
) -> None:
    measured = {}
    for large in (False, True):
        with reader(browser, live_server, width, large=large) as context:
            page = context.new_page()
            page.goto(live_server + "/plans/2023/items/8")
            body = page.evaluate(
                "() => { const s = getComputedStyle(document.body);"
                " return [parseFloat(s.fontSize), parseFloat(s.lineHeight)]; }"
            )
            measured[large] = (*body, contrast(page, ".note"))
            if large:
                if width == PHONE:
                    page.locator("header").get_by_text("菜单").click()
                heights = page.locator(TARGETS).evaluate_all(
                    "all => all.filter(e => e.offsetParent !== null)"
                    ".map(e => [e.textContent.trim() || e.name, e.getBoundingClientRect().height])"
                )
                assert len(heights) > 15
                assert [(name, h) for name, h in heights if h < 44] == []
                screenshot(page, f"large-text-{width}")
    (size, line, muted), (large_size, large_line, large_muted) = measured[False], measured[True]
    assert large_size >= 1.25 * size
    assert large_line / large_size > line / size  # more space between lines, not only bigger
    assert large_muted >= 7 > muted  # the greyed text reaches WCAG AAA contrast


def test_phones_get_the_small_chart_drawing(browser: Browser, live_server: str) -> None:
    for width, small in ((PHONE, True), (LAPTOP, False)):
        with reader(browser, live_server, width) as context:
            page = context.new_page()
            for path in ("/plans/2023/projects/9.1", "/plans/2023/satisfaction"):
                page.goto(live_server + path)
                chart = page.locator("figure.chart img[src*='chart.svg']")
                chart.scroll_into_view_if_needed()
                expect(chart).to_have_js_property("complete", True)
                source = chart.evaluate("img => img.currentSrc")
                assert ("size=small" in source) is small, (width, path, source)


ACCESSIBLE = (
    "/plans/2023/progress",
    "/plans/2023/projects/9.1",
    "/plans/2023/projects/9.1/changes",
    "/plans/2023/units/",
    "/plans/2023/scorecards",
    "/plans/2023/satisfaction",
    "/plans/2023/evaluation",
    "/plans/2023/method",
    "/cases/",
    "/cases/stats",
)


@pytest.mark.parametrize(
    ("width", "large"), [(PHONE, False), (PHONE, True), (LAPTOP, True)], ids=str
)
def test_changed_pages_have_no_serious_accessibility_violations_in_either_mode(
    browser: Browser, live_server: str, width: int, large: bool
) -> None:
    found = {}
    with reader(browser, live_server, width, large=large) as context:
        page = context.new_page()
        for path in ACCESSIBLE:
            page.goto(live_server + path)
            if width == PHONE:
                page.locator("header").get_by_text("菜单").click()
            violations = axe_violations(page)
            if violations:
                found[path] = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
    assert found == {}
