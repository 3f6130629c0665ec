"""Sessions and request settings that must really take effect: cookie attributes, lifetime,
body size, ending every copy of a staff session, nothing readable in a citizen's cookie, HSTS."""

from __future__ import annotations

import base64
import json
import re
import time
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from domain.staff import Role
from minsheng_site.services import Services
from tests.citizens import CASE_FORM
from tests.clock import Clock
from tests.conftest import AppFactory, make_app
from tests.web.staff_helpers import add_staff, csrf, post_form, sign_in

HOUSING = "市住房城乡建设局"
CASE = CASE_FORM


@pytest.fixture
def app(app_factory: AppFactory) -> Flask:
    created = app_factory(
        clock=Clock("2023-09-04T09:00"), plan=True, INTAKE_API_TOKEN="intake-token"
    )
    add_staff(created, "zjj.li", ("reporter", HOUSING))
    return created


def signed_in(app: Flask) -> FlaskClient:
    client = app.test_client()
    assert sign_in(client, "zjj.li") == 303
    assert client.get("/staff/").status_code == 200
    return client


def replay(app: Flask, staff: FlaskClient) -> int:
    """Status of /staff/ for a fresh browser holding a copy of `staff`'s session cookie."""
    cookie = staff.get_cookie("session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    return thief.get("/staff/").status_code


# Cookie attributes and lifetime -----------------------------------------------------------


def test_the_staff_session_cookie_is_http_only_same_site_and_lasts_eight_hours(
    app: Flask,
) -> None:
    cookie = signed_in(app).get_cookie("session")
    assert cookie is not None
    assert cookie.http_only and cookie.same_site == "Lax" and not cookie.secure
    assert cookie.expires is not None
    lasts = cookie.expires - datetime.now(UTC)
    assert timedelta(hours=7, minutes=59) < lasts <= timedelta(hours=8)


def test_a_secure_site_marks_the_cookie_secure_and_sends_hsts(
    database_url: str, tmp_path: Path
) -> None:
    secure = make_app(database_url, tmp_path, SESSION_COOKIE_SECURE=True)
    try:
        client = secure.test_client()
        response = client.get("/staff/login", base_url="https://localhost")
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
        cookie = client.get_cookie("session", domain="localhost")
        assert cookie is not None and cookie.secure
    finally:
        secure.extensions["minsheng"].close()


def test_a_plain_http_site_sends_no_hsts(app: Flask) -> None:
    assert "Strict-Transport-Security" not in app.test_client().get("/").headers


class _Then(TimestampSigner):
    """Signs as if it were `seconds_ago` seconds ago."""

    seconds_ago = 0

    def get_timestamp(self) -> int:
        return int(time.time()) - self.seconds_ago


def _cookie_signed_ago(app: Flask, value: str, seconds: int) -> str:
    interface = app.session_interface
    current = interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    assert current is not None
    data = current.loads(value)
    signer = type("Signer", (_Then,), {"seconds_ago": seconds})
    then = URLSafeTimedSerializer(
        app.secret_key,  # type: ignore[arg-type]
        salt=interface.salt,  # type: ignore[attr-defined]
        serializer=interface.serializer,  # type: ignore[attr-defined]
        signer=signer,
        signer_kwargs={"key_derivation": "hmac", "digest_method": interface.digest_method},  # type: ignore[attr-defined]
    )
    return then.dumps(data)


@pytest.mark.parametrize(("age", "status"), [(8 * 3600 - 60, 200), (8 * 3600 + 60, 302)])
def test_a_session_is_refused_eight_hours_after_it_was_written(
    app: Flask, age: int, status: int
) -> None:
    staff = signed_in(app)
    cookie = staff.get_cookie("session")
    assert cookie is not None
    staff.set_cookie("session", _cookie_signed_ago(app, cookie.value, age))
    assert staff.get("/staff/").status_code == status


# Body size ------------------------------------------------------------------------------


def test_a_two_megabyte_form_gets_a_clear_413_page(app: Flask) -> None:
    citizen = app.test_client()
    token = csrf(citizen, "/cases/new")
    response = citizen.post(
        "/cases/new", data={**CASE, "csrf_token": token, "content": "长" * (2 * 1024 * 1024)}
    )
    assert response.status_code == 413
    assert response.mimetype == "text/html"
    assert "提交的内容太大（最多1 MB），请删减后再试。" in response.get_data(as_text=True)


def test_a_two_megabyte_api_body_gets_a_413_in_json(app: Flask) -> None:
    body = json.dumps({"ticket": "1", "content": "x" * (2 * 1024 * 1024)})
    response = app.test_client().post(
        "/api/v1/cases",
        data=body,
        headers={"Authorization": "Bearer intake-token", "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.get_json()["error"]["status"] == 413


# Ending every copy of a staff session ---------------------------------------------------


def test_signing_out_ends_every_copy_of_the_session(app: Flask) -> None:
    staff = signed_in(app)
    copy = app.test_client()
    copy.set_cookie("session", staff.get_cookie("session").value)  # type: ignore[union-attr]
    assert copy.get("/staff/").status_code == 200
    token = csrf(staff, "/staff/")
    assert staff.post("/staff/logout", data={"csrf_token": token}).status_code == 303
    assert copy.get("/staff/").status_code == 302
    assert sign_in(app.test_client(), "zjj.li") == 303  # signing in again works


def test_a_new_password_set_from_the_command_line_ends_every_session(app: Flask) -> None:
    staff = signed_in(app)
    result = app.test_cli_runner().invoke(
        args=["users", "set-password", "zjj.li", "--password-stdin"],
        input="a brand new password\n",
    )
    assert result.exit_code == 0, result.output
    assert replay(app, staff) == 302
    assert staff.get("/staff/").status_code == 302


def test_revoking_a_role_from_the_command_line_ends_every_session(app: Flask) -> None:
    staff = signed_in(app)
    result = app.test_cli_runner().invoke(args=["users", "revoke", "zjj.li", "reporter", HOUSING])
    assert result.exit_code == 0, result.output
    assert replay(app, staff) == 302


def test_revoking_a_role_through_the_ledger_ends_every_session(app: Flask) -> None:
    staff = signed_in(app)
    services: Services = app.extensions["minsheng"]
    services.ledger.revoke_role("zjj.li", Role("reporter", HOUSING), "cli:test")
    services.caught_up()
    assert replay(app, staff) == 302


# Nothing readable in a citizen's cookie -------------------------------------------------


def _session_text(client: FlaskClient, app: Flask) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    raw = cookie.value.lstrip(".").split(".")[0]
    payload = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    text = zlib.decompress(payload) if cookie.value.startswith(".") else payload
    decoded = app.session_interface.get_signing_serializer(app).loads(cookie.value)  # type: ignore[attr-defined]
    return text.decode() + json.dumps(decoded, ensure_ascii=False)


def test_the_case_number_and_query_code_are_not_readable_in_the_session_cookie(
    app: Flask,
) -> None:
    citizen = app.test_client()
    assert post_form(citizen, "/cases/new", CASE)[0] == 303
    page = citizen.get("/cases/mine").get_data(as_text=True)
    number, code = re.findall(r'class="code">([^<]+)<', page)
    assert number.startswith("2023-") and code.isdigit()
    text = _session_text(citizen, app)
    assert number not in text and code not in text
    looked_up = app.test_client()
    assert post_form(looked_up, "/cases/lookup", {"number": number, "code": code})[0] == 303
    assert "测试者" in looked_up.get("/cases/mine").get_data(as_text=True)
    text = _session_text(looked_up, app)
    assert number not in text and code not in text
