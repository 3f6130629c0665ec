"""Findings of the hardening review at the site's edges, each kept fixed by a test here.

Text with controls, NUL and bidi overrides; phone numbers in other scripts;
redirect targets with newlines; JSON nested past the parser; days that are
not possible; spreadsheets that run what a citizen typed.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from projections.cases import case_queries as cq
from tests.citizens import CASE_FORM
from tests.clock import Clock
from tests.conftest import AppFactory
from tests.web.staff_helpers import add_staff, post_form

TOKEN = "intake-token"
CASE = CASE_FORM
TICKET = {
    "external_id": "T-1",
    "received_on": "2023-09-04",
    "category": "城市管理",
    "district": "梁溪区",
    "title": "路灯不亮",
    "content": "小区门口路灯不亮已两周。",
    "name": "来电人",
    "phone": "13900002222",
    "consent": True,
}
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def app(app_factory: AppFactory) -> Flask:
    created = app_factory(
        clock=Clock("2023-09-04T09:00"), plan=True, INTAKE_API_TOKEN=TOKEN, DEV_OUTBOX=True
    )
    add_staff(created, "gov.chen", ("admin", "市政府办公室"))
    return created


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _row(app: Flask, number: str):  # type: ignore[no-untyped-def]
    with app.extensions["minsheng"].read() as c:
        return cq.case(c, number)


def _numbers(app: Flask) -> list[str]:
    with app.extensions["minsheng"].read() as c:
        return [r.number for r in cq.all_rows(c, None)]


def test_a_nul_or_a_word_line_break_in_a_title_is_cleaned_and_no_read_model_stops(
    client: FlaskClient, app: Flask
) -> None:
    status, location, _ = post_form(
        client,
        "/cases/new",
        {
            **CASE,
            "title": "健身\x00器材\u202e损坏\x0b了",
            "content": "第一行\x0b第二行\x00，已经很久了",
        },
    )
    assert status == 303 and location.endswith("/cases/mine")
    [number] = _numbers(app)
    row = _row(app, number)
    assert row.public_title == "健身器材损坏 了"
    assert row.public_text == "第一行\n第二行，已经很久了"
    health = client.get("/healthz")
    assert health.status_code == 200 and health.get_json()["status"] == "ok"
    assert client.get(f"/cases/{number}").status_code == 200


def test_the_intake_api_cleans_text_and_refuses_impossible_days(client: FlaskClient) -> None:
    dirty = {**TICKET, "title": "路灯\x00不亮", "name": "来\u202e电人"}
    assert client.post("/api/v1/cases", json=dirty, headers=AUTH).status_code == 201
    for day in ("2023-09-05", "0001-01-01", "1999-12-31"):  # Wuxi's tomorrow; typos
        answer = client.post(
            "/api/v1/cases", json={**TICKET, "external_id": day, "received_on": day}, headers=AUTH
        )
        assert answer.status_code == 422, day
        assert answer.get_json()["error"]["fields"][0]["field"] == "received_on"


def test_json_nested_past_the_parser_is_a_bad_request_not_a_crash(client: FlaskClient) -> None:
    body = "[" * 100_000 + "]" * 100_000
    answer = client.post("/api/v1/cases", data=body, content_type="application/json", headers=AUTH)
    assert answer.status_code == 400 and answer.get_json()["error"]["code"] == "bad_request"


@pytest.mark.parametrize(
    "url",
    [
        "/lang/en?next=/%0a",
        "/lang/en?next=/%0d%0aSet-Cookie:%20x=1",
        "/lang/zh_Hant?next=%09/",
        "/ratings/verify/code?next=/%0a",
    ],
)
def test_a_newline_in_a_redirect_target_goes_home_instead_of_failing(
    client: FlaskClient, url: str
) -> None:
    answer = client.get(url)
    assert answer.status_code in (302, 303)
    assert "\n" not in answer.headers["Location"] and "Set-Cookie" not in answer.headers.get(
        "Location", ""
    )


def test_forgetting_a_rating_session_with_a_newline_target_goes_home(client: FlaskClient) -> None:
    from tests.web.staff_helpers import csrf

    token = csrf(client, "/ratings/verify")
    answer = client.post("/ratings/forget", data={"csrf_token": token, "next": "/\n/x"})
    assert answer.status_code == 303 and answer.headers["Location"] == "/"


def test_a_phone_number_with_an_arabic_indic_digit_is_not_a_phone_number(
    client: FlaskClient, app: Flask
) -> None:
    status, _, html = post_form(client, "/cases/new", {**CASE, "phone": "1397777186٤"})
    assert status == 400 and "请填写有效的手机号码" in html
    assert _numbers(app) == []
    status, _, html = post_form(client, "/ratings/verify", {"contact": "1397777186٤"})
    assert status == 400 and "请填写中国大陆手机号码" in html


def test_full_width_digits_are_the_same_person_for_keys_and_limits(app: Flask) -> None:
    vault = app.extensions["minsheng"].ledger.vault
    from domain.contacts import normalise_phone

    assert normalise_phone("１３９００００１１１１") == "13900001111"
    assert vault.key_for(normalise_phone("１３９００００１１１１") or "") == vault.key_for(
        "13900001111"
    )


FORMULAS = ['=HYPERLINK("http://x","点")', "+1+2", "-3+4", "@SUM(A1)", "  =1+1", "\t=2+2"]


def test_no_cell_of_the_cases_csv_runs_as_a_formula(client: FlaskClient, app: Flask) -> None:
    for i, title in enumerate(FORMULAS):
        ticket = {**TICKET, "external_id": f"F{i}", "title": title}
        assert client.post("/api/v1/cases", json=ticket, headers=AUTH).status_code == 201
    text = client.get("/open-data/cases.csv").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    titles = [r["title"] for r in rows]
    assert len(titles) == len(FORMULAS)
    for cell in (c for r in rows for c in r.values()):
        runnable = cell.lstrip()[:1] in ("=", "+", "-", "@")
        assert not runnable or cell.lstrip().lstrip("-").replace(".", "").isdigit(), cell
    # the words are kept, behind the quote that spreadsheets show as text
    assert '\'=HYPERLINK("http://x","点")' in titles


def test_negative_numbers_stay_numbers_in_csv() -> None:
    from minsheng_site.csv_export import csv_text

    assert csv_text([[-3, "-2.5", "-1,000", "-x"]]).strip() == '-3,-2.5,"-1,000",\'-x'


def test_a_stored_unstorable_event_does_not_crash_json_exports(client: FlaskClient) -> None:
    # JSON carries any character (escaped): the log export stays valid line by line
    answer = client.get("/api/v1/log.jsonl")
    assert answer.status_code == 200
    for line in answer.get_data(as_text=True).splitlines():
        json.loads(line)


def _form_with_token(client: FlaskClient) -> dict[str, str]:
    import re

    page = client.get("/cases/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    submission = re.search(r'name="submission" type="hidden" value="([^"]+)"', page)
    assert token and submission
    return {"csrf_token": token[1], "submission": submission[1]}


def _receipt(client: FlaskClient) -> tuple[str, str]:
    import re

    mine = client.get("/cases/mine").get_data(as_text=True)
    found = re.search(r'class="code">([^<]+)</strong>.*?class="code">(\d{8})<', mine, re.S)
    assert found, mine[-800:]
    return found[1], found[2]


def test_a_form_sent_twice_is_one_case_and_both_answers_carry_its_code(
    app: Flask, client: FlaskClient
) -> None:
    """A double click, or a retry after an answer lost on the way: one case, one receipt."""
    hidden = _form_with_token(client)
    first = client.post("/cases/new", data={**CASE, **hidden})
    receipt = _receipt(client)
    second = client.post("/cases/new", data={**CASE, **hidden})  # the browser sends it again
    assert first.status_code == second.status_code == 303
    assert _receipt(client) == receipt
    assert _numbers(app) == [receipt[0]]


def test_the_same_form_sent_back_with_another_message_is_another_case(
    app: Flask, client: FlaskClient
) -> None:
    hidden = _form_with_token(client)
    client.post("/cases/new", data={**CASE, **hidden})
    first = _receipt(client)
    client.post("/cases/new", data={**CASE, "title": "另一件事：井盖缺失", **hidden})
    second = _receipt(client)
    assert first[0] != second[0] and len(_numbers(app)) == 2


def test_a_csv_file_that_is_not_utf8_is_refused_with_its_line_and_nothing_imported(
    app: Flask, tmp_path: Path
) -> None:
    header = "external_id,received_on,category,district,title,content,name,phone,consent\n"
    good = "C-1,2023-09-01,交通出行,新吴区,红绿灯,路口红绿灯时间太短,乙,13900003333,是\n"
    gbk = tmp_path / "gbk.csv"  # what Excel on a Chinese Windows saves by default
    gbk.write_bytes((header + good).encode("gbk"))
    broken = tmp_path / "broken.csv"  # one stray byte (or a lone surrogate's) on line 3
    broken.write_bytes((header + good).encode() + b"C-2,2023-09-01,\xed\xa0\x80\xff\n")
    runner = app.test_cli_runner()
    for path, line in ((gbk, 2), (broken, 3)):
        result = runner.invoke(args=["cases", "import", str(path)])
        assert isinstance(result.exception, SystemExit) and result.exit_code == 1, result.output
        assert f"{path}:{line}: not UTF-8" in result.output
    assert _numbers(app) == []


@pytest.mark.parametrize("project", ["99.9", "9.99", "{{7*7}}", "²³١٢٣", "9"])
def test_a_case_is_linked_only_to_a_project_the_plan_has(
    client: FlaskClient, app: Flask, project: str
) -> None:
    from tests.web.staff_helpers import csrf, sign_in

    assert client.post("/api/v1/cases", json=TICKET, headers=AUTH).status_code == 201
    [number] = _numbers(app)
    case_id = str(app.extensions["minsheng"].ledger.case_by_number(number).id)
    sign_in(client, "gov.chen")
    token = csrf(client, "/staff/")
    answer = client.post(
        f"/staff/cases/{case_id}/link",
        data={"link-csrf_token": token, "link-project": project, "link-note": "同类问题"},
    )
    assert answer.status_code == 409 and "的具体项目。" in answer.get_data(as_text=True)
    assert "同类问题" not in client.get(f"/cases/{number}").get_data(as_text=True)
    linked = client.post(
        f"/staff/cases/{case_id}/link",
        data={"link-csrf_token": token, "link-project": "9.1", "link-note": "同类问题"},
    )
    assert linked.status_code == 303
    assert 'href="/plans/2023/projects/9.1"' in client.get(f"/cases/{number}").get_data(
        as_text=True
    )
