"""The year-end evaluation, recomputed by an outsider from nothing but the open data.

A simulated year (reports, supervision, cases, ratings) is loaded; then, as a
journalist would, the test downloads the published evaluation and the other
exports and recomputes every component, score, rank and award candidate list
with its own code (its own Wilson interval, its own sorting), cross-checking
the published inputs against the progress, satisfaction, plan, case and log
exports. Administrators' nominations and selections are then made through the
staff pages and must show up in the same data.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from statistics import NormalDist
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import BACKENDS, simulated_site
from tests.web.staff_helpers import add_staff, csrf, sign_in

pytestmark = pytest.mark.slow
API = "/api/v1/plans/2023/evaluation"
Z = NormalDist().inv_cdf(0.975)
WUXI = timezone(timedelta(hours=8))


@pytest.fixture(scope="module", params=BACKENDS)
def year_app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    for app in simulated_site(request, tmp_path_factory, cases=200, raters=700):
        add_staff(app, "gov.chen", ("admin", "市政府办公室"))
        add_staff(app, "zjj.li", ("reporter", "市住房城乡建设局"))
        yield app


def lower_bound(content: int, total: int) -> float:
    """Wilson's score interval, lower end, written out again from the textbook."""
    p = content / total
    spread = Z * math.sqrt(p * (1 - p) / total + Z**2 / (4 * total**2))
    return (p + Z**2 / (2 * total) - spread) / (1 + Z**2 / total)


def recomputed(inputs: dict[str, Any], formula: dict[str, Any]) -> tuple[dict[str, float], float]:
    parts = {
        "completion": min(1.0, max(0.0, inputs["completion"])),
        "timeliness": inputs["reports_on_time"] / inputs["reports_due"]
        if inputs["reports_due"]
        else 1.0,
        "findings": 1 - inputs["findings_open"] / inputs["findings_raised"]
        if inputs["findings_raised"]
        else 1.0,
        "satisfaction": lower_bound(inputs["ratings_content"], inputs["ratings_total"])
        if inputs["ratings_total"] >= formula["minimum_ratings"]
        else 0.0,
    }
    weights = formula["weights"]
    total = sum(weights.values())
    return parts, 100 * sum(weights[k] * parts[k] for k in parts) / total


def check_scored(rows: list[dict[str, Any]], formula: dict[str, Any]) -> None:
    for row in rows:
        parts, value = recomputed(row["inputs"], formula)
        assert row["components"] == pytest.approx(parts, abs=1e-6), row["key"]
        assert row["score"] == pytest.approx(value, abs=1e-6), row["key"]
    order = sorted(rows, key=lambda r: (-r["score"], r["key"]))
    assert [r["key"] for r in rows] == [r["key"] for r in order]
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))


