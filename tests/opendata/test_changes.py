"""What changed: the page and its feeds agree with the public log read through /api/v1/log,
default to the last 7 Wuxi days, refuse bad ranges with a message, flag simulated entries.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import feedparser
import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from domain.wuxi import business_date, end_of_day, start_of_day
from projections.changes import changes_queries
from projections.ratings import satisfaction_queries as sq
from tests.clock import Clock
from tests.conftest import BACKENDS, AppFactory, copied_site
from tests.hostile import CORPUS, Entry
from tests.stores import year_with

KINDS = {
    "report.filed",
    "report.corrected",
    "finding.raised",
    "finding.closed",
    "finding.reopened",
    "case.closed",
}
CLOCK = Clock("2023-12-01T10:00")  # the simulated year's last days are "today"
EVENT_LINK = re.compile(r"/events/([0-9a-f-]{36})")


@pytest.fixture(scope="module", params=BACKENDS)
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    yield from copied_site(request, tmp_path_factory, year_with(120, 150), CLOCK)


@pytest.fixture(scope="module")
def client(site: Flask) -> FlaskClient:
    return site.test_client()


@pytest.fixture(scope="module")
def log(client: FlaskClient) -> list[dict[str, Any]]:
    """The whole public log, as a reader gets it from the API."""
    entries: list[dict[str, Any]] = []
    url: str | None = "/api/v1/log?limit=500"
    while url:
        body = client.get(_local(url)).get_json()
        entries += body["entries"]
        url = body["next"]
    return entries


def _local(url: str) -> str:
    """A `next` link as the test client asks for it (whatever PUBLIC_BASE_URL says)."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def expected(log: list[dict[str, Any]], start: str, end: str) -> set[str]:
    """The entries a reader would pick from the log: followed kinds recorded on those days."""
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    return {
        e["uuid"]
        for e in log
        if e["kind"] in KINDS
        and first <= business_date(datetime.fromisoformat(e["recorded_at"])) <= last
    }


def linked(html: str) -> set[str]:
    return set(EVENT_LINK.findall(html))


@pytest.mark.parametrize(
    "start, end",
    [("2023-06-01", "2023-06-30"), ("2023-11-25", "2023-12-01"), ("2023-01-01", "2023-01-31")],
)
def test_the_page_lists_exactly_the_logged_changes_a_reader_recomputes_from_the_api(
    client: FlaskClient, log: list[dict[str, Any]], start: str, end: str
) -> None:
    page = client.get(f"/changes?from={start}&to={end}")
    assert page.status_code == 200
    wanted = expected(log, start, end)
    assert linked(page.get_data(as_text=True)) == wanted
    assert wanted or start.startswith("2023-01"), "the simulated year has changes mid-year"


def test_the_feeds_carry_the_same_changes_as_the_page(
    server: str, log: list[dict[str, Any]]
) -> None:
    for fmt, version in (("atom", "atom10"), ("rss", "rss20")):
        feed = feedparser.parse(f"{server}/feeds/changes.{fmt}?from=2023-06-01&to=2023-06-30")
        assert feed.bozo == 0, feed.get("bozo_exception")
        assert feed.version == version
        ids = {e.id.removeprefix("urn:uuid:") for e in feed.entries}
        logged = {i for e in feed.entries if (i := e.link.rsplit("/events/", 1)[-1]) != e.link}
        assert logged == expected(log, "2023-06-01", "2023-06-30")
        assert logged <= ids  # a logged change's feed id is its event's permanent id


def test_a_filter_keeps_only_the_changes_of_its_category(
    client: FlaskClient, log: list[dict[str, Any]]
) -> None:
    items = {
        e["payload"]["number"]: e["payload"]["category"]
        for e in log
        if e["kind"] == "item.registered"
    }
    page = client.get("/changes?from=2023-06-01&to=2023-06-30&category=3").get_data(as_text=True)
    wanted = {
        e["uuid"]
        for e in log
        if e["uuid"] in expected(log, "2023-06-01", "2023-06-30")
        and e["kind"].startswith("report.")
        and items[e["payload"]["item"]] == 3
    } | {
        e["uuid"]
        for e in log
        if e["uuid"] in expected(log, "2023-06-01", "2023-06-30")
        and e["kind"].startswith("finding.")
        and any(items[int(r.split(".")[0])] == 3 for r in e["payload"]["projects"])
    }
    assert linked(page) == wanted


