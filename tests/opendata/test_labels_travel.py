"""Labels that travel with the data, and feeds for people (issue 14, parts 2, 3 and 6).

A site with the labelled simulated year (progress, cases, ratings) and a few real facts
recorded beside it: every feed entry, event page, API object and CSV row of a simulated fact
says so; no real fact ever does. Feeds name a stylesheet for browsers, label report amounts,
and leave single ratings and case intakes to a daily digest and the case feeds.
"""

from __future__ import annotations

import csv
import io
import json
import threading
import urllib.request
from collections import Counter
from collections.abc import Iterator
from datetime import date
from typing import Any
from urllib.parse import quote

import feedparser
import pytest
from flask import Flask
from werkzeug.serving import make_server

from application.case_commands import Intake
from tests.conftest import BACKENDS, simulated_site
from tests.opendata.test_feeds import FEEDS

REAL_TITLE = "真实督查：河道保洁抽查"
REAL_FINDING = "真实发现：3处河段漂浮物未及时清理"
SIM_TAG = "simulated"
LABELS = "urn:minsheng:labels"


@pytest.fixture(scope="module", params=BACKENDS)
def labelled_app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    """The simulated year, then real facts: a supervision visit with a finding, and a
    citizen's case (published with consent) that the task force accepts."""
    for app in simulated_site(request, tmp_path_factory, cases=80, raters=150):
        services = app.extensions["minsheng"]
        ledger = services.ledger
        # Before the real facts (recorded today, years after it): the simulated year's news.
        app.config["ALL_BEFORE"] = app.test_client().get("/feeds/all.atom").get_data()
        ledger.record_supervision(
            year=2023,
            kind="inspection",
            held_on=date(2023, 11, 20),
            title=REAL_TITLE,
            summary="现场抽查梁溪区河道保洁。",
            findings=[(["1.1"], REAL_FINDING)],
            actor="staff:inspector",
        )
        receipt = ledger.submit_case(
            Intake(
                year=2023,
                channel="online",
                category="城市管理",
                district="梁溪区",
                title="真实诉求：路灯不亮",
                content="清扬路某小区门口两盏路灯不亮已两周。",
                name="张三",
                phone="13800138000",
                consent=True,
                received_on=date(2023, 11, 20),
            ),
            "citizen",
        )
        ledger.accept_case(receipt.case_id, "staff:taskforce")
        services.projector.catch_up()
        app.config["REAL_CASE"] = receipt.number
        yield app


@pytest.fixture(scope="module")
def served(labelled_app: Flask) -> Iterator[str]:
    http = make_server("127.0.0.1", 0, labelled_app, threaded=True)
    url = f"http://127.0.0.1:{http.server_port}"
    labelled_app.config["PUBLIC_BASE_URL"] = url
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield url
    http.shutdown()


def log_entries(app: Flask) -> list[dict[str, Any]]:
    lines = app.test_client().get("/api/v1/log.jsonl").get_data(as_text=True).splitlines()
    return [json.loads(line)["entry"] for line in lines]


def marked(entry: Any, fmt: str) -> bool:
    """Does a parsed feed entry carry the simulated label (title prefix and category)?"""
    prefixed = entry.title.startswith("【模拟】")
    tags = entry.get("tags", [])
    if fmt == "atom":
        tagged = any(t.get("term") == SIM_TAG for t in tags)
    else:  # RSS has a category's text (the label) and its domain only
        tagged = any(t.get("scheme") == LABELS for t in tags)
    assert prefixed == tagged, f"title and category disagree: {entry.title}"
    return prefixed


