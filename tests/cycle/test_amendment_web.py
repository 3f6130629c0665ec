"""Amendments on the web: the task force's form, the public list, feed, log entry, the marks on
the document, item and project pages, and time travel across an amendment on a page."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import feedparser
import pytest
from flask import Flask
from flask.testing import FlaskClient

from domain.progress import ProjectValues
from minsheng_site.services import Services
from tests.clock import Clock
from tests.conftest import AppFactory
from tests.web.staff_helpers import add_staff, post_form, sign_in

FORM = "/staff/plans/2023/amendments/new"
LOWER = {
    "kind": "target",
    "project": "9.1",
    "target": "1",
    "amount": "250",
    "basis_number": "锡政办发〔2023〕40号",
    "basis_date": "2023-08-01",
    "reason": "部分小区意见未统一，目标调整",
}

WITHDRAW = {**LOWER, "kind": "project_withdrawn", "project": "10.2", "reason": "并入下一年度"}
ADD = {
    **LOWER,
    "kind": "project_added",
    "project": "",
    "item": "9",
    "title": "加装电梯试点",
    "target_label": "试点电梯",
    "target_amount": "20",
    "target_unit": "台",
    "reason": "新增试点",
}


@pytest.fixture
def clock() -> Clock:
    return Clock("2023-07-03T10:00")


@pytest.fixture
def app(app_factory: AppFactory, clock: Clock) -> Flask:
    app = app_factory(clock=clock, plan=True)
    services: Services = app.extensions["minsheng"]
    services.ledger.report_progress(
        year=2023,
        item=9,
        period="2023-06",
        unit="市住房城乡建设局",
        values=(ProjectValues("9.1", (Decimal(150),), ()),),
        narrative="",
        evidence=(),
        actor="staff:li",
    )
    add_staff(app, "gov.chen", ("admin", "市政府办公室"))
    return app


@pytest.fixture
def staff(app: Flask, clock: Clock) -> FlaskClient:
    clock.set("2023-08-01T09:00")
    client = app.test_client()
    assert sign_in(client, "gov.chen") == 303
    return client


def text(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_an_amendment_recorded_on_the_form_is_public_everywhere(
    app: Flask, staff: FlaskClient, clock: Clock
) -> None:
    status, location, _body = post_form(staff, FORM, LOWER)
    assert status == 303 and location.endswith("/plans/2023/amendments#amendment-1")
    clock.set("2023-08-02T09:00")
    public = app.test_client()
    listed = text(public, "/plans/2023/amendments")
    assert "修改1：具体项目9.1目标调整" in listed
    assert "既有住宅加装电梯：300台 → 250台" in listed and "锡政办发〔2023〕40号" in listed
    assert "部分小区意见未统一" in listed
    api = public.get("/api/v1/plans/2023/amendments").get_json()
    assert api["amendments"][0]["change"]["old"] == "300"
    assert api["amendments"][0]["basis"] == {"number": "锡政办发〔2023〕40号", "date": "2023-08-01"}
    # Its own entry in the public log, with a permalink, in its feed and in everything's.
    event = api["amendments"][0]["event"]
    assert "目标调整" in text(public, f"/events/{event}")
    for url in ("/feeds/plans/2023/amendments.atom", "/feeds/all.atom", "/feeds/plans/2023.rss"):
        feed = feedparser.parse(public.get(url).data)
        titles = [e.title for e in feed.entries]
        assert "修改1：具体项目9.1目标调整" in titles, url
    log = public.get("/api/v1/log.jsonl").get_data(as_text=True).splitlines()
    amended = [json.loads(line)["entry"] for line in log if '"plan.amended"' in line]
    assert len(amended) == 1 and amended[0]["uuid"] == event
    assert amended[0]["business_date"] == "2023-08-01"  # the day it takes effect
    assert amended[0]["payload"]["change"] == {
        "target": 0,
        "label": "既有住宅加装电梯",
        "unit": "台",
        "old": "300",
        "new": "250",
    }
    assert "actor" not in amended[0]["payload"] and "gov.chen" not in "".join(log)
    # The document marks the amended item; the item and project pages say old → new.
    document = text(public, "/plans/2023/document")
    assert "已修改（修改1）" in document and "本计划登记后已修改1次。" in document
    item = text(public, "/plans/2023/items/9")
    assert "300台 → 250台" in item and "本条目登记后已修改" in item
    project = text(public, "/plans/2023/projects/9.1")
    assert "300台 → 250台" in project


def completion_shown(html: str) -> str:
    found = re.search(r"本条目完成.*?(\d+(?:\.\d+)?)%", html, re.S)
    assert found, "no completion on the page"
    return found[1]


def test_the_item_page_travels_across_the_amendment(
    app: Flask, staff: FlaskClient, clock: Clock
) -> None:
    assert post_form(staff, FORM, LOWER)[0] == 303
    clock.set("2023-08-02T09:00")
    public = app.test_client()
    before = text(public, "/plans/2023/items/9?as_of=2023-07-31")
    after = text(public, "/plans/2023/items/9?as_of=2023-08-01")
    assert completion_shown(before) == "50" and completion_shown(after) == "60"
    assert "当日尚未生效" in before and "当日尚未生效" not in after


def test_withdrawn_and_added_projects_have_pages_that_say_so(
    app: Flask, staff: FlaskClient, clock: Clock
) -> None:
    assert post_form(staff, FORM, WITHDRAW)[0] == 303
    assert post_form(staff, FORM, ADD)[0] == 303
    public = app.test_client()
    gone = text(public, "/plans/2023/projects/10.2")
    assert "不在计划中" in gone and "撤销具体项目10.2" in gone
    assert public.get("/plans/2023/projects/10.2/chart.svg").status_code == 200
    assert public.get("/plans/2023/projects/10.2/changes").status_code == 200
    added = text(public, "/plans/2023/projects/9.2")
    assert "加装电梯试点" in added and "不在计划中" not in added
    assert "9.2" in text(public, "/plans/2023/items/9")
    assert public.get("/plans/2023/projects/9.2/chart.svg").status_code == 200
    # Before the day it was added, the project was not in the plan.
    assert "不在计划中" in text(public, "/plans/2023/projects/9.2?as_of=2023-07-31")


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"project": "99.1"}, "project", "计划中没有具体项目99.1。"),
        ({"basis_date": "2023-03-13"}, "basis_date", "不能早于计划成文日期2023-03-14。"),
        ({"amount": "300"}, "amount", "与现行计划相同，没有修改。"),
        ({"amount": "很多"}, "amount", "请填写不小于0的数量。"),
        ({"reason": ""}, "reason", ""),
        ({"effective": "2023-12-01"}, "effective", "不能晚于计划的完成期限2023-11-30。"),
    ],
)
def test_a_refused_amendment_keeps_what_was_typed_and_names_the_field(
    app: Flask, staff: FlaskClient, change: dict[str, str], field: str, words: str
) -> None:
    status, _location, body = post_form(staff, FORM, {**LOWER, **change})
    assert status == 409
    assert f'id="{field}-error"' in body and words in body
    assert "部分小区意见未统一" in body or field == "reason"  # what was typed stays
    services: Services = app.extensions["minsheng"]
    assert services.ledger.plan_amendments(2023) == []


def test_the_report_form_follows_the_plan_in_force_today(
    app: Flask, staff: FlaskClient, clock: Clock
) -> None:
    assert post_form(staff, FORM, ADD)[0] == 303
    units = {**LOWER, "kind": "units", "item": "9", "units": "市财政局\n市住房城乡建设局"}
    assert (
        post_form(staff, FORM, {**units, "effective": "2023-08-05", "reason": "改由财政牵头"})[0]
        == 303
    )
    add_staff(app, "zjj.li", ("reporter", "市住房城乡建设局"))
    add_staff(app, "cz.zhao", ("reporter", "市财政局"))
    old, new = app.test_client(), app.test_client()
    assert sign_in(old, "zjj.li") == 303 and sign_in(new, "cz.zhao") == 303
    url = "/staff/plans/2023/items/9/report"
    form = old.get(url).get_data(as_text=True)
    assert 'name="amount-9.2-0"' in form and 'name="amount-9.1-0"' in form
    assert new.get(url).status_code == 403
    clock.set("2023-08-05T00:00")  # the new lead unit's first day
    assert old.get(url).status_code == 403
    assert new.get(url).status_code == 200


def test_the_lists_of_the_plan_follow_it_as_amended_today(
    app: Flask, staff: FlaskClient, clock: Clock
) -> None:
    """The category, project-list, key-project and unit pages list what progress counts: a
    withdrawn project is gone, an added one is there, a changed target shows its new amount,
    marked; a unit made responsible has its page and is in the units' list."""
    public = app.test_client()
    category = public.get("/api/v1/plans/2023").get_json()["items"][8]["category"]
    before = text(public, f"/plans/2023/categories/{category}")
    assert "10.2" in before and "9.2" not in before and "已修改" not in before
    count = re.search(r"(\d+)个具体项目", before)
    assert count
    assert post_form(staff, FORM, LOWER)[0] == 303
    assert post_form(staff, FORM, WITHDRAW)[0] == 303
    assert post_form(staff, FORM, ADD)[0] == 303
    units = {
        **LOWER,
        "kind": "units",
        "project": "",
        "item": "10",
        "units": "市城市更新办公室\n市住房城乡建设局",
        "reason": "牵头单位调整",
    }
    status, _where, body = post_form(staff, FORM, units)
    assert status == 303, body[-600:]
    clock.set("2023-08-02T09:00")
    for url in (f"/plans/2023/categories/{category}", "/plans/2023/projects/"):
        page = text(public, url)
        assert 'href="/plans/2023/projects/10.2"' not in page, url
        assert "加装电梯试点" in page and 'href="/plans/2023/projects/9.2"' in page, url
        assert "250" in page and "已修改" in page, url
    page = text(public, f"/plans/2023/categories/{category}")
    assert f"{count[1]}个具体项目" in page  # one withdrawn, one added
    assert "市城市更新办公室" in page
    unit = text(public, "/plans/2023/units/市城市更新办公室")
    assert 'href="/plans/2023/items/10"' in unit
    assert "市城市更新办公室" in text(public, "/plans/2023/units/")
    # The lists as they stood before: the new unit had no page that day.
    assert public.get("/plans/2023/units/市城市更新办公室?as_of=2023-07-31").status_code == 404