def test_status_moves_are_the_projects_whose_status_differs_in_the_progress_api(
    client: FlaskClient,
) -> None:
    def statuses(day: str) -> dict[str, str]:
        body = client.get(f"/api/v1/plans/2023/progress?as_of={day}").get_json()
        return {p["ref"]: p["status"] for p in body["projects"]}

    for start, end, before in (
        ("2023-06-01", "2023-06-30", "2023-05-31"),
        ("2023-11-25", "2023-12-01", "2023-11-24"),
    ):
        was, now = statuses(before), statuses(end)
        moved = {ref for ref in now if now[ref] != was[ref]}
        html = client.get(f"/changes?from={start}&to={end}").get_data(as_text=True)
        pattern = rf"/plans/2023/projects/([0-9.]+)/changes\?from={before}&amp;to={end}"
        assert set(re.findall(pattern, html)) == moved
        assert moved, "the simulated year moves some project in each of these ranges"


def test_overdue_cases_are_those_whose_time_limit_passed_in_the_range_consent_or_not(
    client: FlaskClient,
) -> None:
    cases: list[dict[str, Any]] = []
    url: str | None = "/api/v1/cases?limit=500"
    while url:
        body = client.get(_local(url)).get_json()
        cases += body["cases"]
        url = body["next"]
    first, last = date(2023, 6, 1), date(2023, 8, 31)
    wanted = {
        c["number"]
        for c in cases
        if c.get("deadline")
        and first <= date.fromisoformat(c["deadline"]) + timedelta(days=1) <= last
        and (
            c["stage"] in ("handling", "rehandling")
            or (c["closed_on"] and c["closed_on"] > c["deadline"])
        )
    }
    html = client.get(f"/changes?from={first}&to={last}").get_data(as_text=True)
    listed = set(re.findall(r'href="[^"]*/cases/([0-9A-Z-]+)">[^<]*超期', html))
    assert listed == wanted and wanted, "the simulated year has late cases in summer"
    assert any(not c["consent"] for c in cases if c["number"] in wanted)


def test_reports_show_their_amounts_before_and_after(
    client: FlaskClient, log: list[dict[str, Any]]
) -> None:
    html = client.get("/changes?from=2023-06-01&to=2023-06-30").get_data(as_text=True)
    arrows = re.findall(r"<li>([^<]*?：[^<]*? → [^<]*?（目标[^<]*?）)</li>", html)
    assert arrows, "June's reports move cumulative amounts"
    # the first report of a month names the amount in force before it (or — the first time)
    assert all(" → " in a for a in arrows)


def test_entries_of_the_simulated_year_are_marked_and_a_real_one_is_not(
    client: FlaskClient, site: Flask
) -> None:
    html = client.get("/changes?from=2023-06-01&to=2023-06-30").get_data(as_text=True)
    entries = re.findall(r'<li class="entry [^"]*">', html)
    assert entries and all("simulated" in e for e in entries)
    assert html.count('<span class="sim-tag">') >= len(entries)