def test_the_real_facts_are_in_the_log_unmarked_and_the_simulated_ones_marked(
    labelled_app: Flask,
) -> None:
    entries = log_entries(labelled_app)
    real_case = labelled_app.config["REAL_CASE"]
    real = [
        e
        for e in entries
        if e["payload"].get("title") == REAL_TITLE
        or e["payload"].get("text") == REAL_FINDING
        or e["payload"].get("number") == real_case
    ]
    assert {e["kind"] for e in real} == {
        "supervision.recorded",
        "finding.raised",
        "case.submitted",
        "case.accepted",
    }
    assert not any("simulated" in e["payload"] for e in real)
    # The plan is real; every report, case and rating of the simulated year is marked.
    by_kind: dict[str, Counter[bool]] = {}
    for e in entries:
        if e in real:
            continue
        by_kind.setdefault(e["kind"], Counter())[e["payload"].get("simulated") is True] += 1
    assert by_kind["plan.registered"] == Counter({False: 1})
    assert by_kind["item.registered"] == Counter({False: 60})
    for kind in ("report.filed", "case.submitted", "case.accepted", "rating.cast"):
        assert set(by_kind[kind]) == {True}, kind


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_every_feed_entry_of_a_simulated_fact_is_marked_and_no_real_one_is(
    labelled_app: Flask, served: str, fmt: str
) -> None:
    simulated = {
        f"urn:uuid:{e['uuid']}": e["payload"].get("simulated") is True
        for e in log_entries(labelled_app)
    }
    seen: Counter[str] = Counter()
    paths = [*FEEDS, "/feeds/plans/2023/satisfaction", "/feeds/changes"]
    for path in paths:
        feed = feedparser.parse(f"{served}{path}.{fmt}?from=2023-06-01&to=2023-08-31")
        assert feed.bozo == 0, (path, feed.get("bozo_exception"))
        for entry in feed.entries:
            label = marked(entry, fmt)
            if entry.id in simulated:
                assert label == simulated[entry.id], (path, entry.title)
                seen["log-real" if not label else "log-simulated"] += 1
            else:  # digests of the simulated year's ratings, its milestones, its overdue cases
                assert label, (path, entry.title)
                seen["derived"] += 1
    assert seen["log-real"] and seen["log-simulated"] and seen["derived"], seen


def test_the_everything_feed_leaves_single_ratings_and_intakes_to_a_daily_digest(
    labelled_app: Flask, served: str
) -> None:
    feed = feedparser.parse(labelled_app.config["ALL_BEFORE"])
    titles = [e.title for e in feed.entries]
    assert not [t for t in titles if "收到满意度评价：" in t or t.startswith("【模拟】收到诉求")]
    digests = [e for e in feed.entries if "满意度评价汇总" in e.title]
    assert digests, titles
    ratings = Counter(
        e["business_date"]
        for e in log_entries(labelled_app)
        if e["kind"] in ("rating.cast", "rating.replaced")
    )
    for digest in digests:
        day = digest.title.removeprefix("【模拟】")[:10]
        assert f"共{ratings[day]}条" in digest.title, (day, digest.title)
    # Case intakes are still told: in the case feeds.
    cases = feedparser.parse(f"{served}/feeds/cases.atom")
    real_case = labelled_app.config["REAL_CASE"]
    assert any(e.title == f"收到诉求{real_case}" for e in cases.entries)


def test_report_amounts_in_feeds_carry_their_target_label_and_unit(served: str) -> None:
    feed = feedparser.parse(f"{served}/feeds/plans/2023/items/6.atom")
    reports = [e for e in feed.entries if "月度报告" in e.title]
    assert reports
    # Item 6's project 6.1: 自然村生活污水治理新改建工程, 300 个 (plans/2023/plan.yaml).
    assert all("自然村生活污水治理新改建工程：" in e.summary for e in reports)
    assert all("个（目标300个）" in e.summary for e in reports)


def test_a_feed_names_the_stylesheet_that_shows_it_to_people(served: str) -> None:
    for fmt in ("atom", "rss"):
        with urllib.request.urlopen(f"{served}/feeds/cases.{fmt}") as response:
            lines = response.read().decode().splitlines()
        assert lines[0].startswith("<?xml ")
        assert lines[1] == '<?xml-stylesheet type="text/xsl" href="/static/feed.xsl"?>'
    with urllib.request.urlopen(f"{served}/static/feed.xsl") as response:
        assert "xml" in response.headers["Content-Type"]
        assert b"xsl:stylesheet" in response.read()