def test_the_plan_api_gives_the_plan_as_registered_or_as_amended_on_a_day(
    app: Flask, staff: FlaskClient, clock: Clock
) -> None:
    assert post_form(staff, FORM, LOWER)[0] == 303
    assert post_form(staff, FORM, WITHDRAW)[0] == 303
    clock.set("2023-08-02T09:00")
    public = app.test_client()

    def plan(query: str = "") -> dict[str, Any]:
        answer = public.get(f"/api/v1/plans/2023{query}")
        assert answer.status_code == 200, query
        return dict(answer.get_json())

    def target(body: dict[str, Any], ref: str) -> str | None:
        found = [p for p in body["projects"] if p["ref"] == ref]
        return found[0]["targets"][0]["amount"] if found else None

    registered = plan()
    assert registered["as_of"] is None and registered["amendments"]["count"] == 2
    assert public.get(registered["amendments"]["url"]).status_code == 200
    assert target(registered, "9.1") == "300" and target(registered, "10.2") is not None
    before, after = plan("?as_of=2023-07-31"), plan("?as_of=2023-08-01")
    assert before["as_of"] == "2023-07-31" and target(before, "9.1") == "300"
    assert target(before, "10.2") is not None
    assert after["as_of"] == "2023-08-01" and target(after, "9.1") == "250"
    assert target(after, "10.2") is None
    assert "10.2" not in next(i for i in after["items"] if i["number"] == 10)["projects"]
    assert plan("?as_of=2031-01-01")["as_of"] == "2023-08-02"  # the nearest day known
    assert public.get("/api/v1/plans/2023?as_of=yesterday").status_code == 400
    # The projects CSV is the plan as progress counts it today: as amended.
    listed = public.get("/open-data/plans/2023/projects.csv").get_data(as_text=True)
    assert "\n9.1," in listed and "250台" in listed and "300台" not in listed
    assert "\n10.2," not in listed
