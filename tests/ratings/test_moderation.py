"""Comments are public only once approved; rejections are counted by category, never shown."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from minsheng_site.services import Services
from tests.ratings.test_rating_web import PAGE, rate, verify
from tests.web.staff_helpers import add_staff, sign_in

KIND_WORDS = "楼道里的电梯终于装好了KIND7F"
NASTY_WORDS = "某某某的电话是13900001111骂人NASTY9C"


@pytest.fixture
def app(app: Flask) -> Flask:
    add_staff(app, "gov.chen", ("admin", "市政府办公室"))
    add_staff(app, "zjj.li", ("reporter", "市住房城乡建设局"))
    return app


def form_in(html: str, words: str, action: str) -> tuple[str, dict[str, str]]:
    """The moderation form for the comment with these words: its URL and hidden fields."""
    article = next(a for a in html.split("<article") if words in a)
    form = next(f for f in article.split("<form")[1:] if f'/{action}"' in f.split(">")[0])
    url = re.search(r'action="([^"]+)"', form)[1]  # type: ignore[index]
    hidden = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name and value:
            hidden[name[1]] = value[1]
    return url, hidden


def moderate(staff: FlaskClient, words: str, action: str, category: str = "") -> int:
    url, data = form_in(staff.get("/staff/ratings/").get_data(as_text=True), words, action)
    if category:
        prefix = next(iter(data)).split("-")[0]
        data[f"{prefix}-category"] = category
    return staff.post(url, data=data).status_code


def test_approved_comments_are_public_and_rejected_ones_only_counted(app: Flask) -> None:
    kind, nasty, public = app.test_client(), app.test_client(), app.test_client()
    verify(kind)
    verify(nasty, "someone@example.org")
    rate(kind, "satisfied", comment=KIND_WORDS)
    rate(nasty, "unsatisfied", comment=NASTY_WORDS)
    page = public.get(PAGE).get_data(as_text=True)
    assert KIND_WORDS not in page and NASTY_WORDS not in page and "待审核意见2条" in page

    staff = app.test_client()
    sign_in(staff, "gov.chen")
    queue = staff.get("/staff/ratings/").get_data(as_text=True)
    assert KIND_WORDS in queue and NASTY_WORDS in queue  # the moderator reads them
    assert moderate(staff, KIND_WORDS, "approve") == 303
    assert moderate(staff, NASTY_WORDS, "reject", "personal") == 303

    page = public.get(PAGE).get_data(as_text=True)
    assert KIND_WORDS in page
    assert NASTY_WORDS not in page and "13900001111" not in page
    assert "含有个人信息1条" in page and "待审核" not in page
    for url in ("/feeds/all.atom", "/api/v1/log.jsonl", "/plans/2023/satisfaction"):
        assert NASTY_WORDS not in public.get(url).get_data(as_text=True)
    assert "没有待审核的意见" in staff.get("/staff/ratings/").get_data(as_text=True)


def test_rating_again_replaces_a_comment_under_moderation(app: Flask) -> None:
    citizen, staff = app.test_client(), app.test_client()
    verify(citizen)
    rate(citizen, "satisfied", comment="第一次的意见FIRST")
    sign_in(staff, "gov.chen")
    stale = staff.get("/staff/ratings/").get_data(as_text=True)  # the moderator opens the queue
    rate(citizen, "basically", comment="第二次的意见SECOND")
    url, fields = form_in(stale, "FIRST", "approve")
    response = staff.post(url, data=fields, follow_redirects=True)
    assert "市民已重新评价" in response.get_data(as_text=True)  # refused, and told why
    page = app.test_client().get(PAGE).get_data(as_text=True)
    assert "FIRST" not in page and "SECOND" not in page  # neither published by that click
    assert "SECOND" in staff.get("/staff/ratings/").get_data(as_text=True)


def test_only_the_task_force_moderates(app: Flask) -> None:
    unit = app.test_client()
    sign_in(unit, "zjj.li")
    assert unit.get("/staff/ratings/").status_code == 403
    assert app.test_client().get("/staff/ratings/").status_code in (302, 303)


def test_a_burst_from_one_network_is_shown_to_moderators(app: Flask) -> None:
    services: Services = app.extensions["minsheng"]
    from application.verification import Address, Verified

    for n in range(21):
        address = Address("phone", f"139000011{n:02d}")
        who = Verified(services.ledger.vault.contact(address.value), address)
        services.ledger.rate(who, "project:2023:9.1", "satisfied", "", None, "burstnet00000001")
    services.caught_up()
    staff = app.test_client()
    sign_in(staff, "gov.chen")
    html = staff.get("/staff/ratings/").get_data(as_text=True)
    assert "集中评价提示" in html and "burstnet00000001" in html and "21条" in html


@pytest.mark.parametrize("version", ["²", "١", "99999999999999999999999"])
def test_a_forged_form_version_is_refused_as_an_expired_form(app: Flask, version: str) -> None:
    citizen, staff = app.test_client(), app.test_client()
    verify(citizen)
    rate(citizen, "satisfied", comment=KIND_WORDS)
    sign_in(staff, "gov.chen")
    for action in ("approve", "reject"):
        url, data = form_in(staff.get("/staff/ratings/").get_data(as_text=True), KIND_WORDS, action)
        prefix = next(iter(data)).split("-")[0]
        data[f"{prefix}-version"] = version
        data[f"{prefix}-category"] = "abuse"
        response = staff.post(url, data=data, follow_redirects=True)
        assert response.status_code == 200 and "表单已过期" in response.get_data(as_text=True)
    assert KIND_WORDS not in app.test_client().get(PAGE).get_data(as_text=True)