def test_every_score_rank_and_candidate_list_is_recomputed_from_the_open_data(
    year_app: Flask,
) -> None:
    web = year_app.test_client()
    published = web.get(API).get_json()
    formula = published["formula"]
    assert formula["as_of"] == "2023-12-31"
    projects, units = published["projects"], published["units"]
    assert len(projects) == 118 and len(units) >= 20

    check_scored(projects, formula)
    check_scored(units, formula)
    by_ref = {p["key"]: p["inputs"] for p in projects}

    # completion: as the progress API reports it on the day assessed
    progress = web.get(f"/api/v1/plans/2023/progress?as_of={formula['as_of']}").get_json()
    for p in progress["projects"]:
        assert by_ref[p["ref"]]["completion"] == pytest.approx(p["completion"], abs=5e-5)

    # ratings: the satisfaction export counts the same (the simulated year ends before as_of)
    satisfaction = web.get("/api/v1/plans/2023/satisfaction").get_json()["ratings"]["by"]
    rated = {("project", k): v for k, v in satisfaction["project"].items()}
    rated |= {("item", k): v for k, v in satisfaction["item"].items()}
    for ref, i in by_ref.items():
        tally = rated.get(("project", ref), {"satisfied": 0, "basically": 0, "total": 0})
        assert (i["ratings_content"], i["ratings_total"]) == (
            tally["satisfied"] + tally["basically"],
            tally["total"],
        ), ref
    assert sum(i["ratings_total"] for i in by_ref.values()) > 1500

    # findings: replay the public log's finding entries up to the end of the day assessed
    cutoff = datetime.fromisoformat(formula["as_of"]).replace(tzinfo=WUXI) + timedelta(days=1)
    state: dict[str, str] = {}
    about: dict[str, tuple[str, list[str]]] = {}
    for line in web.get("/api/v1/log.jsonl").get_data(as_text=True).splitlines():
        entry = json.loads(line)["entry"]
        if not entry["kind"].startswith("finding."):
            continue
        if datetime.fromisoformat(entry["recorded_at"]) >= cutoff:
            continue
        finding = entry["payload"]["finding"]
        state[finding] = entry["kind"]
        about[finding] = (entry["payload"]["unit"], entry["payload"]["projects"])
    assert state, "the simulated year raises findings"
    for ref, i in by_ref.items():
        mine = [f for f, (_unit, refs) in about.items() if ref in refs]
        still_open = [f for f in mine if state[f] != "finding.closed"]
        assert (i["findings_raised"], i["findings_open"]) == (len(mine), len(still_open)), ref

    # a unit: the items it leads (its first responsible unit), their projects and reports
    plan = web.get("/api/v1/plans/2023").get_json()
    led: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in plan["items"]:
        led[item["units"][0]].append(item)
    refs_of = {i["number"]: [p["ref"] for p in plan["projects"] if p["item"] == i["number"]]
               for i in plan["items"]}  # fmt: skip
    for unit in units:
        items = led[unit["label"]]
        refs = [r for i in items for r in refs_of[i["number"]]]
        mine = unit["inputs"]
        assert mine["completion"] == pytest.approx(
            sum(by_ref[r]["completion"] for r in refs) / len(refs), abs=1e-9
        )
        first = [by_ref[refs_of[i["number"]][0]] for i in items]  # one per item: they share
        assert mine["reports_due"] == sum(f["reports_due"] for f in first)
        assert mine["reports_on_time"] == sum(f["reports_on_time"] for f in first)
        # an item's tally counts its own ratings and its projects'; so does the unit's
        tally = satisfaction["unit"].get(
            unit["label"], {"satisfied": 0, "basically": 0, "total": 0}
        )
        assert (mine["ratings_content"], mine["ratings_total"]) == (
            tally["satisfied"] + tally["basically"],
            tally["total"],
        )
        assert mine["ratings_total"] == sum(
            rated[("item", str(i["number"]))]["total"]
            for i in items
            if ("item", str(i["number"])) in rated
        )
        raised = [f for f, (u, _refs) in about.items() if u == unit["label"]]
        assert mine["findings_raised"] == len(raised)
        assert mine["findings_open"] == sum(state[f] != "finding.closed" for f in raised)
    for item in plan["items"]:  # every project of an item shares the item's report record
        shared = {(by_ref[r]["reports_due"], by_ref[r]["reports_on_time"])
                  for r in refs_of[item["number"]]}  # fmt: skip
        assert len(shared) == 1, item["number"]

    # awards: the candidate lists follow from the rows above and the case export
    awards = published["awards"]
    minxin = [
        p["key"]
        for p in projects
        if p["inputs"]["completion"] >= 1
        and p["inputs"]["ratings_total"] >= formula["minimum_ratings"]
    ]
    assert minxin, "some project is complete and rated often enough"
    assert [c["key"] for c in awards["minxin"]["candidates"]] == minxin
    cases = list(
        csv.DictReader(
            io.StringIO(web.get("/open-data/cases.csv").get_data(as_text=True).lstrip("\ufeff"))
        )
    )
    assert {"evaluation", "rehandled", "replied_on_time", "closed_on"} <= set(cases[0])
    for key in ("weixingfu", "shizhang"):
        eligible = [
            c
            for c in cases
            if c["consent"] == "True"
            and c["key_supervised"] == awards[key]["track"]
            and c["stage"] == "closed"
            and c["evaluation"] in ("satisfied", "basically")
            and date.fromisoformat(c["closed_on"]) <= date.fromisoformat(formula["as_of"])
        ]
        eligible.sort(
            key=lambda c: (
                c["evaluation"] != "satisfied",
                int(c["rehandled"]),
                c["replied_on_time"] != "True",
                (date.fromisoformat(c["closed_on"]) - date.fromisoformat(c["received_on"])).days,
                c["number"],
            )
        )
        assert eligible, key
        assert [c["key"] for c in awards[key]["candidates"]] == [c["number"] for c in eligible]


