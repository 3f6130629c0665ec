"""A proposal through the web, on both stores: a citizen verifies and proposes, the task
force opens the solicitation, approves and answers, others support once; the pages, the
public log and the feed tell it without anything personal."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from minsheng_site.services import Services
from tests.clock import Clock
from tests.cycle.helpers import CATEGORY, YEAR, listed
from tests.ratings.test_rating_web import verify
from tests.web.staff_helpers import add_staff, csrf, sign_in

PHONE, OTHER = "13812340001", "13812340002"
WORDS = "希望在滨湖区为老旧小区加装电梯TITLECANARY"
NEW = f"/cycle/{YEAR}/proposals/new"
STAFF = f"/staff/cycle/{YEAR}/proposals"


def task_force(app: Flask) -> FlaskClient:
    add_staff(app, "gov.chen", ("admin", "市政府办公室"))
    client = app.test_client()
    assert sign_in(client, "gov.chen") == 303
    return client


def staff_post(client: FlaskClient, url: str, prefix: str, **data: str) -> tuple[int, str]:
    token = csrf(client, "/staff/login")
    fields = {f"{prefix}-{k}" if prefix else k: v for k, v in data.items()}
    key = f"{prefix}-csrf_token" if prefix else "csrf_token"
    response = client.post(url, data={key: token, **fields})
    return response.status_code, response.get_data(as_text=True)


def open_solicitation(staff: FlaskClient, last_day: str = "2023-10-31") -> None:
    status, body = staff_post(
        staff, f"/staff/cycle/{YEAR}/solicitation/open", "", last_day=last_day
    )
    assert status == 303, body[-500:]


def propose(citizen: FlaskClient, **extra: str) -> tuple[int, str, str]:
    data = {
        "csrf_token": csrf(citizen, "/ratings/verify"),  # the session's one token
        "title": "老旧小区加装电梯",
        "description": WORDS,
        "category": CATEGORY,
        "district": "滨湖区",
        **extra,
    }
    response = citizen.post(NEW, data=data)
    return (
        response.status_code,
        response.headers.get("Location", ""),
        response.get_data(as_text=True),
    )


def test_a_proposal_from_the_form_to_its_answer(app: Flask, site: Services) -> None:
    staff = task_force(app)
    citizen = app.test_client()
    assert app.test_client().get(f"/cycle/{YEAR}/").status_code == 404  # nothing opened yet
    # the forms and links are the cycle's year, not the latest plan's (2023) the menu names
    assert f'href="{STAFF}"' in staff.get("/staff/").get_data(as_text=True)  # the next year's
    staff_page = staff.get(STAFF).get_data(as_text=True)
    assert f'action="/staff/cycle/{YEAR}/solicitation/open"' in staff_page
    open_solicitation(staff)
    # Proposing asks to verify first, and comes back to the form.
    response = citizen.get(NEW)
    assert response.status_code == 303 and "/ratings/verify" in response.headers["Location"]
    verify(citizen, PHONE, NEW)
    assert "提交建议" in citizen.get(NEW).get_data(as_text=True)
    status, _location, body = propose(citizen, title="")
    assert status == 400 and "请填写项目名称" in body and WORDS in body  # kept as typed
    status, location, _body = propose(citizen)
    assert status == 303 and location == f"/cycle/{YEAR}/"
    assert "已收到您的建议P1" in citizen.get(location).get_data(as_text=True)
    mine = citizen.get("/cycle/proposals/mine").get_data(as_text=True)
    assert "2024 P1" in mine and "老旧小区加装电梯" in mine and "待审核" in mine
    assert app.test_client().get("/cycle/proposals/mine").status_code == 303  # verify first
    assert app.test_client().get(f"/cycle/{YEAR}/proposals/1").status_code == 404
    # The task force reads the words, and approves them.
    queue = staff.get(STAFF).get_data(as_text=True)
    assert WORDS in queue and PHONE not in queue
    status, _ = staff_post(staff, f"{STAFF}/1/approve", "approve1")
    assert status == 303
    page = app.test_client().get(f"/cycle/{YEAR}/proposals/1").get_data(as_text=True)
    assert WORDS in page and "待答复" in page
    # Others support once; the proposer cannot.
    other = app.test_client()
    support = f"/cycle/{YEAR}/proposals/1/support"
    response = other.post(support, data={"csrf_token": csrf(other, f"/cycle/{YEAR}/proposals/1")})
    assert response.status_code == 303 and "/ratings/verify" in response.headers["Location"]
    verify(other, OTHER, f"/cycle/{YEAR}/proposals/1")
    token = csrf(other, f"/cycle/{YEAR}/proposals/1")
    assert other.post(support, data={"csrf_token": token}).status_code == 303
    again = other.post(support, data={"csrf_token": token})
    assert again.status_code == 409
    assert "每人只能附议一次" in again.get_data(as_text=True)
    own = citizen.post(support, data={"csrf_token": csrf(citizen, f"/cycle/{YEAR}/proposals/1")})
    assert own.status_code == 409 and "不能附议自己" in own.get_data(as_text=True)
    # Its candidates' feed is there to subscribe to from the solicitation on, empty so far.
    site.caught_up()
    early = app.test_client().get(f"/feeds/cycle/{YEAR}/candidates.atom")
    assert early.status_code == 200 and "<entry>" not in early.get_data(as_text=True)
    # The answer: a candidate that is not on the list is refused, one that is is taken.
    status, body = staff_post(staff, f"{STAFF}/1/adopt", "adopt1", candidate="C9", note="")
    assert status == 409, body[-800:]
    listed(app.extensions["minsheng"].ledger, 9, "staff:gov.chen")
    status, body = staff_post(staff, f"{STAFF}/1/adopt", "adopt1", candidate="C9", note="")
    assert status == 303, body[-800:]
    status, body = staff_post(staff, f"{STAFF}/1/adopt", "adopt1", candidate="C9", note="")
    assert status == 409 and "已经答复过" in body
    page = citizen.get(f"/cycle/{YEAR}/proposals/1").get_data(as_text=True)
    assert "已采纳为候选项目C9" in page
    assert "已采纳为候选项目C9" in citizen.get("/cycle/proposals/mine").get_data(as_text=True)
    assert "2024 P1" not in other.get("/cycle/proposals/mine").get_data(as_text=True)
    listing = app.test_client().get(f"/cycle/{YEAR}/proposals/?answer=adopted").get_data(True)
    assert "老旧小区加装电梯" in listing and "采纳为候选项目C9" in listing
    overview = app.test_client().get(f"/cycle/{YEAR}/").get_data(as_text=True)
    assert f'href="/cycle/{YEAR}/proposals/"' in overview
    # the citizen's, and the one the listed candidates come from
    assert "共收到建议2条" in overview and "共获得附议1条" in overview
    # The log and the feed: published, supported and answered, never who.
    site.caught_up()
    feed = app.test_client().get(f"/feeds/cycle/{YEAR}/proposals.atom").get_data(as_text=True)
    assert "项目建议P1公开" in feed and "项目建议P1采纳为候选项目C9" in feed
    assert "获得一条附议" not in feed  # supports are counted on the page, not fed one by one
    everything = app.test_client().get("/feeds/all.atom").get_data(as_text=True)
    assert "项目建议P1采纳为候选项目C9" in everything
    log = app.test_client().get("/api/v1/log?limit=500").get_data(as_text=True)
    for kind in ("solicitation.opened", "proposal.submitted", "proposal.approved"):
        assert kind in log
    assert "proposal.supported" in log and "proposal.adopted" in log
    for leak in (PHONE, OTHER, "sealed", "key_id", "supporter"):
        for text in (feed, everything, log, page, overview, listing):
            assert leak not in text, leak


def test_outside_the_period_the_form_says_so_and_refuses(
    app: Flask, site: Services, wuxi: Clock
) -> None:
    staff = task_force(app)
    open_solicitation(staff)
    citizen = app.test_client()
    verify(citizen, PHONE, NEW)
    wuxi.set("2023-11-01T00:00")
    assert "征集已经结束" in citizen.get(NEW).get_data(as_text=True)
    status, _location, body = propose(citizen)
    assert status == 409 and "征集已经结束" in body
    wuxi.set("2023-10-31T23:59")
    status, _location, _body = propose(citizen)
    assert status == 303


def test_staff_refusals_answer_409_with_the_reason(app: Flask, site: Services) -> None:
    staff = task_force(app)
    status, body = staff_post(
        staff, f"/staff/cycle/{YEAR}/solicitation/open", "", last_day="2023-08-01"
    )
    assert status == 409 and "截止日期不能早于今天" in body
    open_solicitation(staff)
    status, _ = staff_post(
        staff, f"/staff/cycle/{YEAR}/solicitation/open", "", last_day="2023-10-31"
    )
    assert status == 409
    citizen = app.test_client()
    verify(citizen, PHONE, NEW)
    assert propose(citizen)[0] == 303
    assert propose(citizen, description="联系 138 1234 0001")[0] == 303
    status, body = staff_post(staff, f"{STAFF}/2/approve", "approve2")
    assert status == 409 and "不能含有手机号码" in body
    status, _ = staff_post(staff, f"{STAFF}/2/approve", "approve2", description="加装电梯")
    assert status == 303
    status, body = staff_post(staff, f"{STAFF}/1/decline", "decline1", reason="")
    assert status == 400
    status, body = staff_post(staff, f"{STAFF}/1/merge", "merge1", into="P1", reason="重复")
    assert status == 409  # not approved yet
    assert staff_post(staff, f"{STAFF}/1/approve", "approve1")[0] == 303
    status, body = staff_post(staff, f"{STAFF}/1/merge", "merge1", into="P1", reason="重复")
    assert status == 409 and "另一条" in body
    status, _ = staff_post(staff, f"{STAFF}/1/merge", "merge1", into="P2", reason="重复")
    assert status == 303
    assert staff_post(staff, f"{STAFF}/99/approve", "approve99")[0] == 404
    page = app.test_client().get(f"/cycle/{YEAR}/proposals/2").get_data(as_text=True)
    assert re.search(r"合并到本建议的建议", page) and "P1" in page
    status, _ = staff_post(staff, f"/staff/cycle/{YEAR}/solicitation/close", "")
    assert status == 303
    assert staff_post(staff, f"/staff/cycle/{YEAR}/solicitation/close", "")[0] == 409


def test_erasing_a_proposer_from_the_command_line(app: Flask, site: Services) -> None:
    """`flask cases erase --phone` counts the person's proposals and drops what was sealed:
    the task force sees that the words are gone and can only leave it unpublished."""
    staff = task_force(app)
    open_solicitation(staff)
    citizen = app.test_client()
    verify(citizen, PHONE, NEW)
    assert propose(citizen)[0] == 303
    runner = app.test_cli_runner()
    result = runner.invoke(args=["cases", "erase", "--phone", PHONE, "--reason", "本人申请"])
    assert (result.exit_code, result.output) == (
        0,
        "erased: 0 case(s), 0 rating(s), 1 proposal(s), 0 e-mail alert(s)\n",
    )
    queue = staff.get(STAFF).get_data(as_text=True)
    assert "提出人的信息已按其要求删除" in queue and WORDS not in queue
    status, body = staff_post(staff, f"{STAFF}/1/approve", "approve1", title="加装电梯")
    assert status == 409 and "只能不予公开" in body
    assert staff_post(staff, f"{STAFF}/1/reject", "reject1", category="personal")[0] == 303
