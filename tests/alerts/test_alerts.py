"""E-mail alerts through the real forms and a real SMTP server (aiosmtpd, started here):
double opt-in, what an alert says, one-click unsubscribe, erasure (both stores)."""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Iterator
from datetime import date
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from application.subscriptions import subscriptions
from bench.common import free_port
from minsheng_site.alerts.digest import send_due_in
from minsheng_site.services import Services
from tests.clock import Clock
from tests.conftest import AppFactory
from tests.plans.test_progress import UNIT, lifts
from tests.web.staff_helpers import post_form

EMAIL = "reader@example.org"
TOPIC = "project:2023:9.1"


class Inbox:
    """What the SMTP server received, as parsed messages."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message["X-Envelope-To"] = ",".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"

    def bodies(self) -> list[str]:
        return [m.get_content() for m in self.messages]  # type: ignore[attr-defined]


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    box, port = Inbox(), free_port()
    server = Controller(box, hostname="127.0.0.1", port=port)
    server.start()
    yield box, port
    server.stop()


@pytest.fixture
def clock() -> Clock:
    return Clock("2023-07-05T10:00")


@pytest.fixture
def app(app_factory: AppFactory, inbox: tuple[Inbox, int], clock: Clock) -> Flask:
    smtp = f"smtp://127.0.0.1:{inbox[1]}?from=alerts@minsheng.example&starttls=0"
    return app_factory(
        clock=clock, plan=True, SMTP_URL=smtp, CODE_LIMIT_PER_CONTACT="100 per minute"
    )


def site(app: Flask) -> Services:
    found: Services = app.extensions["minsheng"]
    return found


def report(app: Flask, period: str, amount: str) -> None:
    site(app).ledger.report_progress(
        year=2023,
        item=9,
        period=period,
        unit=UNIT,
        values=lifts(amount),
        narrative="",
        evidence=(),
        actor="staff:li",
    )
    site(app).projector.catch_up()


def follow(client: FlaskClient, frequency: str = "immediate", address: str = EMAIL) -> str:
    status, _, html = post_form(
        client,
        f"/alerts/follow?topic={TOPIC}",
        {"email": address, "frequency": frequency, "topic": TOPIC},
    )
    assert status == 200, html
    return html


def test_a_page_with_a_feed_offers_alerts_and_the_box_works_without_javascript(
    app: Flask,
) -> None:
    client = app.test_client()
    page = client.get("/plans/2023/projects/9.1").get_data(as_text=True)
    assert f"/alerts/follow?topic={TOPIC}" in page and 'hx-get="/alerts/follow' in page
    assert 'name="csrf_token"' not in page  # the page itself stays cacheable
    box = client.get(f"/alerts/follow?topic={TOPIC}").get_data(as_text=True)
    assert "<html" in box and 'name="email"' in box
    fragment = client.get(f"/alerts/follow?topic={TOPIC}", headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True)
    assert client.get("/alerts/follow?topic=project:2023:99.9").status_code == 404
    assert client.get("/alerts/follow?topic=<script>").status_code == 404


def test_double_opt_in_then_an_alert_with_one_click_unsubscribe(
    app: Flask, inbox: tuple[Inbox, int], clock: Clock
) -> None:
    box, _ = inbox
    client = app.test_client()
    assert "确认邮件已发出" in follow(client)
    [confirmation] = box.messages
    assert confirmation["X-Envelope-To"] == EMAIL and "确认订阅" in confirmation["Subject"]
    link = re.search(r"http://localhost(/alerts/\S+/confirm/[0-9a-f]{20})", box.bodies()[0])
    assert link
    report(app, "2023-06", "150")  # news before confirming: nothing is sent
    assert send_due_in(app) == 0 and len(box.messages) == 1

    assert "已确认" in client.get(link.group(1)).get_data(as_text=True)
    assert send_due_in(app) == 0  # what happened before confirming is not news to it
    clock.set("2023-08-04T10:00")
    report(app, "2023-07", "170")
    assert send_due_in(app) == 1 and send_due_in(app) == 0  # told once
    alert = box.messages[-1]
    assert "具体项目9.1" in alert["Subject"] and "1条新动态" in alert["Subject"]
    assert alert["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert alert["Message-ID"]
    body = box.bodies()[-1]
    assert "170" in body and "/events/" in body
    one_click = re.search(
        r"<http://localhost(/alerts/\S+/one-click/[0-9a-f]{20})>", alert["List-Unsubscribe"]
    )
    assert one_click
    # a mail client's POST: no cookie, no form token
    assert (
        app.test_client()
        .post(one_click.group(1), data={"List-Unsubscribe": "One-Click"})
        .status_code
        == 204
    )
    clock.set("2023-09-04T10:00")
    report(app, "2023-08", "190")
    assert send_due_in(app) == 0 and len(box.messages) == 2


def test_a_daily_alert_goes_once_a_day_after_eight(
    app: Flask, inbox: tuple[Inbox, int], clock: Clock
) -> None:
    box, _ = inbox
    client = app.test_client()
    follow(client, "daily")
    link = re.search(r"http://localhost(/alerts/\S+/confirm/[0-9a-f]{20})", box.bodies()[0])
    assert link
    client.get(link.group(1))
    clock.set("2023-08-04T07:30")
    report(app, "2023-07", "170")
    assert send_due_in(app) == 0  # before 08:00 Wuxi time
    clock.set("2023-08-04T08:01")
    assert send_due_in(app) == 1
    clock.set("2023-08-04T15:00")
    report(app, "2023-08", "190")
    assert send_due_in(app) == 0  # one a day
    clock.set("2023-08-05T08:30")
    assert send_due_in(app) == 1 and "190" in box.bodies()[-1]


def test_bad_addresses_are_refused_and_nothing_is_kept_or_sent(
    app: Flask, inbox: tuple[Inbox, int]
) -> None:
    box, _ = inbox
    client = app.test_client()
    for bad in ("", "not-an-address", "a@b", "<script>@x.org", "x" * 300 + "@example.org"):
        status, _, html = post_form(
            client,
            f"/alerts/follow?topic={TOPIC}",
            {"email": bad, "frequency": "daily", "topic": TOPIC},
        )
        assert status == 400 and "电子邮箱" in html
    with site(app).engine.connect() as c:
        assert c.execute(select(subscriptions)).all() == []
    assert box.messages == []


def test_the_address_is_kept_sealed_and_an_erasure_cancels_every_subscription(
    app: Flask, inbox: tuple[Inbox, int]
) -> None:
    client = app.test_client()
    follow(client, "weekly")
    with site(app).engine.connect() as c:
        rows = c.execute(select(subscriptions)).all()
    assert len(rows) == 1 and EMAIL not in repr(rows) and "reader" not in repr(rows)
    assert site(app).subscriptions.forget(EMAIL) == 1
    with site(app).engine.connect() as c:
        [row] = c.execute(select(subscriptions)).all()
    assert row.state == "cancelled" and row.sealed == ""


def test_follow_requests_are_limited_per_address_as_the_one_time_codes(
    app_factory: AppFactory, inbox: tuple[Inbox, int]
) -> None:
    smtp = f"smtp://127.0.0.1:{inbox[1]}?starttls=0"
    limited = app_factory(plan=True, SMTP_URL=smtp, CODE_LIMIT_PER_CONTACT="2 per hour")
    client = limited.test_client()
    form = {"email": EMAIL, "frequency": "daily", "topic": TOPIC}
    statuses = [post_form(client, f"/alerts/follow?topic={TOPIC}", form)[0] for _ in range(3)]
    assert statuses == [200, 200, 429] and len(inbox[0].messages) == 2


def test_a_site_that_sends_no_email_says_so(app_factory: AppFactory) -> None:
    silent = app_factory(plan=True)
    response = silent.test_client().get(f"/alerts/follow?topic={TOPIC}")
    assert response.status_code == 503 and "暂时无法订阅" in response.get_data(as_text=True)
    page = silent.test_client().get("/plans/2023/projects/9.1").get_data(as_text=True)
    assert "/alerts/follow" not in page and "订阅 RSS/Atom" in page  # no dead end


def test_erasing_a_person_by_e_mail_cancels_their_alerts(app: Flask) -> None:
    follow(app.test_client(), "daily")
    result = app.test_cli_runner().invoke(
        args=["cases", "erase", "--email", EMAIL, "--reason", "本人申请"]
    )
    assert result.exit_code == 0 and "1 e-mail alert(s)" in result.output, result.output
    with site(app).engine.connect() as c:
        [row] = c.execute(select(subscriptions)).all()
    assert (row.state, row.sealed) == ("cancelled", "")


@pytest.mark.parametrize(
    "topic",
    [
        "project:2023:9.1",
        "item:2023:9",
        "key:2023:1",
        "unit:2023:市住房城乡建设局",
        "category:2023:3",
        "district:梁溪区",
        "cases",
        "case-category:城市管理",
        "overdue",
        "plan:2023",
        "supervision",
        "weekly",
    ],
)
def test_every_kind_of_topic_can_be_followed(app: Flask, topic: str) -> None:
    response = app.test_client().get(f"/alerts/follow?topic={topic}")
    assert response.status_code == 200 and 'name="email"' in response.get_data(as_text=True)


def test_the_cases_of_a_category_and_the_overdue_list_are_told_as_they_come(
    app: Flask, inbox: tuple[Inbox, int], clock: Clock
) -> None:
    from tests.cases.test_case_lifecycle import intake

    box, _ = inbox
    client = app.test_client()
    for topic in ("case-category:城市管理", "overdue"):
        form = {"email": EMAIL, "frequency": "immediate", "topic": topic}
        assert post_form(client, f"/alerts/follow?topic={topic}", form)[0] == 200
    for body in box.bodies():
        link = re.search(r"http://localhost(/alerts/\S+/confirm/\w{20})", body)
        assert link and client.get(link.group(1)).status_code == 200
    ledger = site(app).ledger
    day = date(2023, 7, 5)
    mine = ledger.submit_case(intake(category="城市管理", received_on=day), "citizen")
    ledger.submit_case(intake(category="教育", title="学校门口拥堵", received_on=day), "citizen")
    ledger.accept_case(mine.case_id, "staff:gov")
    ledger.assign_case(mine.case_id, "hotline", "市城管局", [], 1, "staff:gov")
    site(app).projector.catch_up()
    assert send_due_in(app) == 1  # the category's news: its own cases only
    told = box.bodies()[-1]
    assert "诉求" in told and "学校门口拥堵" not in told
    assert box.bodies()[-1].count("/events/") == 3  # submitted, accepted, assigned
    clock.set("2023-07-20T10:00")  # past its one working day
    site(app).projector.catch_up()
    assert send_due_in(app) == 1  # the overdue list
    assert f"诉求{mine.number}超期未办结" in box.bodies()[-1]
    assert send_due_in(app) == 0  # told once


def test_the_overdue_list_tells_of_a_case_without_consent_too_without_its_words(
    app: Flask, inbox: tuple[Inbox, int], clock: Clock
) -> None:
    from tests.cases.test_case_lifecycle import intake

    box, _ = inbox
    client = app.test_client()
    form = {"email": EMAIL, "frequency": "immediate", "topic": "overdue"}
    assert post_form(client, "/alerts/follow?topic=overdue", form)[0] == 200
    link = re.search(r"http://localhost(/alerts/\S+/confirm/\w{20})", box.bodies()[-1])
    assert link and client.get(link.group(1)).status_code == 200
    ledger = site(app).ledger
    hidden = ledger.submit_case(intake(consent=False, received_on=date(2023, 7, 5)), "citizen")
    ledger.accept_case(hidden.case_id, "staff:gov")
    ledger.assign_case(hidden.case_id, "hotline", "市城管局", [], 1, "staff:gov")
    clock.set("2023-07-20T10:00")  # past its one working day
    site(app).projector.catch_up()
    assert send_due_in(app) == 1  # as the board's 超期 list and the overdue feed count it
    told = box.bodies()[-1]
    assert f"诉求{hidden.number}超期未办结" in told and "市城管局" in told
    assert "路灯" not in told and "清扬路" not in told  # the citizen's words stay theirs


def test_a_secret_in_any_script_is_not_found_not_an_error(app: Flask) -> None:
    client = app.test_client()
    follow(client)
    with site(app).engine.connect() as c:
        [row] = c.execute(select(subscriptions)).all()
    for kind in ("confirm", "stop"):
        assert client.get(f"/alerts/{row.id}/{kind}/电梯电梯").status_code == 404
    assert client.post(f"/alerts/{row.id}/one-click/电梯电梯").status_code == 404


def test_the_weekly_digest_tells_each_whole_week_once_with_its_counts(
    app: Flask, inbox: tuple[Inbox, int], clock: Clock
) -> None:
    box, _ = inbox
    client = app.test_client()
    assert "订阅邮件提醒" in client.get("/changes").get_data(as_text=True)
    form = {"email": EMAIL, "frequency": "immediate", "topic": "weekly"}
    assert post_form(client, "/alerts/follow?topic=weekly", form)[0] == 200
    link = re.search(r"http://localhost(/alerts/\S+/confirm/\w{20})", box.bodies()[0])
    assert link and client.get(link.group(1)).status_code == 200
    report(app, "2023-06", "150")  # Wednesday 5 July: this week is not over
    assert send_due_in(app) == 0
    clock.set("2023-07-09T23:00")  # Sunday night in Wuxi: still not over
    assert send_due_in(app) == 0
    clock.set("2023-07-10T00:30")
    assert send_due_in(app) == 1 and send_due_in(app) == 0  # told once
    digest = box.bodies()[-1]
    assert "2023-07-03至2023-07-09一周变化" in digest and "月度报告：1" in digest
    assert "/changes?from=2023-07-03&to=2023-07-09" in digest
    clock.set("2023-07-24T09:00")  # two quiet weeks later: each told, as quiet
    assert send_due_in(app) == 1
    assert box.bodies()[-1].count("本周没有记录到变化") == 2