def test_the_csv_carries_the_same_scores_as_the_api(year_app: Flask) -> None:
    web = year_app.test_client()
    published = web.get(API).get_json()
    text = web.get("/open-data/plans/2023/evaluation.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    api_rows = [("project", p) for p in published["projects"]] + [
        ("unit", u) for u in published["units"]
    ]
    assert len(rows) == len(api_rows)
    for row, (level, p) in zip(rows, api_rows, strict=True):
        assert (row["level"], row["key"], int(row["rank"])) == (level, p["key"], p["rank"])
        assert float(row["score"]) == pytest.approx(p["score"], abs=1e-6)
        _parts, value = recomputed({k: float(row[k]) for k in p["inputs"]}, published["formula"])
        assert float(row["score"]) == pytest.approx(value, abs=1e-5)
        assert row["simulated"] == "True"  # every score here draws on the simulated year
    assert published["simulated"] is True


def decide(staff: FlaskClient, award: str, action: str, candidate: str, note: str = "") -> str:
    token = csrf(staff, "/staff/awards/2023")
    response = staff.post(
        f"/staff/awards/2023/{award}/{action}",
        data={"csrf_token": token, "candidate": candidate, "note": note},
        follow_redirects=True,
    )
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_administrators_nominate_then_select_and_everyone_can_see_it(year_app: Flask) -> None:
    public, staff, reporter = (year_app.test_client() for _ in range(3))
    assert staff.get("/staff/awards/2023").status_code == 302  # to the sign-in page
    sign_in(reporter, "zjj.li")
    assert reporter.get("/staff/awards/2023").status_code == 403
    token = csrf(reporter, "/staff/")  # the sign-out form has one
    forged = {"csrf_token": token, "candidate": "9.1", "note": ""}
    assert reporter.post("/staff/awards/2023/minxin/nominate", data=forged).status_code == 403
    assert 'href="/staff/awards/2023"' not in reporter.get("/staff/").get_data(as_text=True)
    sign_in(staff, "gov.chen")
    assert 'href="/staff/awards/2023"' in staff.get("/staff/").get_data(as_text=True)
    page = staff.get("/staff/awards/2023").get_data(as_text=True)
    assert "民心工程奖" in page and "提名" in page

    candidates = [c["key"] for c in public.get(API).get_json()["awards"]["minxin"]["candidates"]]
    first, second = candidates[:2]
    assert "须先提名，才能评选" in decide(staff, "minxin", "select", first)
    assert "已记录" in decide(staff, "minxin", "nominate", first, "完成最好、群众最满意")
    assert "已经提名过" in decide(staff, "minxin", "nominate", first)
    assert "只能提名候选名单中的对象" in decide(staff, "minxin", "nominate", "1.1x")
    assert "已记录" in decide(staff, "minxin", "nominate", second)
    assert "已记录" in decide(staff, "minxin", "select", first)
    assert "已经评选为获奖" in decide(staff, "minxin", "select", first)
    token = csrf(staff, "/staff/awards/2023")
    for url in ("/staff/awards/2023/nothing/nominate", "/staff/awards/2023/minxin/crown"):
        assert staff.post(url, data={"csrf_token": token, "candidate": first}).status_code == 404

    award = public.get(API).get_json()["awards"]["minxin"]
    assert (award["nominated"], award["selected"]) == ([first, second], [first])
    assert "撤回须写明原因" in decide(staff, "minxin", "withdraw", second)
    assert "已记录" in decide(staff, "minxin", "withdraw", second, "不符合条件")
    award = public.get(API).get_json()["awards"]["minxin"]
    assert (award["nominated"], award["selected"]) == ([first], [first])
    results = public.get("/plans/2023/evaluation").get_data(as_text=True)
    assert "完成最好、群众最满意" in results
    assert f'<a href="/plans/2023/projects/{first}">{first}</a>' in results  # decisions link
    log = [
        json.loads(x)["entry"]
        for x in public.get("/api/v1/log.jsonl").get_data(as_text=True).split("\n")
        if x
    ]
    decisions = [
        (e["kind"], e["payload"]["candidate"]) for e in log if e["kind"].startswith("award.")
    ]
    assert decisions == [
        ("award.nominated", first),
        ("award.nominated", second),
        ("award.selected", first),
        ("award.withdrawn", second),
    ]
    assert f"民心工程奖：撤回对{second}的提名" in public.get("/feeds/all.atom").get_data(
        as_text=True
    )
    assert not any(
        "gov.chen" in json.dumps(e, ensure_ascii=False)
        for e in log
        if e["kind"].startswith("award.")
    )
    feed = public.get(f"/feeds/plans/2023/projects/{first}.atom").get_data(as_text=True)
    assert f"民心工程奖评选：{first}获奖" in feed and f"民心工程奖提名：{first}" in feed
    assert "完成最好、群众最满意" in feed