def test_event_pages_say_simulated_and_offer_citations(labelled_app: Flask) -> None:
    client = labelled_app.test_client()
    entries = log_entries(labelled_app)
    fake = next(e for e in entries if e["kind"] == "report.filed")
    real = next(e for e in entries if e["payload"].get("title") == REAL_TITLE)
    fake_page = client.get(f"/events/{fake['uuid']}").get_data(as_text=True)
    real_page = client.get(f"/events/{real['uuid']}").get_data(as_text=True)
    assert "这是模拟年份中的一条记录" in fake_page and "【模拟数据，非真实进展】" in fake_page
    assert "这是模拟年份中的一条记录" not in real_page and "模拟数据，非真实进展" not in real_page
    head = client.get("/api/v1/log?limit=1").get_json()["heads"]["public"]
    assert f"引用时链头为第{head['entries']}条 {head['head']}" in real_page
    assert f"/events/{real['uuid']}" in real_page and REAL_TITLE in real_page
    assert "Livelihood Projects in the Open (民生实事公开台)" in real_page
    english = client.get(f"/events/{fake['uuid']}", headers={"Accept-Language": "en"})
    text = english.get_data(as_text=True)
    assert "[SIMULATED DATA, not real progress]" in text and "chain head when cited" in text


def test_progress_api_and_csv_say_which_figures_are_simulated(labelled_app: Flask) -> None:
    client = labelled_app.test_client()
    projects = client.get("/api/v1/plans/2023/progress").get_json()["projects"]
    assert projects and all(p["simulated"] is True for p in projects if p["latest_period"])
    assert all(p["simulated"] is False for p in projects if not p["latest_period"])
    text = client.get("/open-data/plans/2023/projects.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert {r["ref"]: r["simulated"] for r in rows} == {
        p["ref"]: str(p["simulated"]) for p in projects
    }


def simulated_column(client: Any, path: str) -> set[str]:
    text = client.get(path).get_data(as_text=True)
    return {r["simulated"] for r in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))}


def test_summing_exports_and_open311_say_they_draw_on_the_simulated_year(
    labelled_app: Flask,
) -> None:
    client = labelled_app.test_client()
    for path in ("/open-data/plans/2023/satisfaction.csv", "/open-data/plans/2023/evaluation.csv"):
        assert simulated_column(client, path) == {"True"}, path
    assert client.get("/api/v1/plans/2023/satisfaction").get_json()["simulated"] is True
    requests = client.get("/open311/v2/requests.json?page_size=200").get_json()
    real = labelled_app.config["REAL_CASE"]
    assert {r["service_request_id"]: r["simulated"] for r in requests}[real] is False
    assert any(r["simulated"] is True for r in requests)


def test_a_plan_without_a_simulated_year_is_never_marked(client: Any) -> None:
    projects = client.get("/api/v1/plans/2023/progress").get_json()["projects"]
    assert projects and not any(p["simulated"] for p in projects)
    text = client.get("/open-data/plans/2023/projects.csv").get_data(as_text=True)
    assert {r["simulated"] for r in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))} == {"False"}
    assert client.get("/api/v1/plans/2023/evaluation").get_json()["simulated"] is False
    assert client.get("/api/v1/plans/2023/satisfaction").get_json()["simulated"] is False
    assert simulated_column(client, "/open-data/plans/2023/satisfaction.csv") <= {"False"}
    text = client.get("/open-data/plans/2023/evaluation.csv").get_data(as_text=True)
    assert {r["simulated"] for r in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))} == {"False"}
    for path in (
        "/feeds/all.atom",
        "/feeds/plans/2023.atom",
        f"/feeds/plans/2023/units/{quote('市水利局')}.atom",
    ):
        body = client.get(path).get_data(as_text=True)
        assert "【模拟】" not in body and 'term="simulated"' not in body


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
READER = "application/atom+xml,application/rss+xml;q=0.9,application/xml;q=0.8,*/*;q=0.5"


@pytest.mark.parametrize("first, then", [(BROWSER, READER), (READER, BROWSER)])
def test_a_browser_and_a_reader_each_get_their_type_whoever_asked_first(
    labelled_app: Flask, first: str, then: str
) -> None:
    """The page cache keeps the feed per kind of client: the same bytes, the right type."""
    client = labelled_app.test_client()
    path = "/feeds/plans/2023/items/3.atom"
    answers = [client.get(path, headers={"Accept": accept}) for accept in (first, then)]
    types = {accept: a.mimetype for accept, a in zip((first, then), answers, strict=True)}
    assert types == {BROWSER: "application/xml", READER: "application/atom+xml"}
    assert answers[0].get_data() == answers[1].get_data()
    assert all("Accept" in a.headers.get("Vary", "") for a in answers)
    assert answers[0].headers["ETag"] != answers[1].headers["ETag"]
