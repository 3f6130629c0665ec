"""Hearing back through the real forms: the receipt by SMS, a lost code, all one's cases by
phone, and the stop link (a development site: messages go to its outbox; both stores)."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from domain.cases import CaseError
from minsheng_site.services import Services
from projections.cases import case_queries as cq
from tests.citizens import CASE_FORM
from tests.clock import Clock
from tests.conftest import AppFactory
from tests.web.staff_helpers import post_form

PHONE, OTHER = CASE_FORM["phone"], "13900002222"


@pytest.fixture
def app(app_factory: AppFactory) -> Flask:
    return app_factory(clock=Clock("2023-09-04T09:00"), plan=True, DEV_OUTBOX=True)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def services(app: Flask) -> Services:
    found: Services = app.extensions["minsheng"]
    return found


def texts(app: Flask, phone: str = PHONE) -> list[str]:
    """Messages to `phone` in the outbox, oldest first, after a round of the worker (the read
    models and the notifier: what the ledger's commands wrote outside a request)."""
    site = services(app)
    site.projector.catch_up()
    site.notifier.round()
    assert site.outbox is not None
    return [t for a, t, _ in reversed(site.outbox.latest(1000)) if a == phone]


def guessed(url: str) -> str:
    """The link with another token: its last character changed (never the real one)."""
    return url[:-1] + ("0" if url[-1] != "0" else "1")


def file_case(client: FlaskClient, **changes: str) -> None:
    status, _, _ = post_form(client, "/cases/new", {**CASE_FORM, **changes})
    assert status == 303


def receipt(app: Flask, phone: str = PHONE) -> tuple[str, str]:
    [message] = [t for t in texts(app, phone) if "查询码" in t][-1:]
    found = re.search(r"编号(\S+?)，查询码(\d{8})", message)
    assert found, message
    return found.group(1), found.group(2)


def test_the_receipt_carries_number_and_code_and_they_open_the_case(
    client: FlaskClient, app: Flask
) -> None:
    file_case(client)
    number, code = receipt(app)
    other = app.test_client()
    status, location, _ = post_form(other, "/cases/lookup", {"number": number, "code": code})
    assert status == 303 and location.endswith("/cases/mine")
    assert CASE_FORM["title"] in other.get("/cases/mine").get_data(as_text=True)
    # the link in the message opens the lookup with the number filled in
    link = re.search(r"http://localhost(/cases/lookup\?number=\S+)", texts(app)[0])
    assert link and f'value="{number}"' in other.get(link.group(1)).get_data(as_text=True)


def test_a_lost_code_is_sent_again_only_to_the_phone_that_filed_the_case(
    client: FlaskClient, app: Flask
) -> None:
    file_case(client)
    number, code = receipt(app)
    before = len(texts(app))
    stranger = app.test_client()
    status, _, html = post_form(stranger, "/cases/code", {"number": number, "phone": OTHER})
    assert status == 200 and "如果案件编号和手机号码与提交时一致" in html
    assert texts(app, OTHER) == [] and len(texts(app)) == before  # nothing told, nothing sent
    status, _, same = post_form(stranger, "/cases/code", {"number": number, "phone": PHONE})
    assert status == 200 and "如果案件编号和手机号码与提交时一致" in same  # the same answer
    again = texts(app)[before:]
    assert len(again) == 1 and f"查询码是{code}" in again[0]
    assert code not in same  # the page never shows it: only the phone gets it


def test_bad_input_to_the_code_form_gets_clear_errors(client: FlaskClient, app: Flask) -> None:
    status, _, html = post_form(client, "/cases/code", {"number": "", "phone": "12"})
    assert status == 400 and "请填写案件编号。" in html and "请填写有效的手机号码" in html


def verify_phone(client: FlaskClient, app: Flask, phone: str) -> None:
    status, _, _ = post_form(
        client, "/ratings/verify", {"contact": phone, "next": "/cases/by-phone"}
    )
    assert status == 303
    code = re.search(r"验证码是 (\d{6})", texts(app, phone)[-1])
    assert code
    status, location, _ = post_form(
        client, "/ratings/verify/code", {"code": code.group(1), "next": "/cases/by-phone"}
    )
    assert status == 303 and "/cases/by-phone" in location


def test_a_verified_phone_lists_its_cases_and_opens_each_without_the_code(
    client: FlaskClient, app: Flask
) -> None:
    file_case(client)
    file_case(client, title="路灯不亮", content="小区门口两盏路灯不亮已两周。")
    file_case(client, phone=OTHER, title="别人的诉求", content="另一个人反映的问题内容。")
    numbers = re.findall(r"编号(\S+?)，查询码", " ".join(texts(app)))
    theirs = receipt(app, OTHER)[0]
    citizen = app.test_client()
    html = citizen.get("/cases/by-phone").get_data(as_text=True)
    assert "验证手机号码" in html and numbers[0] not in html  # not verified: nothing listed
    verify_phone(citizen, app, PHONE)
    html = citizen.get("/cases/by-phone").get_data(as_text=True)
    assert all(n in html for n in numbers) and theirs not in html
    response = citizen.get(f"/cases/by-phone/{numbers[-1]}")
    assert response.status_code == 303 and response.headers["Location"].endswith("/cases/mine")
    assert "路灯不亮" in citizen.get("/cases/mine").get_data(as_text=True)
    assert citizen.get(f"/cases/by-phone/{theirs}").status_code == 404  # not theirs
    assert citizen.get("/cases/by-phone/2023-XXXXXX").status_code == 404


def test_the_stop_link_asks_first_then_stops_messages_for_that_case(
    client: FlaskClient, app: Flask
) -> None:
    file_case(client)
    number, _ = receipt(app)
    link = re.search(r"http://localhost(/cases/\S+/stop/[0-9a-f]{20})", texts(app)[0])
    assert link
    html = client.get(link.group(1)).get_data(as_text=True)
    assert "确定不再接收吗" in html  # a link preview that opens it stops nothing
    case_id = str(services(app).ledger.case_by_number(number).id)
    assert not services(app).notifier.stopped(case_id)
    status, _, html = post_form(client, link.group(1), {})
    assert status == 200 and "已停止" in html
    assert services(app).notifier.stopped(case_id)
    services(app).ledger.accept_case(case_id, "staff:gov")
    assert len(texts(app)) == 1  # the acceptance is not sent
    assert client.get(guessed(link.group(1))).status_code == 404


def test_the_case_form_speaks_the_language_of_its_messages(app: Flask) -> None:
    english = app.test_client()
    english.set_cookie("lang", "en")
    file_case(english)
    [message] = texts(app)
    assert message.startswith("[Wuxi Livelihood Projects]") and "query code" in message


def test_codes_sent_again_are_limited_per_phone_and_per_case(
    client: FlaskClient, app: Flask
) -> None:
    file_case(client)
    number, _ = receipt(app)
    asked = [
        post_form(app.test_client(), "/cases/code", {"number": number, "phone": PHONE})[0]
        for _ in range(4)
    ]
    assert asked == [200, 200, 200, 429]  # CODE_LIMIT_PER_CONTACT: 3 per 15 minutes
    assert len(texts(app)) == 1 + 3
    # many phones tried against one case: limited per case too
    tried = [
        post_form(
            app.test_client(), "/cases/code", {"number": "2023-AAAAAA", "phone": f"1390000{i:04d}"}
        )[0]
        for i in range(4)
    ]
    assert tried == [200, 200, 200, 429]


def test_a_site_that_sends_no_text_messages_says_so_and_offers_no_dead_end(
    app_factory: AppFactory,
) -> None:
    silent = app_factory(clock=Clock("2023-09-04T09:00"), plan=True)  # no gateway, no outbox
    client = silent.test_client()
    lookup = client.get("/cases/lookup").get_data(as_text=True)
    assert "/cases/code" not in lookup and "/cases/by-phone" not in lookup
    response = client.get("/cases/code")
    assert response.status_code == 503 and "暂时无法发送查询码" in response.get_data(as_text=True)
    by_phone = client.get("/cases/by-phone").get_data(as_text=True)
    assert "暂时无法验证手机号码" in by_phone and "/ratings/verify" not in by_phone


def closed_through_the_site(client: FlaskClient, app: Flask, clock: Clock) -> tuple[str, str]:
    """A case filed on the form, handled by staff through the ledger, rated and closed."""
    file_case(client)
    number, code = receipt(app)
    ledger = services(app).ledger
    case_id = str(ledger.case_by_number(number).id)
    ledger.accept_case(case_id, "staff:gov")
    ledger.assign_case(case_id, "hotline", "市园林局", [], 5, "staff:gov")
    ledger.reply_case(case_id, "已修复。", "市园林局", "staff:yl")
    ledger.evaluate_case(number, code, "satisfied", "")
    ledger.close_case(case_id, "staff:gov")
    texts(app)
    return number, case_id


@pytest.fixture
def clock() -> Clock:
    return Clock("2023-09-04T09:00")


@pytest.fixture
def clocked(app_factory: AppFactory, clock: Clock) -> Flask:
    return app_factory(clock=clock, plan=True, DEV_OUTBOX=True, NOTIFY_FOLLOW_UP_DAYS=28)


@pytest.mark.parametrize("answer", ["yes", "no", "unsure"])
def test_is_it_fixed_is_answered_from_the_message_and_counted_publicly(
    clocked: Flask, clock: Clock, answer: str
) -> None:
    app, client = clocked, clocked.test_client()
    number, _ = closed_through_the_site(client, app, clock)
    clock.set("2023-10-02T10:00")
    [asked] = [t for t in texts(app) if "是否已解决" in t]
    link = re.search(r"http://localhost(/cases/\S+/fixed/[0-9a-f]{20})", asked)
    assert link
    assert client.get(guessed(link.group(1))).status_code == 404
    words = "灯又坏了，<script>alert(1)</script>\u202e"
    form_page = client.get(link.group(1)).get_data(as_text=True)
    status, _, html = post_form(client, link.group(1), {"answer": answer, "words": words})
    assert status == 200 and "谢谢您的回答" in html
    case = services(app).ledger.case_by_number(number)
    assert case.fix_answer == answer and case.state == ("accepted" if answer == "no" else "closed")
    public = client.get(f"/cases/{number}").get_data(as_text=True)
    assert "灯又坏了" not in public and "<script>alert(1)" not in public
    stats = client.get("/cases/stats").get_data(as_text=True)
    expected = "（1 / 1）" if answer == "yes" else "（0 / 1）"
    assert "回访解决率" in stats and expected in stats
    # answered once: the link now says so, and a second answer (the form sent again with a
    # valid token) changes nothing
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form_page)
    assert token
    second = {"csrf_token": token[1], "answer": "yes", "words": ""}
    again = client.post(link.group(1), data=second).get_data(as_text=True)
    assert services(app).ledger.case_by_number(number).fix_answer == answer
    assert "已回答" in again
    if answer == "no":  # reopened: the citizen hears it, the task force sees it to assign
        assert "重新受理" in texts(app)[-1]
        with services(app).read() as c:
            assert [r.number for r in cq.open_cases(c) if r.state == "accepted"] == [number]


