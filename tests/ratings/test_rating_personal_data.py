"""Canary contacts and comments of raters: in no public page, feed, export, log or stored row.

Two made-up raters (one by phone, one by e-mail) rate a project with unique
comments; one comment is approved, the other rejected. Every public page and
export is fetched, every log record captured and every row of the main
database read. Then both people are erased, by phone and by e-mail: their
contacts and comments become unrecoverable, the counts stay.
"""

from __future__ import annotations

import logging
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from minsheng_site.services import Services
from tests.cases.test_personal_data import every_public_page, every_stored_row
from tests.ratings.test_moderation import moderate
from tests.ratings.test_rating_web import PAGE, rate
from tests.web.staff_helpers import add_staff, csrf, sign_in

RATER_PHONE, RATER_EMAIL = "13655554444", "kanarie.rater@example.org"
APPROVED = "电梯装好了很方便KANARIE1A"
REJECTED = "我的邻居王某某KANARIE2B"
NEVER_PUBLIC = (RATER_PHONE, "136 5555 4444", RATER_EMAIL, REJECTED)
RATING_PAGES = [
    PAGE,
    "/plans/2023/items/9",
    "/plans/2023/satisfaction",
    "/plans/2023/satisfaction/chart.svg",
    "/plans/2023/evaluation",
    "/api/v1/plans/2023/satisfaction",
    "/api/v1/plans/2023/evaluation",
    "/open-data/plans/2023/satisfaction.csv",
    "/open-data/plans/2023/evaluation.csv",
    "/feeds/plans/2023/projects/9.1.atom",
    "/feeds/plans/2023/items/9.rss",
]


@pytest.fixture
def app(app: Flask) -> Flask:
    add_staff(app, "gov.chen", ("admin", "市政府办公室"))
    return app


def verify_as(client: FlaskClient, contact: str) -> str:
    response = client.post(
        "/ratings/verify",
        data={"csrf_token": csrf(client, "/ratings/verify"), "contact": contact, "next": PAGE},
    )
    assert response.status_code == 303
    # the newest message comes first
    code = re.findall(r"验证码是 (\d{6})", client.get("/dev/outbox").get_data(as_text=True))[0]
    response = client.post(
        "/ratings/verify/code",
        data={"csrf_token": csrf(client, response.headers["Location"]), "code": code, "next": PAGE},
    )
    assert response.status_code == 303
    return code


def public_text(client: FlaskClient) -> str:
    pages = [every_public_page(client, [])]
    for url in RATING_PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        pages.append(response.get_data(as_text=True))
    return "\n".join(pages)


def test_rater_contacts_and_rejected_comments_stay_private_and_erasure_removes_the_rest(
    app: Flask, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    by_phone, by_email, staff, public = (app.test_client() for _ in range(4))
    codes = [verify_as(by_phone, "136 5555 4444"), verify_as(by_email, RATER_EMAIL.upper())]
    assert rate(by_phone, "satisfied", comment=APPROVED)[0] == 303
    assert rate(by_email, "unsatisfied", comment=REJECTED)[0] == 303
    sign_in(staff, "gov.chen")
    assert moderate(staff, APPROVED, "approve") == 303
    assert moderate(staff, REJECTED, "reject", "personal") == 303

    published = public_text(public)
    assert APPROVED in published and "共2条评价" in published
    for secret in NEVER_PUBLIC:
        assert secret not in published, secret
    stored = every_stored_row(app, database_url)
    assert APPROVED in stored  # the public read model holds the approved comment
    for secret in NEVER_PUBLIC:  # contacts and the rejected words only sealed, never plain
        assert secret not in stored, secret
    for secret in (*NEVER_PUBLIC, *codes):  # nor in any log line; the codes neither
        assert secret not in caplog.text, secret

    services: Services = app.extensions["minsheng"]
    vault = services.ledger.vault
    sealed = [
        b for c in (RATER_PHONE, RATER_EMAIL) for k in vault.keys_of(c) for b in vault.cases_of(k)
    ]
    assert len(sealed) == 2 and services.ledger.comment_of(services.ledger.ballot(sealed[0]))

    runner = app.test_cli_runner()
    result = runner.invoke(args=["cases", "erase", "--phone", RATER_PHONE, "--reason", "本人申请"])
    assert (result.exit_code, result.output) == (
        0,
        "erased: 0 case(s), 1 rating(s), 0 proposal(s), 0 e-mail alert(s)\n",
    )
    result = runner.invoke(args=["cases", "erase", "--email", RATER_EMAIL, "--reason", "本人申请"])
    assert (result.exit_code, result.output) == (
        0,
        "erased: 0 case(s), 1 rating(s), 0 proposal(s), 0 e-mail alert(s)\n",
    )
    result = runner.invoke(args=["cases", "erase", "--email", "no-at-sign", "--reason", "x"])
    assert result.exit_code != 0 and "not an e-mail address" in result.output

    for client in (by_phone, by_email):
        assert client.get(PAGE).status_code == 200
    published = public_text(public)
    assert APPROVED not in published  # the approved comment went with its writer
    assert "共2条评价" in published  # the ratings still count
    assert APPROVED not in every_stored_row(app, database_url)
    for ballot in sealed:  # contact and comment can no longer be opened, by anyone
        assert services.ledger.comment_of(services.ledger.ballot(ballot)) is None
    services.projector.rebuild()  # replaying everything after erasure stays clean
    assert APPROVED not in every_stored_row(app, database_url)
    assert "共2条评价" in public.get(PAGE).get_data(as_text=True)
    for secret in (*NEVER_PUBLIC, APPROVED):
        assert secret not in caplog.text, secret
