"""The task force converts cases, lists candidates and records the vote through the staff
forms; the public pages, open data and feed show it (both stores)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient

from application.case_commands import Intake
from tests.clock import Clock
from tests.conftest import AppFactory
from tests.cycle.helpers import person, propose
from tests.web.staff_helpers import add_staff, post_form, sign_in

NAME, PHONE = "赵测试", "13812345678"


@pytest.fixture
def clock() -> Clock:
    return Clock("2023-10-09T10:00")


@pytest.fixture
def site(app_factory: AppFactory, clock: Clock) -> Flask:
    app = app_factory(clock=clock, plan=True)  # its categories are the proposals'
    add_staff(app, "gov.chen", ("admin", "市政府办公室"))
    ledger = app.extensions["minsheng"].ledger
    ledger.open_solicitation(2024, date(2023, 10, 31), "staff:gov.chen")
    for n in (1, 2, 3):
        propose(ledger, person(ledger, n), title=f"建议{n}")
        ledger.approve_proposal(2024, n, "staff:gov.chen")
    add_staff(app, "zjj.li", ("reporter", "市住房城乡建设局"))
    return app


def submit(app: Flask, district: str, consent: bool = True) -> str:
    ledger = app.extensions["minsheng"].ledger
    receipt = ledger.submit_case(
        Intake(
            year=2023,
            channel="online",
            category="住房物业",
            district=district,
            title="老旧小区楼道漏水",
            content="楼道顶部漏水。",
            name=NAME,
            phone=PHONE,
            consent=consent,
            received_on=date(2023, 10, 9),
        ),
        "citizen",
    )
    ledger.accept_case(receipt.case_id, "staff:gov")
    ledger.assign_case(receipt.case_id, "hotline", "市住房城乡建设局", [], 5, "staff:gov")
    return str(receipt.number)


def admin(app: Flask) -> FlaskClient:
    client = app.test_client()
    assert sign_in(client, "gov.chen") == 303
    return client


VOTE = {
    "session": "无锡市第十七届人民代表大会第三次会议",
    "held_on": "2024-01-12",
    "document_number": "锡人大〔2024〕1号",
    "document_url": "https://example.org/2024-vote.html",
    "voting": "480",
    "declared": "1",
    "for_C1": "450",
    "against_C1": "20",
    "abstain_C1": "10",
    "chosen_C1": "y",
    "for_C2": "200",
    "against_C2": "200",
    "abstain_C2": "80",
}


def test_from_cases_to_the_vote_through_the_forms(site: Flask, clock: Clock) -> None:
    numbers = [submit(site, "梁溪区"), submit(site, "梁溪区"), submit(site, "惠山区")]
    private = submit(site, "惠山区", False)  # its citizen did not agree to publish the words
    client = admin(site)
    assert client.get("/staff/cycle/2024/candidates/").status_code == 200
    url = "/staff/cycle/2024/conversions/new"
    typed = {"title": "楼道漏水集中整治", "problem": "多区反映楼道漏水", "numbers": "2023-99999"}
    status, _where, html = post_form(client, url, {**typed, "numbers": f"{numbers[0]} 2023-99999"})
    assert status == 409 and "2023-99999" in html and "楼道漏水集中整治" in html
    status, _where, html = post_form(client, url, {**typed, "numbers": f"{numbers[0]} {private}"})
    assert status == 409 and f"诉求{private}的市民没有同意公开诉求内容" in html
    status, where, html = post_form(client, url, {**typed, "numbers": "\n".join(numbers)})
    assert (status, where) == (303, "/cycle/2024/conversions/1"), html[
        html.find("error-summary") :
    ][:800]
    status, _where, html = post_form(client, url, {**typed, "numbers": numbers[1]})
    assert status == 409 and numbers[1] in html and "Z1" not in html.split("error-summary")[0]

    page = client.get("/cycle/2024/conversions/1").get_data(as_text=True)
    assert all(n in page for n in numbers) and "梁溪区" in page and "惠山区" in page
    assert NAME not in page and PHONE not in page
    assert "老旧小区楼道漏水" in page  # consented cases' public titles, as the board shows them

    url = "/staff/cycle/2024/candidates/new"
    candidate = {
        "title": "老旧小区楼道渗漏治理",
        "category": "住房保障",
        "description": "对反映集中的老旧小区楼道渗漏进行治理。",
        "sources": "Z1, P2",
        "targets": "治理楼道 | 300 | 个",
        "units": "市住房城乡建设局、各市(县)区人民政府",
    }
    status, _where, html = post_form(client, url, {**candidate, "targets": "治理楼道 300 个"})
    assert status == 409 and "第1行" in html and "老旧小区楼道渗漏治理" in html
    status, _where, html = post_form(client, url, {**candidate, "sources": "Z7"})
    assert status == 409 and "Z7" in html
    assert post_form(client, url, candidate)[:2] == (303, "/cycle/2024/candidates/1")
    second = {**candidate, "title": "增设社区助餐点", "sources": "P3", "targets": ""}
    assert post_form(client, url, second)[:2] == (303, "/cycle/2024/candidates/2")

    url = "/staff/cycle/2024/vote"
    status, _where, html = post_form(client, url, {**VOTE, "abstain_C2": "81"})
    assert status == 409 and "C2的赞成、反对、弃权票数之和不等于参加表决人数" in html
    status, _where, html = post_form(client, url, {**VOTE, "declared": "2"})
    assert status == 409 and "勾选入选的项目数与票决产生的项目数不符" in html
    status, _where, html = post_form(client, url, {**VOTE, "chosen_C2": "y", "declared": "2"})
    assert status == 409 and "C2的赞成票未超过参加表决人数的半数" in html
    clock.set("2024-01-12T23:59")
    assert post_form(client, url, VOTE)[:2] == (303, "/cycle/2024/vote")
    # recorded: the same form now corrects, with a reason
    status, _where, html = post_form(
        client, url, {**VOTE, "voting": "481", "abstain_C1": "11", "abstain_C2": "81"}
    )
    assert status == 409 and "更正原因" in html
    corrected = {
        **VOTE,
        "voting": "481",
        "abstain_C1": "11",
        "abstain_C2": "81",
        "reason": "按公告更正人数",
    }
    assert post_form(client, url, corrected)[:2] == (303, "/cycle/2024/vote")

    public = site.test_client()
    page = public.get("/cycle/2024/vote").get_data(as_text=True)
    assert "锡人大〔2024〕1号" in page and "481" in page and "按公告更正人数" in page
    page = public.get("/cycle/2024/candidates/").get_data(as_text=True)
    assert "C1" in page and "票决入选" in page and "市民建议P2" in page
    page = public.get("/cycle/2024/candidates/1").get_data(as_text=True)
    assert "治理楼道 300个" in page
    page = public.get(f"/cases/{numbers[2]}").get_data(as_text=True)
    assert "Z1" in page and "C1" in page and "/cycle/2024/conversions/1" in page

    rows = list(
        csv.DictReader(
            io.StringIO(
                public.get("/cycle/2024/candidates.csv").get_data(as_text=True).lstrip("\ufeff")
            )
        )
    )
    assert [(r["ref"], r["votes_for"], r["chosen"], r["voting"]) for r in rows] == [
        ("C1", "450", "1", "481"),
        ("C2", "200", "0", "481"),
    ]
    data = public.get("/api/v1/cycle/2024/candidates").get_json()
    assert data["vote"]["corrections"] == 1 and data["conversions"][0]["cases"] == numbers
    assert data["candidates"][0]["sources"] == ["Z1", "P2"]
    feed = public.get("/feeds/cycle/2024/candidates.atom").get_data(as_text=True)
    assert feed.count("<entry>") == 5 and "更正：人代会票决结果" in feed
    assert NAME not in feed and PHONE not in feed
    opml = public.get("/feeds.opml").get_data(as_text=True)
    assert "/feeds/cycle/2024/candidates.atom" in opml
    everything = public.get("/feeds/all.atom").get_data(as_text=True)
    assert "候选项目C1" in everything
    assert public.get("/cycle/2031/candidates/").status_code == 404
    assert public.get("/cycle/2024/candidates/9").status_code == 404
    assert public.get("/cycle/2024/conversions/9").status_code == 404
    assert public.get("/cycle/2025/vote").status_code == 404
    assert public.get("/feeds/cycle/2031/candidates.atom").status_code == 404
    assert public.get("/feeds/cycle/2031/candidates.rss").status_code == 404


def test_only_the_task_force_records(site: Flask) -> None:
    anonymous = site.test_client()
    assert anonymous.get("/staff/cycle/2024/vote").status_code in (302, 401)
    reporter = site.test_client()
    assert sign_in(reporter, "zjj.li") == 303
    for url in (
        "/staff/cycle/2024/candidates/",
        "/staff/cycle/2024/conversions/new",
        "/staff/cycle/2024/candidates/new",
        "/staff/cycle/2024/vote",
    ):
        assert reporter.get(url).status_code == 403, url


def test_a_conversion_takes_the_boards_cases_by_its_filters(site: Flask) -> None:
    liangxi = [submit(site, "梁溪区"), submit(site, "梁溪区")]
    submit(site, "锡山区")
    submit(site, "梁溪区", False)  # on the board, but its words are not public: left out
    site.extensions["minsheng"].caught_up()  # the board lists them (the worker's job)
    client = admin(site)
    data = {
        "title": "梁溪区楼道漏水",
        "problem": "同一类问题",
        "numbers": liangxi[0],  # typed too: taken once
        "from_board": "y",
        "case_year": "2023",
        "district": "梁溪区",
        "unit": "市住房城乡建设局",
    }
    status, where, _html = post_form(client, "/staff/cycle/2024/conversions/new", data)
    assert (status, where) == (303, "/cycle/2024/conversions/1")
    data = client.get("/api/v1/cycle/2024/candidates").get_json()
    assert sorted(data["conversions"][0]["cases"]) == sorted(liangxi)


def test_no_vote_without_candidates(site: Flask) -> None:
    client = admin(site)
    status, _where, html = post_form(client, "/staff/cycle/2024/vote", VOTE)
    assert status == 409 and "还没有候选项目" in html


CANDIDATE = {
    "title": "老旧小区楼道渗漏治理",
    "category": "住房保障",
    "description": "对反映集中的老旧小区楼道渗漏进行治理。",
    "targets": "治理楼道 | 300 | 个",
    "units": "市住房城乡建设局",
}


def test_a_candidate_corrected_before_the_vote_says_what_and_why_everywhere(
    site: Flask, clock: Clock
) -> None:
    client = admin(site)
    listed = {**CANDIDATE, "sources": "P1"}
    assert post_form(client, "/staff/cycle/2024/candidates/new", listed)[:2] == (
        303,
        "/cycle/2024/candidates/1",
    )
    url = "/staff/cycle/2024/candidates/1/correct"
    form = client.get(url).get_data(as_text=True)
    assert "老旧小区楼道渗漏治理" in form and "治理楼道 | 300 | 个" in form and "P1" in form
    status, _where, html = post_form(client, url, {**CANDIDATE, "reason": "核对"})
    assert status == 409 and "更正后的内容与原内容相同" in html
    fixed = {**CANDIDATE, "title": "老旧小区楼道漏水治理", "units": "市住房城乡建设局\n梁溪区"}
    status, _where, html = post_form(client, url, fixed)
    assert status == 409 and "请说明更正原因" in html and "老旧小区楼道漏水治理" in html
    reason = "名称与公告不一致，补充责任单位"
    assert post_form(client, url, {**fixed, "reason": reason})[:2] == (
        303,
        "/cycle/2024/candidates/1",
    )
    assert site.test_client().get("/staff/cycle/2024/candidates/9/correct").status_code in (
        302,
        401,
    )
    assert client.get("/staff/cycle/2024/candidates/9/correct").status_code == 404
    reporter = site.test_client()
    assert sign_in(reporter, "zjj.li") == 303
    assert reporter.get(url).status_code == 403

    public = site.test_client()
    page = public.get("/cycle/2024/candidates/1").get_data(as_text=True)
    assert "老旧小区楼道漏水治理" in page and "梁溪区" in page and reason in page
    assert "老旧小区楼道渗漏治理" not in page
    data = public.get("/api/v1/cycle/2024/candidates").get_json()["candidates"][0]
    assert (data["title"], data["units"], data["sources"]) == (
        "老旧小区楼道漏水治理",
        ["市住房城乡建设局", "梁溪区"],
        ["P1"],
    )
    assert data["corrections"] == 1 and data["correction_reason"] == reason
    feed = public.get("/feeds/cycle/2024/candidates.atom").get_data(as_text=True)
    assert "更正：候选项目C1：老旧小区楼道漏水治理" in feed and reason in feed
    entries = public.get("/api/v1/log?limit=500").get_json()["entries"]
    first = next(e for e in entries if e["kind"] == "cycle.listed")
    correction = next(e for e in entries if e["kind"] == "cycle.candidate_corrected")
    assert correction["corrects"] == first["uuid"]
    assert correction["payload"]["reason"] == reason and "actor" not in correction["payload"]
    # The list as voted is not rewritten.
    vote = {k: v for k, v in VOTE.items() if not k.endswith("_C2")} | {
        "abstain_C1": "10",
        "for_C1": "450",
        "against_C1": "20",
        "voting": "480",
    }
    clock.set("2024-01-12T23:59")
    assert post_form(client, "/staff/cycle/2024/vote", vote)[:2] == (303, "/cycle/2024/vote")
    again = {**fixed, "title": "再改名称", "reason": "再次更正"}
    status, _where, html = post_form(client, url, again)
    assert status == 409 and "票决结果已经记录，候选项目不能再更正" in html