def test_is_it_fixed_refuses_a_missing_answer_and_unstorable_words(
    clocked: Flask, clock: Clock
) -> None:
    app, client = clocked, clocked.test_client()
    number, case_id = closed_through_the_site(client, app, clock)
    token = services(app).ledger.vault.case_token("fixed", case_id)
    url = f"/cases/{number}/fixed/{token}"
    status, _, html = post_form(client, url, {"answer": "", "words": ""})
    assert status == 400 and "请选择一项。" in html
    status, _, html = post_form(client, url, {"answer": "maybe", "words": ""})
    assert status == 400
    ledger = services(app).ledger
    for answer, words, code in [("maybe", "", "answer"), ("no", "坏\ud800了", "unstorable")]:
        with pytest.raises(CaseError) as refused:
            ledger.check_case_fix(case_id, answer, words)
        assert refused.value.code == code
    assert ledger.case_by_number(number).fix_answer is None
    # control characters typed into the form are cleaned away (the one text policy)
    status, _, html = post_form(client, url, {"answer": "no", "words": "坏\x00了\x1b"})
    assert status == 200 and ledger.case_by_number(number).fix_answer == "no"
    with pytest.raises(CaseError) as twice:
        ledger.check_case_fix(case_id, "yes", "")
    assert twice.value.code == "transition"  # reopened by the 否: no longer closed


def test_the_verify_page_for_cases_asks_for_the_phone_with_its_own_words(
    client: FlaskClient,
) -> None:
    html = client.get("/ratings/verify?next=/cases/by-phone").get_data(as_text=True)
    assert "验证手机号码" in html and "请填写提交诉求时留下的手机号码" in html
    assert 'name="contact"' in html and "每季度对每个项目只评价一次" not in html
    rating = client.get("/ratings/verify?next=/plans/2023/projects/9.1").get_data(as_text=True)
    assert 'name="contact"' in rating and "每季度对每个项目只评价一次" in rating


def test_a_link_token_in_any_script_is_not_found_not_an_error(
    client: FlaskClient, app: Flask
) -> None:
    file_case(client)
    number, _ = receipt(app)
    for kind in ("stop", "fixed"):
        for token in ("电梯电梯电梯电梯电梯", "%F0%9F%92%A5", "x" * 300):
            assert client.get(f"/cases/{number}/{kind}/{token}").status_code == 404