def test_the_satisfaction_feed_lists_milestones_that_agree_with_the_open_data(
    year_app: Flask,
) -> None:
    import feedparser

    web = year_app.test_client()
    body = web.get("/feeds/plans/2023/satisfaction.atom").get_data()
    feed = feedparser.parse(body)
    assert not feed.bozo, feed.bozo_exception
    assert feedparser.parse(web.get("/feeds/plans/2023/satisfaction.rss").get_data()).entries
    # Every milestone here counts simulated ratings, and says so.
    assert all(e.title.startswith("【模拟】") for e in feed.entries)
    titles = [e.title.removeprefix("【模拟】") for e in feed.entries]
    ratings = web.get("/api/v1/plans/2023/satisfaction").get_json()["ratings"]

    for quarter, tally in ratings["quarters"].items():  # every 2023 quarter is over by now
        [entry] = [
            e for e in feed.entries if e.title.startswith(f"【模拟】{quarter}满意度评价结果")
        ]
        rate = (tally["satisfied"] + tally["basically"]) / tally["total"]
        assert f"满意率{rate * 100:.1f}%" in entry.title
        assert f"本季度共{tally['total']}条评价" in entry.summary
        assert entry.link.endswith("/plans/2023/satisfaction#quarters")
    ranked = {ref for ref, t in ratings["by"]["project"].items() if t["total"] >= 30}
    announced = {m[1] for t in titles if (m := re.match(r"具体项目(\d+\.\d+) .*的评价满30条", t))}
    assert announced == ranked and ranked
    total = ratings["overall"]["total"]
    reached = [n for n in (1_000, 2_000, 5_000, 10_000) if n <= total]
    for n in reached:
        assert f"2023年满意度评价累计达到{n:,}条" in titles
    assert f"2023年满意度评价累计达到{reached[-1] * 10:,}条" not in titles

    ids = [e.id for e in feed.entries]
    assert len(set(ids)) == len(ids)
    year_app.extensions["minsheng"].projector.rebuild()
    again = feedparser.parse(web.get("/feeds/plans/2023/satisfaction.atom").get_data())
    assert [e.id for e in again.entries] == ids  # stable across a rebuild
    page = web.get("/plans/2023/satisfaction").get_data(as_text=True)
    assert 'href="/feeds/plans/2023/satisfaction.atom"' in page
    assert "/feeds/plans/2023/satisfaction.atom" in web.get("/feeds.opml").get_data(as_text=True)
    assert web.get("/feeds/plans/1999/satisfaction.atom").status_code == 404
