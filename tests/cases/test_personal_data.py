"""Canary personal data: in no public page, feed, export, log or stored row; gone after erasure.

Two citizens with made-up, unique names, phone numbers and words go through
the whole loop (one through the web form without consent, one through the
hotline API with consent). Then every public page is fetched, every log
record captured, and every row of every table of the main database read
(event store included), looking for the canaries.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import MetaData, create_engine, select

from application.store import store_settings
from domain.plan_spec import PlanSpec
from minsheng_site.services import Services
from tests.clock import Clock
from tests.conftest import make_app
from tests.web.staff_helpers import add_staff, csrf, post_form, sign_in

SECRET_NAME, SECRET_PHONE = "金丝雀甲乙丙", "13712345678"
SECRET_WORDS = "不公开的内容KANARIE7F3A"
SECRET_REASON = "不满意理由KANARIE9B2C"
OPEN_NAME, OPEN_PHONE = "金丝雀丁戊己", "13787654321"
OPEN_WORDS = "可以公开的内容：路口积水严重"
NEVER_PUBLIC = (
    SECRET_NAME,
    SECRET_PHONE,
    "137 1234 5678",
    SECRET_WORDS,
    SECRET_REASON,
    OPEN_NAME,
    OPEN_PHONE,
)
TOKEN = "test-intake-token"


@pytest.fixture
def app(database_url: str, tmp_path: Path, plan_spec: PlanSpec) -> Iterator[Flask]:
    created = make_app(database_url, tmp_path)
    created.config["INTAKE_API_TOKEN"] = TOKEN
    services: Services = created.extensions["minsheng"]
    services.ledger.clock = Clock("2023-09-04T09:00")  # type: ignore[method-assign]
    services.ledger.register_plan(plan_spec, "test")
    add_staff(created, "gov.chen", ("admin", "市政府办公室"))
    add_staff(created, "cg.zhao", ("reporter", "市城管局"))
    yield created
    services.close()


def submit_secret_case(client: FlaskClient) -> tuple[str, str]:
    status, location, _ = post_form(
        client,
        "/cases/new",
        {
            "title": "路灯问题",
            "category": "城市管理",
            "district": "梁溪区",
            "content": SECRET_WORDS,
            "name": SECRET_NAME,
            "phone": "137 1234 5678",
        },
    )
    assert (status, location) == (303, "/cases/mine")
    html = client.get("/cases/mine").get_data(as_text=True)
    number, code = re.findall(r'class="code">([^<]+)<', html)
    assert SECRET_NAME in html  # the citizen sees their own details
    return number, code


def handle(app: Flask, staff: FlaskClient, number: str) -> str:
    services: Services = app.extensions["minsheng"]
    case_id = str(services.ledger.case_by_number(number).id)
    for action, data in (
        ("accept", {}),
        (
            "assign",
            {"assign-route": "hotline", "assign-lead_unit": "市城管局", "assign-working_days": "5"},
        ),
    ):
        response = staff.post(
            f"/staff/cases/{case_id}/{action}",
            data={f"{action}-csrf_token": csrf(staff, "/staff/"), **data},
        )
        assert response.status_code == 303, response.get_data(as_text=True)[-800:]
    return case_id


def every_public_page(client: FlaskClient, numbers: list[str]) -> str:
    urls = [
        "/",
        "/cases/",
        "/cases/stats",
        "/cases/?overdue=1",
        "/api/v1/plans/2023",
        "/healthz",
        "/plans/2023/items/9",
        "/plans/2023/progress",
        "/plans/2023/scorecards",
        "/plans/2023/supervision",
        # what journalists and machines read: feeds, exports, the log, Open311
        "/feeds/all.atom",
        "/feeds/cases.atom",
        "/feeds/cases.rss",
        "/feeds/cases/districts/梁溪区.atom",
        "/feeds/log.atom",
        "/api/v1/cases",
        "/api/v1/log",
        "/api/v1/log.jsonl",
        "/open-data/cases.csv",
        "/open311/v2/requests.json",
        "/open311/v2/requests.xml",
    ]
    urls += [f"/cases/{n}" for n in numbers]
    urls += [f"/api/v1/cases/{n}" for n in numbers]
    urls += [f"/open311/v2/requests/{n}.json" for n in numbers]
    urls += [f"/open311/v2/requests/{n}/history.json" for n in numbers]
    urls += [f"/open311/v2/requests/{n}.xml" for n in numbers]
    urls += [f"/open311/v2/requests/{n}/history.xml" for n in numbers]
    log = client.get("/api/v1/log.jsonl").get_data(as_text=True)
    urls += [f"/events/{json.loads(line)['entry']['uuid']}" for line in log.splitlines()]
    pages = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        pages.append(response.get_data(as_text=True))
    return "\n".join(pages)


def every_stored_row(app: Flask, database_url: str) -> str:
    """Every value of every table of the main database, event store included, as text."""
    engine = create_engine(store_settings(database_url).sqlalchemy_url)
    meta = MetaData()
    meta.reflect(engine)
    out = []
    with engine.connect() as c:
        for table in meta.sorted_tables:
            for row in c.execute(select(table)):
                for value in row:
                    out.append(
                        value.decode("utf-8", "ignore")
                        if isinstance(value, bytes | memoryview)
                        else str(value)
                    )
    engine.dispose()
    return "\n".join(out)


def test_canaries_reach_no_public_page_log_or_stored_row_and_erasure_makes_them_unrecoverable(
    app: Flask, database_url: str, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.DEBUG)
    citizen, staff, public = app.test_client(), app.test_client(), app.test_client()
    number, _code = submit_secret_case(citizen)
    api = public.post(
        "/api/v1/cases",
        headers={"Authorization": f"Bearer {TOKEN}"},
        json={
            "external_id": "12345-0099",
            "received_on": "2023-09-04",
            "category": "城市管理",
            "district": "滨湖区",
            "title": "路口积水",
            "content": OPEN_WORDS,
            "name": OPEN_NAME,
            "phone": OPEN_PHONE,
            "consent": True,
        },
    )
    assert api.status_code == 201
    open_number = api.get_json()["number"]

    sign_in(staff, "gov.chen")
    case_id = handle(app, staff, number)
    handle(app, staff, open_number)
    staff_page = staff.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert SECRET_NAME in staff_page and SECRET_PHONE in staff_page  # the task force may see it

    unit = app.test_client()
    sign_in(unit, "cg.zhao")
    assert (
        unit.post(
            f"/staff/cases/{case_id}/reply",
            data={"reply-csrf_token": csrf(unit, "/staff/"), "reply-text": "已修复。"},
        ).status_code
        == 303
    )
    assert (
        post_form(citizen, "/cases/mine", {"level": "unsatisfied", "reason": SECRET_REASON})[0]
        == 303
    )

    published = every_public_page(public, [number, open_number])
    assert OPEN_WORDS in published  # consented words are public...
    for secret in NEVER_PUBLIC:  # ...names, phones and unconsented words never
        assert secret not in published, secret
    stored = every_stored_row(app, database_url)
    assert OPEN_WORDS in stored  # the public read model holds the consented words
    for secret in NEVER_PUBLIC:
        assert secret not in stored, secret
    keys = (tmp_path / "keys.sqlite3").read_bytes() if (tmp_path / "keys.sqlite3").exists() else b""
    assert SECRET_PHONE.encode() not in keys and OPEN_PHONE.encode() not in keys
    for secret in NEVER_PUBLIC:
        assert secret not in caplog.text, secret

    # Erasure: the open case's person asks to be forgotten.
    result = app.test_cli_runner().invoke(
        args=["cases", "erase", "--phone", OPEN_PHONE, "--reason", "本人申请删除"]
    )
    assert result.exit_code == 0 and "erased: 1 case(s)" in result.output
    services: Services = app.extensions["minsheng"]
    erased = services.ledger.case_by_number(open_number)
    assert services.ledger.vault.open(erased.key_id, erased.sealed, str(erased.id)) is None
    page = public.get(f"/cases/{open_number}")
    assert page.status_code == 200 and "内容已按当事人要求删除" in page.get_data(as_text=True)
    assert "交办" in page.get_data(as_text=True)  # the public timeline still renders
    assert OPEN_WORDS not in every_public_page(public, [number, open_number])
    assert OPEN_WORDS not in every_stored_row(app, database_url)  # read models dropped their copy
    assert OPEN_NAME not in staff.get(f"/staff/cases/{erased.id}").get_data(as_text=True)
    services.projector.rebuild()  # replaying the whole log after erasure works and stays clean
    assert OPEN_WORDS not in every_stored_row(app, database_url)
    assert public.get(f"/cases/{open_number}").status_code == 200
    for secret in NEVER_PUBLIC:
        assert secret not in caplog.text, secret
