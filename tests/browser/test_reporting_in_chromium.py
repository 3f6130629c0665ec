"""A reporter signs in, files a month, corrects it, and sees both on the public page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import axe_violations, screenshot
from tests.web.staff_helpers import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_sign_in_file_correct_and_see_it_in_public(browser: Browser, reporting_server: str) -> None:
    context = browser.new_context(locale="zh-CN", bypass_csp=True)
    page = context.new_page()
    page.goto(reporting_server + "/staff/login")
    page.fill("#username", "zjj.li")
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_contain_text("工作台")
    screenshot(page, "staff-home")

    page.click("text=填报月度进展")
    expect(page.locator("h1")).to_contain_text("填报月度进展")
    assert axe_violations(page) == []
    page.select_option("#period", "2023-06")
    page.fill("[name='amount-9.1-0']", "-3")
    page.click("main button[type=submit]")
    expect(page.locator(".error-summary")).to_contain_text("不能为负数")
    screenshot(page, "report-form-error")
    assert axe_violations(page) == []

    page.fill("[name='amount-9.1-0']", "186")
    page.fill("#narrative", "6月新增加装电梯32台")
    page.click("main button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("已提交2023-06的报告")
    entry = page.locator(".timeline .entry-report").first
    expect(entry).to_contain_text("既有住宅加装电梯：186台")
    expect(entry).to_contain_text("迟报5天")
    screenshot(page, "item-after-report")

    page.goto(reporting_server + "/staff/")
    page.click("text=更正")
    page.fill("[name='amount-9.1-0']", "180")
    page.fill("#reason", "有6台尚未验收，核减")
    page.click("main button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("更正")
    expect(page.locator(".timeline .entry-correction")).to_contain_text("有6台尚未验收，核减")
    expect(page.locator(".timeline .entry-report")).to_contain_text("186台")
    expect(page.locator(".progress-summary").first).to_contain_text("60%")
    screenshot(page, "item-after-correction")
    context.close()


def test_the_report_form_works_without_javascript(browser: Browser, reporting_server: str) -> None:
    context = browser.new_context(locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    page.goto(reporting_server + "/staff/login")
    page.fill("#username", "zjj.li")
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.goto(reporting_server + "/staff/plans/2023/items/9/report")
    page.select_option("#period", "2023-03")
    page.fill("[name='amount-9.1-0']", "20")
    page.click("main button[type=submit]")
    expect(page.locator(".timeline .entry-report")).to_contain_text("20台")
    context.close()
