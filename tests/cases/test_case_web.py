"""Cases over HTTP: the citizen's form, lookup and evaluation, the board, the API, the staff."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from minsheng_site.services import Services
from tests.citizens import CASE_FORM
from tests.clock import Clock
from tests.conftest import AppFactory
from tests.web.staff_helpers import add_staff, csrf, post_form, sign_in

TOKEN = "intake-token"
GOOD = CASE_FORM


@pytest.fixture
def app(app_factory: AppFactory) -> Flask:
    created = app_factory(clock=Clock("2023-09-04T09:00"), plan=True, INTAKE_API_TOKEN=TOKEN)
    add_staff(created, "gov.chen", ("admin", "市政府办公室"))
    add_staff(created, "wg.li", ("reporter", "市文广旅游局"))
    add_staff(created, "ga.wang", ("reporter", "市公安局"))
    return created


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def cases(app: Flask) -> int:
    with app.extensions["minsheng"].read() as c:
        from projections.cases.case_queries import all_rows

        return len(all_rows(c, None))


def submit(client: FlaskClient, **changes: str) -> tuple[int, str, str]:
    return post_form(client, "/cases/new", {**GOOD, **changes})


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("phone", "12345", "请填写有效的手机号码"),
        ("content", "太短", "请用10至2000字写明问题。"),
        ("district", "火星区", "不是有效的选择"),
        ("name", "", "请填写姓名。"),
    ],
)
def test_bad_messages_get_clear_errors_and_nothing_is_saved(
    client: FlaskClient, app: Flask, field: str, value: str, message: str
) -> None:
    status, _, html = submit(client, **{field: value})
    assert status == 400 and message in html and 'role="alert"' in html
    assert cases(app) == 0


def test_a_filled_honeypot_is_refused_and_saves_nothing(client: FlaskClient, app: Flask) -> None:
    assert submit(client, website="http://spam.example")[0] == 400
    assert cases(app) == 0


def test_one_phone_cannot_flood_the_board(client: FlaskClient) -> None:
    for _ in range(5):
        assert submit(client)[0] == 303
    assert submit(client)[0] == 429
    assert submit(client, phone="13900002222")[0] == 303


def test_the_citizen_follows_and_evaluates_their_case_with_number_and_code(
    client: FlaskClient, app: Flask
) -> None:
    submit(client)
    number, code = re.findall(
        r'class="code">([^<]+)<', client.get("/cases/mine").get_data(as_text=True)
    )
    stranger = app.test_client()
    assert post_form(stranger, "/cases/lookup", {"number": number, "code": "00000000"})[0] == 401
    looked_up = post_form(stranger, "/cases/lookup", {"number": number, "code": code})
    assert looked_up[:2] == (303, "/cases/mine")
    assert "测试者" in stranger.get("/cases/mine").get_data(as_text=True)
    ledger = app.extensions["minsheng"].ledger
    case_id = str(ledger.case_by_number(number).id)
    ledger.accept_case(case_id, "s")
    ledger.assign_case(case_id, "hotline", "市文广旅游局", [], 5, "s")
    ledger.reply_case(case_id, "已维修。", "市文广旅游局", "s")
    app.extensions["minsheng"].caught_up()
    page = stranger.get("/cases/mine").get_data(as_text=True)
    assert "已维修。" in page and "评价办理结果" in page
    status, _, html = post_form(stranger, "/cases/mine", {"level": "unsatisfied", "reason": ""})
    assert status == 409 and "选择“不满意”时请说明理由" in html
    assert (
        post_form(stranger, "/cases/mine", {"level": "unsatisfied", "reason": "器材仍是坏的"})[0]
        == 303
    )
    public = client.get(f"/cases/{number}").get_data(as_text=True)
    assert "发回重办" in public and "器材仍是坏的" not in public  # the reason stays the citizen's


def test_failed_lookups_are_throttled(client: FlaskClient) -> None:
    for _ in range(10):
        assert (
            post_form(client, "/cases/lookup", {"number": "2023-AAAAAA", "code": "12345678"})[0]
            == 401
        )
    assert (
        post_form(client, "/cases/lookup", {"number": "2023-AAAAAA", "code": "12345678"})[0] == 429
    )


def test_without_consent_the_words_stay_hidden_and_the_unit_and_time_limit_are_public(
    client: FlaskClient, app: Flask
) -> None:
    submit(client, consent="")
    number = re.findall(r'class="code">([^<]+)<', client.get("/cases/mine").get_data(as_text=True))[
        0
    ]
    ledger = app.extensions["minsheng"].ledger
    case_id = str(ledger.case_by_number(number).id)
    ledger.accept_case(case_id, "s")
    ledger.assign_case(case_id, "hotline", "市文广旅游局", [], 5, "s")
    app.extensions["minsheng"].caught_up()
    page = app.test_client().get(f"/cases/{number}").get_data(as_text=True)
    assert "文体旅游" in page and "滨湖区" in page and "办理中" in page
    assert "公园健身器材损坏" not in page and "交办" not in page  # no words, no record
    assert "市文广旅游局" in page and "办理时限" in page  # the administration's facts
    assert "当事人未同意公开" in page


def test_user_text_is_never_html(client: FlaskClient, app: Flask) -> None:
    submit(
        client,
        title="<script>alert(1)</script>",
        content="<img src=x onerror=alert(1)> 十个字以上的内容",
    )
    html = app.test_client().get("/cases/").get_data(as_text=True)
    assert (
        "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    )


@pytest.mark.parametrize("query", ["state=bogus", "district=火星区", "route=x", "page=0", "year=1"])
def test_bad_board_filters_are_a_400(client: FlaskClient, query: str) -> None:
    assert client.get(f"/cases/?{query}").status_code == 400


def test_the_api_registers_a_ticket_once_and_answers_in_json(client: FlaskClient) -> None:
    ticket = {
        "external_id": "T-1",
        "received_on": "2023-09-01",
        "category": "城市管理",
        "district": "梁溪区",
        "title": "噪音",
        "content": "夜间施工噪音扰民",
        "name": "甲",
        "phone": "0510-85551234",
    }
    assert client.post("/api/v1/cases", json=ticket).status_code == 401
    auth = {"Authorization": f"Bearer {TOKEN}"}
    first = client.post("/api/v1/cases", json=ticket, headers=auth)
    again = client.post("/api/v1/cases", json=ticket, headers=auth)
    assert first.status_code == 201 and len(first.get_json()["query_code"]) == 8
    # Sent again (the first answer may have been lost): the same case, and its code again.
    assert again.status_code == 200 and again.get_json() == {
        "number": first.get_json()["number"],
        "created": False,
        "query_code": first.get_json()["query_code"],
    }
    bad = client.post(
        "/api/v1/cases",
        json={**ticket, "external_id": "T-2", "phone": "x", "district": "火星"},
        headers=auth,
    )
    assert bad.status_code == 422
    assert {f["field"] for f in bad.get_json()["error"]["fields"]} >= {"district"}
    assert client.post("/api/v1/cases", data="not json", headers=auth).status_code == 400


def test_the_csv_import_is_idempotent_and_names_refused_lines(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "tickets.csv"
    path.write_text(
        "external_id,received_on,category,district,title,content,name,phone,consent\n"
        "C-1,2023-08-30,交通出行,新吴区,红绿灯,路口红绿灯时间太短,乙,13900003333,是\n"
        "C-2,2023-08-31,不存在的类别,新吴区,x,内容内容,丙,13900004444,否\n",
        encoding="utf-8",
    )
    runner = app.test_cli_runner()
    first = runner.invoke(args=["cases", "import", str(path)])
    assert "1 registered, 0 already registered, 1 refused" in first.output
    assert f"{path}:3: refused" in first.output
    again = runner.invoke(args=["cases", "import", str(path)])
    assert "0 registered, 1 already registered, 1 refused" in again.output


def test_units_act_only_on_their_cases_and_illegal_steps_are_explained(
    client: FlaskClient, app: Flask
) -> None:
    submit(client)
    number = re.findall(r'class="code">([^<]+)<', client.get("/cases/mine").get_data(as_text=True))[
        0
    ]
    case_id = str(app.extensions["minsheng"].ledger.case_by_number(number).id)
    gov = app.test_client()
    sign_in(gov, "gov.chen")
    token = csrf(gov, "/staff/")
    response = gov.post(f"/staff/cases/{case_id}/close", data={"close-csrf_token": token})
    assert response.status_code == 409 and "当前阶段不能进行这一步。" in response.get_data(
        as_text=True
    )
    gov.post(f"/staff/cases/{case_id}/accept", data={"accept-csrf_token": token})
    gov.post(
        f"/staff/cases/{case_id}/assign",
        data={
            "assign-csrf_token": token,
            "assign-route": "hotline",
            "assign-lead_unit": "市文广旅游局",
            "assign-working_days": "5",
        },
    )
    police = app.test_client()
    sign_in(police, "ga.wang")
    assert police.get(f"/staff/cases/{case_id}").status_code == 403
    unit = app.test_client()
    sign_in(unit, "wg.li")
    assert "测试者" in unit.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert (
        unit.post(
            f"/staff/cases/{case_id}/accept", data={"accept-csrf_token": csrf(unit, "/staff/")}
        ).status_code
        == 403
    )
    response = unit.post(
        f"/staff/cases/{case_id}/reply",
        data={"reply-csrf_token": csrf(unit, "/staff/"), "reply-text": "已修好"},
    )
    assert response.status_code == 303
    assert "已修好" in app.test_client().get(f"/cases/{number}").get_data(as_text=True)


def test_statistics_show_counts_formulas_and_targets(client: FlaskClient) -> None:
    submit(client)
    html = client.get("/cases/stats").get_data(as_text=True)
    assert "/ 1500" in html and "/ 520" in html and "/ 120" in html
    assert "办结率 = 已销号 ÷ 办理。" in html
    assert "（0 / 0）" in html  # a rate with nothing to count says so


def test_an_oversized_body_is_refused_cleanly(client: FlaskClient) -> None:
    response = client.post("/cases/new", data={"content": "x" * (2 * 1024 * 1024)})
    assert response.status_code in (400, 413)  # refused before anything is read; never a 500
    assert "<h1>" in response.get_data(as_text=True)


def test_a_simulated_case_is_labelled_everywhere(app: Flask) -> None:
    from application.simulated_cases import SimulatedCases

    SimulatedCases(app.extensions["minsheng"].ledger, 2023, count=5).write()
    app.extensions["minsheng"].caught_up()
    client = app.test_client()
    assert "演示数据" in client.get("/").get_data(as_text=True)
    assert "模拟" in client.get("/cases/").get_data(as_text=True)


def test_a_case_is_marked_overdue_from_the_wuxi_day_after_its_deadline_on_every_page(
    client: FlaskClient, app: Flask
) -> None:
    submit(client)
    number = re.findall(r'class="code">([^<]+)<', client.get("/cases/mine").get_data(as_text=True))[
        0
    ]
    services: Services = app.extensions["minsheng"]
    case_id = str(services.ledger.case_by_number(number).id)
    services.ledger.accept_case(case_id, "s")
    services.ledger.assign_case(case_id, "hotline", "市文广旅游局", [], 1, "s")  # by 5 September
    services.caught_up()
    staff = app.test_client()
    sign_in(staff, "gov.chen")

    def marks() -> list[bool]:
        late = '<span class="late">超期'
        return [
            late in client.get("/cases/").get_data(as_text=True),
            late in client.get(f"/cases/{number}").get_data(as_text=True),
            late in staff.get("/staff/cases/").get_data(as_text=True),
            late in staff.get(f"/staff/cases/{case_id}").get_data(as_text=True),
            client.get(f"/api/v1/cases/{number}").get_json()["overdue"],
            client.get("/cases/?overdue=1").get_data(as_text=True).count(number) > 0,
        ]

    clock = services.ledger.clock
    assert isinstance(clock, Clock)
    clock.set("2023-09-05T23:30")  # the deadline day itself
    assert marks() == [False] * 6
    clock.set("2023-09-06T01:00")  # still 5 September in UTC
    assert marks() == [True] * 6


def test_phone_forms_ask_for_the_right_keypad_and_autofill(client: FlaskClient) -> None:
    """A phone shows a dial pad for the number, digits for the query code; the browser
    offers the saved name and number; the case number is typed in capitals."""
    form = client.get("/cases/new").get_data(as_text=True)
    phone = re.search(r"<input[^>]*id=\"phone\"[^>]*>", form)
    assert phone is not None
    for attribute in ('type="tel"', 'inputmode="tel"', 'autocomplete="tel"'):
        assert attribute in phone[0]
    assert re.search(r'<input[^>]*autocomplete="name"[^>]*id="name"', form)
    lookup = client.get("/cases/lookup").get_data(as_text=True)
    code = re.search(r"<input[^>]*id=\"code\"[^>]*>", lookup)
    assert code is not None and 'inputmode="numeric"' in code[0]
    number = re.search(r"<input[^>]*id=\"number\"[^>]*>", lookup)
    assert number is not None and 'autocapitalize="characters"' in number[0]


def test_a_refused_form_opens_on_its_error_summary(client: FlaskClient) -> None:
    _status, _, html = submit(client, phone="12345")
    summary = re.search(r'<div class="error-summary"[^>]*>', html)
    assert summary is not None and "autofocus" in summary[0]