@pytest.mark.parametrize(
    "query, message",
    [
        ("from=2023-13-01", "YYYY-MM-DD"),
        ("from=yesterday", "YYYY-MM-DD"),
        ("to=1999-12-31", "YYYY-MM-DD"),
        ("from=2023-06-30&to=2023-06-01", "不能晚于"),
        ("to=2099-01-01", "不能晚于今天"),
        ("from=2023-01-01&to=2023-12-01", "最多"),
        ("category=3&district=梁溪区", "一个条件"),
        ("category=999", "没有这个方面"),
        ("category=%C2%B2", "没有这个方面"),
        ("key=0", "没有这个重点项目"),
        ("district=<script>", "没有这个区域"),
        ("unit=%00", "没有这个责任单位"),
        ("from=%00", "YYYY-MM-DD"),
        ("from=" + "9" * 500, "YYYY-MM-DD"),
        ("from=2023-06-01T00:00", "YYYY-MM-DD"),
    ],
)
def test_a_bad_range_or_filter_is_a_400_that_says_why(
    client: FlaskClient, query: str, message: str
) -> None:
    for path in ("/changes", "/feeds/changes.atom"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400, (path, query)
        if path == "/changes":
            assert message in response.get_data(as_text=True)


def test_hostile_query_values_are_answered_with_a_400_or_a_page_never_a_500(
    client: FlaskClient,
) -> None:
    extra = [Entry("xss", "<script>alert(1)</script>"), Entry("huge", "9" * 100_000)]
    for entry in [*CORPUS, *extra]:
        for name in ("from", "to", "category", "unit", "district", "key"):
            for path in ("/changes", "/feeds/changes.atom", "/feeds/weekly.rss"):
                response = client.get(f"{path}?{name}={entry.form_value()}")
                assert response.status_code in (200, 400), (path, name, entry.name)
                assert b"<script>alert(1)" not in response.data


@pytest.fixture(scope="module")
def server(site: Flask) -> Iterator[str]:
    http = make_server("127.0.0.1", 0, site, threaded=True)
    url = f"http://127.0.0.1:{http.server_port}"
    site.config["PUBLIC_BASE_URL"] = url
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield url
    site.config["PUBLIC_BASE_URL"] = "http://localhost"
    http.shutdown()


def test_the_weekly_digest_has_one_entry_per_whole_week_with_a_lasting_id(server: str) -> None:
    first = feedparser.parse(f"{server}/feeds/weekly.atom")
    again = feedparser.parse(f"{server}/feeds/weekly.rss")
    assert first.bozo == 0 and again.bozo == 0, first.get("bozo_exception")
    assert first.entries, "the simulated year's last weeks saw changes"
    weeks = [re.search(r"(\d{4}-\d{2}-\d{2})至(\d{4}-\d{2}-\d{2})", e.title) for e in first.entries]
    for found in weeks:
        assert found is not None
        monday, sunday = (date.fromisoformat(d) for d in found.groups())
        assert monday.weekday() == 0 and sunday == monday + timedelta(days=6)
        assert sunday < date(2023, 11, 27)  # this week (from Monday 27 November) is not over
    assert [e.id for e in first.entries] == [e.id for e in again.entries]
    assert all("本周" in e.summary for e in first.entries)


# The default range: the last 7 Wuxi days ending today, at every hour around midnight and
# across month, quarter and year ends (the clock speaks Wuxi time, answers in UTC).
DEFAULTS = [
    *[(f"2023-06-30T{h:02d}:30", "2023-06-24", "2023-06-30") for h in range(24)],
    *[(f"2023-07-01T{h:02d}:00", "2023-06-25", "2023-07-01") for h in (0, 1, 7, 8, 9, 23)],
    ("2023-09-30T23:59", "2023-09-24", "2023-09-30"),
    ("2023-10-01T00:01", "2023-09-25", "2023-10-01"),
    ("2023-12-31T23:30", "2023-12-25", "2023-12-31"),
    ("2024-01-01T07:59", "2023-12-26", "2024-01-01"),
    ("2024-03-01T00:00", "2024-02-24", "2024-03-01"),  # a leap year's February
]


def test_the_default_range_is_the_last_seven_wuxi_days_ending_today(
    app_factory: AppFactory,
) -> None:
    clock = Clock()
    client = app_factory(clock=clock, plan=True).test_client()
    for now, first, last in DEFAULTS:
        clock.set(now)
        html = client.get("/changes").get_data(as_text=True)
        assert f'name="from" value="{first}"' in html, now
        assert f'name="to" value="{last}"' in html, now


@pytest.mark.parametrize(
    "start, end, some",
    [
        ("2023-03-25", "2023-04-07", False),  # the simulated ratings begin later
        ("2023-06-01", "2023-08-31", True),
        ("2023-09-28", "2023-10-02", True),  # the third quarter ends
    ],
)
def test_milestones_read_by_range_are_those_of_the_whole_year_in_the_range(
    site: Flask, start: str, end: str, some: bool
) -> None:
    """The same keys and instants as the satisfaction feed's (every ballot of the year)."""
    services = site.extensions["minsheng"]
    low = start_of_day(date.fromisoformat(start))
    high = end_of_day(date.fromisoformat(end))
    now = CLOCK()
    with services.read() as c:
        whole = [m for m in sq.milestones(c, 2023, now) if low <= m.at < high]
        ranged = changes_queries.milestones(c, 2023, low, high, now)
    assert [(m.key, m.at, m.count, m.tally) for m in ranged] == [
        (m.key, m.at, m.count, m.tally) for m in sorted(whole, key=lambda m: (m.at, m.key))
    ]
    assert bool(whole) == some


def test_a_real_report_is_listed_unmarked_with_its_amounts_before_and_after(
    app_factory: AppFactory,
) -> None:
    from tests.plans.test_progress import UNIT, lifts

    clock = Clock("2023-07-05T10:00")
    app = app_factory(clock=clock, plan=True)
    services = app.extensions["minsheng"]
    for period, amount in (("2023-05", "250"), ("2023-06", "279")):
        services.ledger.report_progress(
            year=2023,
            item=9,
            period=period,
            unit=UNIT,
            values=lifts(amount),
            narrative="",
            evidence=(),
            actor="staff:li",
        )
    services.projector.catch_up()
    html = app.test_client().get("/changes").get_data(as_text=True)
    entries = re.findall(r'<li class="entry [^"]*">.*?</li>\s*</?', html, re.S)
    assert len(entries) >= 2 and 'class="sim-tag"' not in html
    assert "9.1 既有住宅加装电梯：250台 → 279台（目标300台）" in html
    feed = feedparser.parse(app.test_client().get("/feeds/changes.atom").data)
    assert feed.bozo == 0 and feed.entries
    assert not any("模拟" in e.title for e in feed.entries)
