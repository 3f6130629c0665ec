"""Rating a project in a real browser: a code from the dev outbox, one click, counted at once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import axe_violations, screenshot, serve
from tests.clock import Clock
from tests.conftest import make_app
from tests.stores import PLAN, Templates

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PROJECT = "/plans/2023/projects/9.1"
PHONE = "13900001111"


@pytest.fixture
def rating_server(
    request: pytest.FixtureRequest, tmp_path: Path, store_templates: Templates
) -> Iterator[str]:
    """The plan on a development site (its outbox shows the codes), on 10 August 2023."""
    url = store_templates.copy(PLAN, "sqlite", request, tmp_path)
    app = make_app(url, tmp_path, Clock("2023-08-10T10:00"), DEV_OUTBOX=True)
    yield from serve(app)


def verify(page: Page, server: str, axe: bool = True) -> None:
    page.goto(server + PROJECT)
    page.get_by_role("link", name="验证手机号或邮箱后评价").click()
    assert not axe or axe_violations(page) == []
    page.fill("#contact", PHONE)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.locator("#code")).to_be_visible()
    assert not axe or axe_violations(page) == []

    outbox = page.context.new_page()  # the same citizen, another tab: their "phone"
    outbox.goto(server + "/dev/outbox")
    code = re.search(r"验证码是 (\d{6})", outbox.locator("body").inner_text())
    assert code, "the code reached the outbox"
    outbox.close()
    page.fill("#code", code[1])
    page.get_by_role("button", name="验证", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(PROJECT) + "#rate$"))


def test_verify_then_rate_with_one_click_and_rate_again_to_replace(
    browser: Browser, rating_server: str
) -> None:
    page = browser.new_context(locale="zh-CN", bypass_csp=True).new_page()
    verify(page, rating_server)
    panel = page.locator("#rate")
    expect(panel).to_contain_text("还没有评价")
    page.evaluate("() => { window.notReloaded = true }")  # gone if the page were loaded again

    panel.get_by_role("button", name="满意", exact=True).click()
    expect(panel).to_contain_text("谢谢！您的评价已记录并计入统计。")
    expect(panel.locator(".rating-summary")).to_contain_text("满意率 100.0%")
    expect(panel.locator(".rating-summary")).to_contain_text("共1条评价")
    assert page.evaluate("() => window.notReloaded") is True  # htmx swapped the panel only
    assert axe_violations(page) == []

    panel.get_by_role("button", name="不满意", exact=True).click()
    expect(panel.locator(".rating-summary")).to_contain_text("满意率 0.0%")
    expect(panel.locator(".rating-summary")).to_contain_text("共1条评价")  # replaced, not added
    expect(panel).to_contain_text("您本季度（2023Q3）已评价：不满意")
    screenshot(page, "rated-project")

    page.get_by_role("link", name="我的评价").click()
    expect(page.locator("main table")).to_contain_text("不满意")
    assert axe_violations(page) == []

    page.goto(rating_server + "/plans/2023/satisfaction")
    expect(page.locator("main")).to_contain_text("共1条评价")
    assert PHONE not in page.content()


def test_rating_works_without_javascript(browser: Browser, rating_server: str) -> None:
    context = browser.new_context(locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    verify(page, rating_server, axe=False)  # axe-core needs JavaScript
    page.locator("#rate").get_by_role("button", name="基本满意").click()
    expect(page).to_have_url(re.compile(re.escape(PROJECT)))
    expect(page.locator("#rate .rating-summary")).to_contain_text("满意率 100.0%")
    expect(page.locator("#rate")).to_contain_text("您本季度（2023Q3）已评价：基本满意")
    context.close()
