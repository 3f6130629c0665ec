"""A citizen's case in a real browser: submit, follow, 不满意 and sent back, then closed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import axe_violations, screenshot, serve
from tests.clock import Clock
from tests.conftest import make_app
from tests.stores import PLAN, Templates
from tests.web.staff_helpers import PASSWORD, add_staff

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def case_server(
    request: pytest.FixtureRequest, tmp_path: Path, store_templates: Templates
) -> Iterator[str]:
    url = store_templates.copy(PLAN, "sqlite", request, tmp_path)
    app: Flask = make_app(url, tmp_path, Clock("2023-09-04T09:00"))
    add_staff(app, "gov.chen", ("admin", "市政府办公室"))
    add_staff(app, "wg.li", ("reporter", "市文广旅游局"))
    yield from serve(app)


def sign_in(page: Page, server: str, username: str) -> None:
    page.goto(server + "/staff/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_contain_text("工作台")


def staff_step(page: Page, summary: str, fields: dict[str, str] | None = None) -> None:
    details = page.locator(f"details.action:has(> summary:text-is('{summary}'))")
    details.locator("summary").click()
    for name, value in (fields or {}).items():
        control = details.locator(f"[name='{name}']")
        if control.evaluate("e => e.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)
    details.locator("button[type=submit]").click()
    expect(page.locator(".flash")).to_contain_text("已记录")


def test_a_citizen_case_through_the_whole_loop(browser: Browser, case_server: str) -> None:
    citizen = browser.new_context(locale="zh-CN", bypass_csp=True).new_page()
    citizen.goto(case_server + "/cases/new")
    assert axe_violations(citizen) == []
    citizen.fill("#title", "公园健身器材损坏")
    citizen.select_option("#category", "文体旅游")
    citizen.select_option("#district", "滨湖区")
    citizen.fill("#content", "蠡湖公园内健身器材损坏多日无人维修，老人锻炼不便。")
    citizen.fill("#name", "测试市民")
    citizen.fill("#phone", "139 0000 1111")
    citizen.check("#consent")
    citizen.click("main button[type=submit]")
    expect(citizen.locator(".flash")).to_contain_text("已收到您的诉求")
    number, _code = re.findall(r'class="code">([^<]+)<', citizen.content())
    screenshot(citizen, "case-submitted")
    assert axe_violations(citizen) == []

    staff = browser.new_context(locale="zh-CN").new_page()
    sign_in(staff, case_server, "gov.chen")
    staff.goto(case_server + "/staff/cases/")
    staff.click(f"text={number}")
    expect(staff.locator("#private + dl")).to_contain_text("测试市民")
    staff_step(staff, "受理")
    staff_step(
        staff,
        "交办",
        {"assign-route": "hotline", "assign-lead_unit": "市文广旅游局", "assign-working_days": "5"},
    )
    staff_step(staff, "列为市级重点督办", {"track-track": "weixingfu"})
    case_url = staff.url

    unit = browser.new_context(locale="zh-CN").new_page()
    sign_in(unit, case_server, "wg.li")
    unit.goto(case_url)
    staff_step(unit, "答复", {"reply-text": "已更换损坏的健身器材。"})

    citizen.goto(case_server + "/cases/mine")
    expect(citizen.locator(".reply")).to_contain_text("已更换损坏的健身器材")
    citizen.check("input[value='unsatisfied']")
    citizen.fill("#reason", "只换了一台，其余仍然损坏")
    citizen.click("text=提交评价")
    expect(citizen.locator(".case-rehandling")).to_be_visible()
    screenshot(citizen, "case-sent-back")

    unit.goto(case_url)
    staff_step(unit, "答复", {"reply-text": "其余器材已全部更换。"})
    citizen.goto(case_server + "/cases/mine")
    citizen.check("input[value='satisfied']")
    citizen.click("text=提交评价")
    staff.goto(case_url)
    staff_step(staff, "销号")
    expect(staff.locator("h1 .case-closed")).to_be_visible()

    public = browser.new_context(locale="zh-CN", bypass_csp=True).new_page()
    public.goto(case_server + f"/cases/{number}")
    expect(public.locator("h1")).to_contain_text("公园健身器材损坏")
    expect(public.locator(".timeline")).to_contain_text("发回重办")
    assert "测试市民" not in public.content() and "13900001111" not in public.content()
    screenshot(public, "case-public")
    assert axe_violations(public) == []
    for url in ("/cases/", "/cases/stats", "/cases/lookup"):
        public.goto(case_server + url)
        assert axe_violations(public) == [], url


def test_on_a_phone_a_refused_case_form_opens_on_what_to_fix(
    browser: Browser, case_server: str
) -> None:
    """At 390 px: the number field is a telephone field, and a refused form puts the reader
    on its error summary (a screen reader reads it; the page scrolls to it), without any
    JavaScript of ours."""
    context = browser.new_context(locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    try:
        page.goto(case_server + "/cases/new")
        assert page.locator("#phone").get_attribute("type") == "tel"
        page.fill("#title", "路灯不亮")
        page.fill("#content", "小区门口两盏路灯不亮已经两周了。")
        page.fill("#name", "测试市民")
        page.fill("#phone", "12345")  # not a mobile number
        page.click("main button[type=submit]")
        summary = page.locator(".error-summary")
        expect(summary).to_contain_text("联系电话")
        assert page.evaluate("document.activeElement.className") == "error-summary"
        top = summary.evaluate("e => e.getBoundingClientRect().top")
        assert 0 <= top < 844  # on the screen, not below the fold
    finally:
        context.close()


def test_on_a_phone_a_case_is_filed_with_a_photo_without_javascript(
    browser: Browser, case_server: str, tmp_path: Path
) -> None:
    """At 390 px and without JavaScript: the photo field offers the camera and gallery
    (accept="image/*"), a phone's JPEG goes with the form, and the citizen's page shows its
    thumbnail without sideways scrolling."""
    from tests.photos import phone_jpeg

    shot = tmp_path / "IMG_0042.JPG"
    shot.write_bytes(phone_jpeg())
    context = browser.new_context(locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    try:
        page.goto(case_server + "/cases/new")
        assert page.locator("#photos").get_attribute("accept") == "image/*"
        page.fill("#title", "路灯不亮")
        page.select_option("#category", "城市管理")
        page.select_option("#district", "梁溪区")
        page.fill("#address", "清扬路口东侧")
        page.fill("#content", "小区门口两盏路灯不亮已经两周了。")
        page.fill("#name", "测试市民")
        page.fill("#phone", "13900001111")
        page.set_input_files("#photos", str(shot))
        page.click("main button[type=submit]")
        expect(page.locator("h1")).to_contain_text("我的诉求")
        thumb = page.locator("ul.photos img").first
        expect(thumb).to_be_visible()
        assert thumb.evaluate("e => e.naturalWidth") > 0  # the photo itself, served to them
        assert "清扬路口东侧" in page.content()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(page, "case-with-photo-390")
    finally:
        context.close()
