"""A citizen's proposal in a real browser: the task force opens the solicitation, the citizen
verifies and proposes, the task force approves it and lists a candidate from it (which
answers it "adopted as C1"), and the citizen sees it adopted on the proposal's page and
follows it to the candidate."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, expect

from tests.browser.conftest import axe_violations, screenshot, serve
from tests.browser.test_cases_in_chromium import sign_in
from tests.clock import Clock
from tests.conftest import make_app
from tests.stores import PLAN, Templates
from tests.web.staff_helpers import add_staff

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = "13900002222"
STAFF = "/staff/cycle/2024/proposals"


@pytest.fixture
def proposal_server(
    request: pytest.FixtureRequest, tmp_path: Path, store_templates: Templates
) -> Iterator[str]:
    """The 2023 plan (its categories) on a development site, on 4 September 2023."""
    url = store_templates.copy(PLAN, "sqlite", request, tmp_path)
    app: Flask = make_app(url, tmp_path, Clock("2023-09-04T09:00"), DEV_OUTBOX=True)
    add_staff(app, "gov.chen", ("admin", "市政府办公室"))
    yield from serve(app)


def test_a_citizen_proposes_and_sees_it_adopted(browser: Browser, proposal_server: str) -> None:
    server = proposal_server
    staff = browser.new_context(locale="zh-CN", bypass_csp=True).new_page()
    sign_in(staff, server, "gov.chen")
    staff.goto(server + STAFF)
    assert axe_violations(staff) == []
    staff.fill("#last_day", "2023-10-31")
    staff.get_by_role("button", name="开始征集").click()
    expect(staff.locator(".flash")).to_contain_text("已开始征集")

    citizen = browser.new_context(locale="zh-CN", bypass_csp=True).new_page()
    citizen.goto(server + "/cycle/2024/")
    assert axe_violations(citizen) == []
    citizen.get_by_role("link", name="提出建议").click()
    citizen.fill("#contact", PHONE)  # sent to verify first
    citizen.get_by_role("button", name="获取验证码").click()
    outbox = citizen.context.new_page()  # the citizen's "phone"
    outbox.goto(server + "/dev/outbox")
    code = re.search(r"验证码是 (\d{6})", outbox.locator("body").inner_text())
    assert code, "the code reached the outbox"
    outbox.close()
    citizen.fill("#code", code[1])
    citizen.get_by_role("button", name="验证", exact=True).click()
    expect(citizen).to_have_url(re.compile(r"/cycle/2024/proposals/new"))
    assert axe_violations(citizen) == []
    citizen.fill("#title", "老旧小区加装电梯")
    citizen.fill("#description", "多层老旧小区老人上下楼困难，建议加大加装电梯补贴。")
    citizen.select_option("#category", "宜居住区方面")
    citizen.select_option("#district", "滨湖区")
    citizen.get_by_role("button", name="提交建议").click()
    expect(citizen.locator(".flash")).to_contain_text("已收到您的建议P1")
    expect(citizen.locator("main")).to_contain_text("待审核1条")

    staff.goto(server + STAFF)
    pending = staff.locator("article#p1")
    expect(pending.locator("#approve1-description")).to_have_value(re.compile("加装电梯补贴"))
    assert PHONE not in staff.content()
    assert axe_violations(staff) == []
    pending.get_by_role("button", name="通过并公开").click()
    expect(staff.locator(".flash")).to_contain_text("已记录：建议P1")
    assert axe_violations(staff) == []  # the answer forms
    staff.goto(server + "/staff/cycle/2024/candidates/new")
    staff.fill("#title", "老旧小区加装电梯扩面")
    staff.fill("#category", "宜居住区方面")
    staff.fill("#description", "根据市民建议，扩大老旧小区加装电梯的范围。")
    staff.fill("#sources", "P1")
    staff.fill("#targets", "加装电梯 | 300 | 台")
    staff.fill("#units", "市住房城乡建设局")
    staff.get_by_role("button", name="发布候选项目").click()
    expect(staff).to_have_url(re.compile(r"/cycle/2024/candidates/1$"))

    citizen.goto(server + "/cycle/2024/proposals/")
    citizen.get_by_role("link", name="老旧小区加装电梯").click()
    expect(citizen.locator("#answer + p")).to_contain_text("已采纳为候选项目C1")
    citizen.locator("#answer + p").get_by_role("link", name=re.compile("C1")).click()
    expect(citizen).to_have_url(re.compile(r"/cycle/2024/candidates/1$"))
    expect(citizen.locator("main")).to_contain_text("老旧小区加装电梯扩面")
    expect(citizen.locator("main")).to_contain_text("市民建议P1")
    citizen.go_back()
    expect(citizen.locator("main")).to_contain_text("这条建议已经答复，不再接受附议")
    assert axe_violations(citizen) == []
    assert PHONE not in citizen.content()
    screenshot(citizen, "proposal-adopted")
    citizen.set_viewport_size({"width": 390, "height": 844})
    overflow = citizen.evaluate("() => document.documentElement.scrollWidth > window.innerWidth")
    assert overflow is False
