"""A feed opened in Chromium reads as a page (its XSL stylesheet), and is still a feed."""

from __future__ import annotations

import urllib.request

import feedparser
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.parametrize(("fmt", "width"), [("atom", 390), ("rss", 1280)])
def test_a_feed_in_a_browser_is_a_readable_page_with_how_to_subscribe(
    live_server: str, page: Page, fmt: str, width: int
) -> None:
    url = f"{live_server}/feeds/plans/2023/items/8.{fmt}"
    page.set_viewport_size({"width": width, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(url)
    # The stylesheet made a page: a heading, the subscribe box with the feed's own address,
    # and the entries as links to their permanent pages, with the simulated label shown.
    expect(page.locator("h1")).to_contain_text("2023年第8项")
    expect(page.locator(".feed-howto")).to_contain_text("如何订阅")
    expect(page.locator(".feed-url code")).to_have_text(url)
    entries = page.locator(".feed-entries li")
    expect(entries.first).to_be_visible()
    assert entries.count() > 3
    first = entries.first.locator("h3 a")
    assert first.inner_text().startswith("【模拟】")
    assert "/events/" in (first.get_attribute("href") or "")
    assert "simulated" in (entries.first.get_attribute("class") or "")
    # The site's stylesheet applies (CSP allows it: same origin); nothing sideways on a phone.
    padding = page.locator(".feed-howto").evaluate("e => getComputedStyle(e).borderLeftWidth")
    assert padding == "4px"
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width + 1, scroll
    assert not [e for e in errors if "Content Security Policy" in e], errors
    shot = screenshot(page, f"feed-{fmt}-{width}")
    assert shot.stat().st_size > 10_000  # a drawn page, not a blank one
    # And the same URL is still a feed to a reader.
    with urllib.request.urlopen(url) as response:
        parsed = feedparser.parse(response.read())
    assert parsed.bozo == 0 and parsed.entries
