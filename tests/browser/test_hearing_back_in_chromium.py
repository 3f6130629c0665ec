"""A citizen hears back, on a 390 px phone: a case filed with a photo, the receipt by SMS
(the development outbox is their phone), a lost code recovered, "my cases" by phone, a
reply message, "is it fixed?"."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import axe_violations, screenshot, serve
from tests.clock import Clock
from tests.conftest import make_app
from tests.stores import PLAN, Templates

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PHONE = "13900003333"


@pytest.fixture
def site(
    request: pytest.FixtureRequest, tmp_path: Path, store_templates: Templates
) -> Iterator[tuple[str, Flask, Clock]]:
    """A development site (messages go to /dev/outbox) with its projector and notifier
    threads running, as `make run`, on a clock stopped at 09:00 on 4 September 2023."""
    url = store_templates.copy(PLAN, "sqlite", request, tmp_path)
    clock = Clock("2023-09-04T09:00")
    app = make_app(
        url, tmp_path, clock, DEV_OUTBOX=True, PROJECTOR_THREAD=True, PROJECTOR_INTERVAL=0.05
    )
    for server in serve(app):
        yield server, app, clock


def phone_context(browser: Browser) -> BrowserContext:
    return browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        bypass_csp=True,  # axe is injected
    )


def sms(context: BrowserContext, server: str, pattern: str) -> re.Match[str]:
    """The newest message matching `pattern` that reached the phone (the dev outbox)."""
    inbox = context.new_page()
    found = None
    for _ in range(100):
        inbox.goto(server + "/dev/outbox")
        texts = inbox.locator(".outbox-text").all_inner_texts()
        found = next((m for t in texts if (m := re.search(pattern, t))), None)
        if found:
            break
        inbox.wait_for_timeout(100)
    inbox.close()
    assert found, f"no message matching {pattern}"
    return found


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


def test_a_citizen_hears_back_at_every_step_on_a_phone(
    browser: Browser, site: tuple[str, Flask, Clock], tmp_path: Path
) -> None:
    from tests.photos import phone_jpeg

    server, app, clock = site
    shot = tmp_path / "IMG_0042.JPG"
    shot.write_bytes(phone_jpeg())
    ledger = app.extensions["minsheng"].ledger
    phone = phone_context(browser)
    page = phone.new_page()
    page.goto(server + "/cases/new")
    page.fill("#title", "小区路灯不亮")
    page.select_option("#category", "城市管理")
    page.select_option("#district", "梁溪区")
    page.fill("#content", "清扬路某小区门口两盏路灯不亮已两周，晚上出行不便。")
    page.fill("#address", "清扬路口东侧")
    page.fill("#name", "测试市民")
    page.fill("#phone", PHONE)
    page.set_input_files("#photos", str(shot))  # a phone's photo of the streetlight
    page.click("main button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("已收到您的诉求")
    expect(page.locator("ul.photos img").first).to_be_visible()
    receipt = sms(phone, server, r"编号(\S+?)，查询码(\d{8})")
    number, code = receipt.group(1), receipt.group(2)
    assert code in page.content()  # the page and the SMS give the same code

    # The code is lost (another browser, nothing remembered): sent again to the phone.
    lost = phone_context(browser)
    page = lost.new_page()
    page.goto(server + "/cases/lookup")
    page.click("text=忘记查询码？发送到我的手机")
    page.fill("#number", number)
    page.fill("#phone", PHONE)
    page.click("main button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("查询码已用短信发送")
    assert sms(phone, server, r"查询码是(\d{8})").group(1) == code
    no_sideways_scroll(page)
    assert axe_violations(page) == []

    # Or all of one's cases, by the phone verified with a one-time code.
    page.goto(server + "/cases/lookup")
    page.click("text=验证手机号，查看我的所有诉求")
    page.click("main a.button")  # the page says why, then verifies
    expect(page.locator("h1")).to_contain_text("验证手机号码")
    page.fill("#contact", PHONE)
    page.click("main button[type=submit]")
    page.fill("#code", sms(phone, server, r"验证码是 (\d{6})").group(1))
    page.click("main button[type=submit]")
    expect(page.locator("main")).to_contain_text(number)
    no_sideways_scroll(page)
    assert axe_violations(page) == []
    page.click(f"text={number}")
    expect(page.locator("h1")).to_contain_text(number)
    expect(page.locator("main")).to_contain_text("小区路灯不亮")

    # The unit replies: the citizen is told and rates it from the phone.
    case_id = str(ledger.case_by_number(number).id)
    ledger.accept_case(case_id, "staff:gov")
    ledger.assign_case(case_id, "hotline", "市城管局", [], 5, "staff:gov")
    ledger.reply_case(case_id, "路灯已修复。", "市城管局", "staff:cg")
    sms(phone, server, rf"市城管局已答复您的诉求{number}")
    page.goto(server + "/cases/mine")
    page.check("input[value='satisfied']")
    page.click("text=提交评价")
    ledger.close_case(case_id, "staff:gov")
    sms(phone, server, rf"您的诉求{number}已办结销号")

    # 28 days later: "is it fixed?", answered from the link in the message.
    clock.now += timedelta(days=28)
    # (the link's host is the PUBLIC_BASE_URL the site was built with; this server is another)
    asked = sms(phone, server, r"问题是否已解决.*?https?://[^/\s]+(/\S+/fixed/[0-9a-f]{20})")
    page = phone.new_page()
    page.goto(server + asked.group(1))
    expect(page.locator("h1")).to_contain_text("您反映的问题解决了吗")
    no_sideways_scroll(page)
    assert axe_violations(page) == []
    page.check("input[value='yes']")
    page.click("main button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("谢谢您的回答")
    screenshot(page, "hearing-back-fixed")
    assert ledger.case_by_number(number).fix_answer == "yes"
