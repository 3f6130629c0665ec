"""Staff through the browser's HTTP: sign in, file, correct, be refused, supervise."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient

from domain.progress import ProjectValues
from tests.clock import Clock
from tests.conftest import AppFactory
from tests.web.staff_helpers import add_staff, csrf, post_form, sign_in

HOUSING = "市住房城乡建设局"
REPORT_9 = "/staff/plans/2023/items/9/report"


@pytest.fixture
def app(app_factory: AppFactory) -> Flask:
    created = app_factory(clock=Clock("2023-07-05T10:00"), plan=True)
    add_staff(created, "zjj.li", ("reporter", HOUSING))
    add_staff(created, "ga.wang", ("reporter", "市公安局"))
    add_staff(created, "rd.zhang", ("supervisor", "人大督查组"))
    return created


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def events(app: Flask) -> int:
    return app.extensions["minsheng"].ledger.recorder.max_notification_id()


def test_signing_in_needs_the_right_password_and_says_nothing_more(client: FlaskClient) -> None:
    assert sign_in(client, "zjj.li", "wrong password!") == 401
    assert sign_in(client, "nobody", "wrong password!") == 401
    assert sign_in(client, "zjj.li") == 303
    assert "测试zjj.li" in client.get("/staff/").get_data(as_text=True)


def test_failed_sign_ins_are_throttled_per_username(client: FlaskClient) -> None:
    for _ in range(5):
        assert sign_in(client, "zjj.li", "guess guess guess") == 401
    assert sign_in(client, "zjj.li") == 429  # even the right password waits now
    assert sign_in(client, "ga.wang") == 303  # others are not locked out


def test_forms_without_a_csrf_token_are_refused(client: FlaskClient) -> None:
    response = client.post(
        "/staff/login", data={"username": "zjj.li", "password": "correct horse battery"}
    )
    assert response.status_code == 400


def test_staff_pages_ask_anonymous_visitors_to_sign_in(client: FlaskClient) -> None:
    response = client.get("/staff/")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]


def test_a_reporter_files_a_report_and_sees_it_on_the_public_page_at_once(
    app: Flask, client: FlaskClient
) -> None:
    sign_in(client, "zjj.li")
    status, location, _ = post_form(
        client,
        REPORT_9,
        {"period": "2023-06", "amount-9.1-0": "186", "narrative": "按计划推进", "evidence": ""},
    )
    assert status == 303 and location.startswith("/plans/2023/items/9#report-")
    page = client.get("/plans/2023/items/9").get_data(as_text=True)
    assert "已提交2023-06的报告。" in page
    assert "既有住宅加装电梯：186台" in page and "按计划推进" in page
    assert "迟报5天" in page.split('id="report-')[1].split("</li>")[0]  # June, recorded 5 July
    assert "2023-06" in page


def test_another_units_reporter_cannot_report_on_the_item(client: FlaskClient, app: Flask) -> None:
    sign_in(client, "ga.wang")
    assert client.get(REPORT_9).status_code == 403
    before = events(app)
    response = client.post(REPORT_9, data={"period": "2023-06", "amount-9.1-0": "1"})
    assert response.status_code in (400, 403)  # no CSRF token for a page it cannot open
    assert events(app) == before


@pytest.mark.parametrize(
    "amount, message",
    [
        ("-5", "不能为负数。"),
        ("abc", "请填写数字，例如 120 或 3.5。"),
        ("", "请填写累计完成数。"),
        ("1e999999", "请填写数字"),
    ],
)
def test_bad_numbers_get_clear_errors_and_nothing_is_saved(
    client: FlaskClient, app: Flask, amount: str, message: str
) -> None:
    sign_in(client, "zjj.li")
    before = events(app)
    status, _, html = post_form(client, REPORT_9, {"period": "2023-06", "amount-9.1-0": amount})
    assert status == 409
    assert message in html and 'role="alert"' in html
    assert events(app) == before


def test_a_future_month_is_not_offered_and_cannot_be_forced(
    client: FlaskClient, app: Flask
) -> None:
    sign_in(client, "zjj.li")
    form = client.get(REPORT_9).get_data(as_text=True)
    assert 'value="2023-07"' in form and 'value="2023-08"' not in form
    before = events(app)
    status, _, _ = post_form(client, REPORT_9, {"period": "2023-08", "amount-9.1-0": "10"})
    assert status == 409 and events(app) == before


def test_a_lower_cumulative_amount_asks_for_a_correction_first(client: FlaskClient) -> None:
    sign_in(client, "zjj.li")
    post_form(client, REPORT_9, {"period": "2023-05", "amount-9.1-0": "150"})
    status, _, html = post_form(client, REPORT_9, {"period": "2023-06", "amount-9.1-0": "140"})
    assert status == 409
    assert "累计数140小于2023-05已报告的150" in html and "请先更正2023-05的报告" in html


def test_a_correction_keeps_the_original_and_says_why(client: FlaskClient) -> None:
    sign_in(client, "zjj.li")
    _, location, _ = post_form(client, REPORT_9, {"period": "2023-05", "amount-9.1-0": "150"})
    report_id = location.split("#report-")[1]
    url = f"/staff/plans/2023/items/9/reports/{report_id}/correct"
    status, _, html = post_form(client, url, {"amount-9.1-0": "140", "reason": ""})
    assert status == 409 and "请说明更正原因。" in html
    status, location, _ = post_form(
        client, url, {"amount-9.1-0": "140", "reason": "重复统计了两台"}
    )
    assert status == 303
    page = client.get("/plans/2023/items/9").get_data(as_text=True)
    assert "重复统计了两台" in page
    assert f'href="#report-{report_id}"' in page  # the correction links to what it corrects
    assert "既有住宅加装电梯：150台" in page and "既有住宅加装电梯：140台" in page


def test_a_stale_form_is_told_keeps_what_was_typed_and_can_be_resubmitted(
    client: FlaskClient, app: Flask
) -> None:
    sign_in(client, "zjj.li")
    token = csrf(client, REPORT_9)
    version = re.search(
        r'name="expected_version" type="hidden" value="(\d+)"',
        client.get(REPORT_9).get_data(as_text=True),
    )[1]  # type: ignore[index]
    # A colleague files May in the meantime.
    app.extensions["minsheng"].ledger.report_progress(
        year=2023,
        item=9,
        period="2023-05",
        unit=HOUSING,
        values=(ProjectValues("9.1", (Decimal(100),), ()),),
        narrative="",
        evidence=(),
        actor="staff:colleague",
    )
    data = {
        "csrf_token": token,
        "period": "2023-06",
        "amount-9.1-0": "177",
        "narrative": "我写的说明",
        "expected_version": version,
    }
    response = client.post(REPORT_9, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert (
        "在您填写期间，本条目已有新的报告或更正" in html
        and "我写的说明" in html
        and 'value="177"' in html
    )
    fresh = re.search(r'name="expected_version" type="hidden" value="(\d+)"', html)[1]  # type: ignore[index]
    assert int(fresh) == int(version) + 1
    response = client.post(REPORT_9, data={**data, "expected_version": fresh})
    assert response.status_code == 303


def test_signing_out_ends_the_session(client: FlaskClient) -> None:
    sign_in(client, "zjj.li")
    token = csrf(client, "/staff/")
    assert client.post("/staff/logout", data={"csrf_token": token}).status_code == 303
    assert client.get("/staff/").status_code == 302


def test_supervision_findings_go_from_raised_to_closed_in_public(
    client: FlaskClient, app: Flask
) -> None:
    sign_in(client, "rd.zhang")
    status, location, _ = post_form(
        client,
        "/staff/plans/2023/supervision/new",
        {
            "kind": "quarterly_inspection",
            "held_on": "2023-07-03",
            "title": "二季度督查",
            "summary": "实地查看加装电梯项目",
            "finding-0-projects": "9.1",
            "finding-0-text": "部分小区施工扰民",
        },
    )
    assert status == 303 and location.startswith("/plans/2023/supervision#record-")
    public = client.get("/plans/2023/supervision").get_data(as_text=True)
    finding_url = re.search(r'href="(/plans/2023/findings/[0-9a-f-]+)"', public)[1]  # type: ignore[index]
    finding_id = finding_url.rsplit("/", 1)[1]
    assert "待整改" in client.get(finding_url).get_data(as_text=True)

    client.post("/staff/logout", data={"csrf_token": csrf(client, "/staff/")})
    sign_in(client, "zjj.li")
    assert client.get(f"/staff/findings/{finding_id}/close").status_code == 403
    status, _, _ = post_form(
        client, f"/staff/findings/{finding_id}/rectify", {"text": "已调整施工时间"}
    )
    assert status == 303

    client.post("/staff/logout", data={"csrf_token": csrf(client, "/staff/")})
    sign_in(client, "rd.zhang")
    assert post_form(client, f"/staff/findings/{finding_id}/close", {"text": "整改到位"})[0] == 303
    page = client.get(finding_url).get_data(as_text=True)
    assert "已销号" in page and "已调整施工时间" in page and "整改到位" in page
    assert "发现问题" in client.get("/plans/2023/projects/9.1").get_data(as_text=True)


def test_a_findings_steps_have_the_same_names_on_its_page_the_timeline_and_the_feed(
    client: FlaskClient, app: Flask
) -> None:
    sign_in(client, "rd.zhang")
    status, _, _ = post_form(
        client,
        "/staff/plans/2023/supervision/new",
        {
            "kind": "quarterly_inspection",
            "held_on": "2023-07-03",
            "title": "二季度督查",
            "finding-0-projects": "9.1",
            "finding-0-text": "进度偏慢",
        },
    )
    assert status == 303
    public = client.get("/plans/2023/supervision").get_data(as_text=True)
    finding_url = re.search(r'href="(/plans/2023/findings/[0-9a-f-]+)"', public)[1]  # type: ignore[index]
    client.post("/staff/logout", data={"csrf_token": csrf(client, "/staff/")})
    sign_in(client, "zjj.li")
    finding_id = finding_url.rsplit("/", 1)[1]
    rectified = post_form(client, f"/staff/findings/{finding_id}/rectify", {"text": "已加派人手"})
    assert rectified[0] == 303

    finding = client.get(finding_url).get_data(as_text=True)
    timeline = client.get("/plans/2023/projects/9.1").get_data(as_text=True)
    feed = client.get("/feeds/plans/2023/projects/9.1.atom").get_data(as_text=True)
    for page in (finding, timeline):
        assert '<span class="entry-kind">督查发现问题</span>' in page
        assert '<span class="entry-kind">整改情况</span>' in page
    assert "<title>督查发现问题（9.1）</title>" in feed
    assert "<title>整改情况（9.1）</title>" in feed


def test_a_finding_on_an_unknown_project_is_refused_with_a_message(
    client: FlaskClient, app: Flask
) -> None:
    sign_in(client, "rd.zhang")
    before = events(app)
    status, _, html = post_form(
        client,
        "/staff/plans/2023/supervision/new",
        {
            "kind": "quarterly_inspection",
            "held_on": "2023-07-03",
            "title": "督查",
            "finding-0-projects": "99.9",
            "finding-0-text": "问题",
        },
    )
    assert status == 409 and "没有编号为99.9的具体项目。" in html
    assert events(app) == before


@pytest.mark.parametrize("refs", ["².1", "²³١٢٣", "٩.1"])
def test_a_finding_on_projects_numbered_in_other_digits_is_refused_not_a_crash(
    client: FlaskClient, app: Flask, refs: str
) -> None:
    # str.isdigit() accepts superscripts, which int() refuses: project numbers are ASCII
    sign_in(client, "rd.zhang")
    before = events(app)
    status, _, html = post_form(
        client,
        "/staff/plans/2023/supervision/new",
        {
            "kind": "quarterly_inspection",
            "held_on": "2023-07-03",
            "title": "督查",
            "finding-0-projects": refs,
            "finding-0-text": "问题",
        },
    )
    assert status == 409 and 'class="error' in html
    assert events(app) == before


def test_a_new_report_changes_the_pages_tag_and_staff_pages_are_never_tagged(
    client: FlaskClient, app: Flask
) -> None:
    tag = client.get("/plans/2023/items/9").headers["ETag"]
    assert client.get("/plans/2023/items/9", headers={"If-None-Match": tag}).status_code == 304
    sign_in(client, "zjj.li")
    assert "ETag" not in client.get("/plans/2023/items/9").headers  # signed in: personal footer
    post_form(client, REPORT_9, {"period": "2023-06", "amount-9.1-0": "186"})
    anonymous = app.test_client()
    fresh = anonymous.get("/plans/2023/items/9", headers={"If-None-Match": tag})
    assert fresh.status_code == 200 and fresh.headers["ETag"] != tag
