"""The public progress pages over the labelled simulated year, on both stores."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from domain.plan_spec import PlanSpec
from domain.wuxi import WUXI
from projections.plans.progress import ProgressReport
from projections.supervision.supervision import SupervisionVisit
from tests.conftest import BACKENDS, simulated_site


@pytest.fixture(scope="module", params=BACKENDS)
def year_app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    yield from simulated_site(request, tmp_path_factory)


@pytest.fixture
def client(year_app: Flask) -> FlaskClient:
    return year_app.test_client()


def status_counts(html: str) -> list[int]:
    block = html.split('class="counts status-counts"')[1].split("</ul>")[0]
    return [int(n) for n in re.findall(r"<strong>(\d+)</strong>", block)]


def test_mid_year_and_the_deadline_look_different(client: FlaskClient) -> None:
    june = client.get("/plans/2023/progress?as_of=2023-06-30").get_data(as_text=True)
    november = client.get("/plans/2023/progress?as_of=2023-11-30").get_data(as_text=True)
    assert status_counts(june) != status_counts(november)
    assert sum(status_counts(june)) == sum(status_counts(november)) == 118
    assert "历史状态" in june and "2023年6月30日" in june
    done_june, done_november = status_counts(june)[3], status_counts(november)[3]  # 已完成
    assert done_november > done_june


def test_today_nothing_is_on_track_any_more(client: FlaskClient) -> None:
    """The deadline has passed: every project is done or overdue."""
    now = status_counts(client.get("/plans/2023/progress").get_data(as_text=True))
    not_started, on_track, behind, done, overdue = now
    assert (not_started, on_track, behind) == (0, 0, 0) and done + overdue == 118


def test_a_late_report_appears_only_from_the_day_it_was_recorded(
    client: FlaskClient, year_app: Flask
) -> None:
    with year_app.extensions["minsheng"].read() as c:
        late = c.execute(
            select(ProgressReport.item, ProgressReport.report_id, ProgressReport.recorded_at)
            .where(ProgressReport.period == "2023-05")
            .where(ProgressReport.recorded_at >= datetime(2023, 6, 2, tzinfo=UTC))
            .order_by(ProgressReport.recorded_at)
        ).first()
    assert late is not None, "the simulated year has late reports"
    recorded_on = late.recorded_at.astimezone(WUXI).date()
    anchor = f'id="report-{late.report_id}"'
    before = client.get(f"/plans/2023/items/{late.item}?as_of={recorded_on - timedelta(days=1)}")
    on_the_day = client.get(f"/plans/2023/items/{late.item}?as_of={recorded_on}")
    assert anchor not in before.get_data(as_text=True)
    assert anchor in on_the_day.get_data(as_text=True)
    assert "迟报" in on_the_day.get_data(as_text=True).split(anchor)[1].split("</li>")[0]


def test_the_simulated_year_is_labelled_on_every_page(client: FlaskClient) -> None:
    for url in (
        "/",
        "/plans/2023/items/9",
        "/plans/2023/progress",
        "/plans/2023/document",
        "/plans/2023/units/",
        "/nope",
    ):
        assert "演示数据" in client.get(url).get_data(as_text=True), url
    assert "模拟" in client.get("/plans/2023/supervision").get_data(as_text=True)


def test_a_project_page_has_a_chart_its_data_and_its_record(client: FlaskClient) -> None:
    html = client.get("/plans/2023/projects/9.1?as_of=2023-09-30").get_data(as_text=True)
    assert 'src="/plans/2023/projects/9.1/chart.svg?as_of=2023-09-30"' in html
    assert "图表数据" in html and "月度报告" in html
    chart = client.get("/plans/2023/projects/9.1/chart.svg?as_of=2023-09-30")
    assert chart.mimetype == "image/svg+xml" and chart.data.startswith(b"<?xml")
    assert "script-src" not in chart.headers["Content-Security-Policy"]
    assert "计划进度".encode() in chart.data


def drawn_width_and_label_size(svg: bytes) -> tuple[int, int]:
    text = svg.decode()
    width = int(re.search(r'viewBox="0 0 (\d+) \d+"', text)[1])  # type: ignore[index]
    # pygal's axis labels: ".axis text { font-size: Npx }" in its embedded style
    size = int(re.search(r"\.axis text\s*\{[^}]*font-size:(\d+)px", text)[1])  # type: ignore[index]
    return width, size


def test_phones_get_charts_drawn_small_so_their_text_is_readable(client: FlaskClient) -> None:
    html = client.get("/plans/2023/projects/9.1?as_of=2023-09-30").get_data(as_text=True)
    small_url = "/plans/2023/projects/9.1/chart.svg?size=small&amp;as_of=2023-09-30"
    assert f'<source media="(max-width: 40rem)" srcset="{small_url}"' in html
    phone = 358  # px a 390 px phone gives the chart
    for url in ("/plans/2023/projects/9.1/chart.svg", "/plans/2023/satisfaction/chart.svg"):
        shown = {}
        for query in ("", "?size=small"):
            width, size = drawn_width_and_label_size(client.get(url + query).data)
            shown[query] = size * phone / width  # px of label text on the phone's screen
        assert shown[""] < 7 and shown["?size=small"] >= 14, (url, shown)


def test_scorecards_count_every_due_report(client: FlaskClient, plan_spec: PlanSpec) -> None:
    html = client.get("/plans/2023/scorecards?sort=unit").get_data(as_text=True)
    rows = re.findall(
        r"<td[^>]*>(\d+)</td>\s*<td[^>]*>(\d+)</td>\s*<td[^>]*>(\d+)</td>\s*"
        r"<td[^>]*>\d+</td>\s*<td[^>]*>\d+</td>",
        html,
    )
    assert (
        sum(int(a) + int(b) + int(c) for a, b, c in rows) == 60 * 9
    )  # items x months, all due now
    assert client.get("/plans/2023/scorecards?sort=missing").status_code == 200
    assert client.get("/plans/2023/scorecards?sort=evil").status_code == 400


def test_dashboard_filters_by_status_as_plain_links_and_for_htmx(client: FlaskClient) -> None:
    full = client.get("/plans/2023/progress?status=overdue").get_data(as_text=True)
    fragment = client.get("/plans/2023/progress?status=overdue", headers={"HX-Request": "true"})
    html = fragment.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="dashboard-results"') and "<html" not in html
    assert re.search(r"共(\d+)个具体项目", html)[1] == re.search(r"共(\d+)个具体项目", full)[1]  # type: ignore[index]
    assert client.get("/plans/2023/progress?status=bogus").status_code == 400
    assert client.get("/plans/2023/progress?sort=bogus").status_code == 400


def _listed(client: FlaskClient, query: str) -> set[str]:
    """The specific projects the dashboard's table lists for `query` (its htmx fragment)."""
    html = client.get(f"/plans/2023/progress?{query}", headers={"HX-Request": "true"})
    assert html.status_code == 200
    return set(re.findall(r'href="/plans/2023/projects/([0-9.]+)"', html.get_data(as_text=True)))


def test_dashboard_filters_by_key_project(year_app: Flask, plan_spec: PlanSpec) -> None:
    """The deputies' question: how are the voted key projects doing (all, or one of them)?"""
    client = year_app.test_client()
    members = {k.number: set(k.projects) for k in plan_spec.key_projects}
    assert len(members) == 10
    every_key = set().union(*members.values())
    assert _listed(client, "key=any") == every_key
    assert len(_listed(client, "")) == 118 > len(every_key)
    for number in (1, 3, 10):
        assert _listed(client, f"key={number}") == members[number]
    overdue = _listed(client, "status=overdue")
    assert _listed(client, "key=any&status=overdue") == overdue & every_key
    for bad in ("11", "0", "x", "１", "²", "any,1"):
        assert client.get("/plans/2023/progress", query_string={"key": bad}).status_code == 400
    page = client.get("/plans/2023/progress?key=any").get_data(as_text=True)
    assert '<option value="any" selected>' in page  # the form says what is shown
    badges = re.findall(r'href="/plans/2023/key-projects/(\d+)"[^>]*>重点\d+</a>', page)
    assert len(badges) == len(every_key)


def _row_states(html: str) -> dict[str, str]:
    """Each table row's specific project and the status its row shows."""
    found = {}
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        ref = re.search(r'href="/plans/2023/projects/([0-9.]+)"', row)
        status = re.search(r'class="status status-([a-z_]+)"', row)
        if ref and status:
            found[ref[1]] = status[1]
    return found


@pytest.mark.parametrize(
    ("url", "how_many"),
    [
        ("/plans/2023/projects/", 118),
        ("/plans/2023/categories/5", None),
        ("/plans/2023/key-projects/1", None),
        (
            "/plans/2023/units/%E5%B8%82%E4%BD%8F%E6%88%BF%E5%9F%8E%E4%B9%A1%E5%BB%BA%E8%AE%BE%E5%B1%80",
            None,
        ),
    ],
)
def test_every_list_of_projects_shows_each_ones_status_as_the_dashboard_does(
    client: FlaskClient, url: str, how_many: int | None
) -> None:
    dashboard = _row_states(client.get("/plans/2023/progress").get_data(as_text=True))
    assert len(dashboard) == 118
    html = client.get(url).get_data(as_text=True)
    listed = set(re.findall(r'<th scope="row"><a href="/plans/2023/projects/([0-9.]+)"', html))
    shown = _row_states(html)
    assert listed and set(shown) == listed  # every project listed has its status
    assert how_many is None or len(shown) == how_many
    assert all(shown[ref] == dashboard[ref] for ref in shown)
    assert html.count("<progress ") >= len(shown)  # and its completion


def test_the_home_page_leads_with_the_plans_state(client: FlaskClient) -> None:
    """Completion, projects by status and the mid-year checkpoint, as of today, before
    anything else: what a resident or a deputy opens the site to know."""
    home = client.get("/").get_data(as_text=True)
    dashboard = client.get("/plans/2023/progress").get_data(as_text=True)
    assert status_counts(home) == status_counts(dashboard)
    assert sum(status_counts(home)) == 118
    overall = re.compile(r'class="progress-summary">.*?<span class="bar-value">(\d+%)</span>', re.S)
    assert overall.search(home)[1] == overall.search(dashboard)[1]  # type: ignore[index]
    assert "截至" in home and "个具体项目在6月及以前的报告中完成了全年任务的60%以上" in home
    assert home.index('class="progress-summary"') < home.index('id="take-part"')


def test_the_key_projects_board_shows_each_ones_completion_and_statuses(
    client: FlaskClient, plan_spec: PlanSpec
) -> None:
    """One screen for a deputy: each of the ten, how far along, how many projects in which
    state — the same figures as its own page and the dashboard's rows."""
    board = client.get("/plans/2023/key-projects/").get_data(as_text=True)
    dashboard = _row_states(client.get("/plans/2023/progress").get_data(as_text=True))
    sections = re.findall(r'<section class="key-summary"(.*?)</section>', board, re.S)
    assert len(sections) == 10
    for spec, section in zip(plan_spec.key_projects, sections, strict=True):
        assert f"{spec.number}. " in section
        badges = re.findall(r'class="status status-([a-z_]+)">[^<]*</span> (\d+)', section)
        expected: dict[str, int] = {}
        for ref in spec.projects:
            expected[dashboard[ref]] = expected.get(dashboard[ref], 0) + 1
        assert {s: int(n) for s, n in badges} == expected
        page = client.get(f"/plans/2023/key-projects/{spec.number}").get_data(as_text=True)
        share = re.compile(
            r'class="progress-summary">.*?<span class="bar-value">(\d+%)</span>', re.S
        )
        assert share.search(section)[1] == share.search(page)[1]  # type: ignore[index]


def _findings(html: str) -> dict[str, tuple[str, str, set[str]]]:
    """Each finding the supervision page lists: (its state, its unit, its projects)."""
    found = {}
    for li in re.findall(r'<li><a href="/plans/2023/findings/([0-9a-f-]+)">(.*?)</li>', html, re.S):
        finding, body = li
        state = re.search(r'finding-state state-([a-z_]+)"', body)
        unit = re.search(r'<span class="meta">(.*?) · ', body, re.S)
        assert state and unit
        refs = set(re.findall(r'href="/plans/2023/projects/([0-9.]+)"', body))
        found[finding] = (state[1], unit[1].strip(), refs)
    return found


def test_supervision_findings_filter_by_state_unit_and_key_project(
    client: FlaskClient, plan_spec: PlanSpec
) -> None:
    every = _findings(client.get("/plans/2023/supervision").get_data(as_text=True))
    assert len({state for state, _, _ in every.values()}) >= 2  # open and closed ones
    page = client.get("/plans/2023/supervision?state=open").get_data(as_text=True)
    assert set(_findings(page)) == {f for f, (state, _, _) in every.items() if state != "closed"}
    closed = _findings(client.get("/plans/2023/supervision?state=closed").get_data(as_text=True))
    assert set(closed) == {f for f, (state, _, _) in every.items() if state == "closed"}
    unit = next(iter(every.values()))[1]
    mine = _findings(
        client.get("/plans/2023/supervision", query_string={"unit": unit}).data.decode()
    )
    assert mine and set(mine) == {f for f, (_, u, _) in every.items() if u == unit}
    for spec in plan_spec.key_projects:
        url = f"/plans/2023/supervision?key={spec.number}&state=open"
        shown = _findings(client.get(url).get_data(as_text=True))
        assert set(shown) == {
            f
            for f, (state, _, refs) in every.items()
            if state != "closed" and refs & set(spec.projects)
        }
    for bad in ("state=maybe", "unit=nobody", "key=11", "key=x"):
        assert client.get(f"/plans/2023/supervision?{bad}").status_code == 400


def test_a_key_project_page_lists_its_open_findings(
    client: FlaskClient, plan_spec: PlanSpec
) -> None:
    """What a deputy asks of a key project: which problems found by supervision are still open."""
    seen = 0
    for spec in plan_spec.key_projects:
        page = client.get(f"/plans/2023/key-projects/{spec.number}").get_data(as_text=True)
        url = f"/plans/2023/supervision?key={spec.number}&state=open"
        expected = set(_findings(client.get(url).get_data(as_text=True)))
        listed = _findings(page.split('id="open-findings"')[1].split("<h2")[0])
        assert set(listed) == expected
        assert all(state != "closed" for state, _, _ in listed.values())
        seen += len(listed)
    assert seen > 0  # the simulated year leaves some open


def test_changes_between_two_days(client: FlaskClient) -> None:
    html = client.get("/plans/2023/projects/9.1/changes?from=2023-06-30&to=2023-11-30").get_data(
        as_text=True
    )
    assert "期间记录" in html and 'class="changed"' in html
    assert (
        client.get("/plans/2023/projects/9.1/changes?from=2023-12-01&to=2023-06-01").status_code
        == 400
    )
    assert client.get("/plans/2023/projects/9.1/changes?from=junk").status_code == 400


def test_changes_default_to_the_range_of_the_last_report(
    client: FlaskClient, year_app: Flask
) -> None:
    """Not 1 January of this year (years after the plan's): the day before the project's
    latest month's report, so the page shows what that report changed."""
    with year_app.extensions["minsheng"].engine.connect() as c:
        latest = c.execute(
            select(ProgressReport.period, ProgressReport.recorded_at)
            .where(ProgressReport.year == 2023, ProgressReport.item == 9)
            .order_by(ProgressReport.period.desc(), ProgressReport.recorded_at)
            .limit(1)
        ).one()
    recorded = latest.recorded_at.astimezone(WUXI).date()
    first = min(recorded, datetime.strptime(latest.period, "%Y-%m").date())
    html = client.get("/plans/2023/projects/9.1/changes").get_data(as_text=True)
    assert f'name="from" value="{(first - timedelta(days=1)).isoformat()}"' in html
    assert "期间记录（0条）" not in html and 'class="changed"' in html


@pytest.mark.parametrize("as_of", ["2099-01-01", "1999-12-31", "30/06/2023", "2023-02-30"])
def test_bad_days_are_a_clear_400(client: FlaskClient, as_of: str) -> None:
    assert client.get(f"/plans/2023/progress?as_of={as_of}").status_code == 400


def test_the_method_page_publishes_the_expected_curve(client: FlaskClient) -> None:
    html = client.get("/plans/2023/method").get_data(as_text=True)
    assert '<td data-label="6月末">60%</td>' in html and '<td data-label="11月末">100%</td>' in html


def test_each_timeline_entry_links_its_permanent_page(client: FlaskClient) -> None:
    import re

    html = client.get("/plans/2023/items/9").get_data(as_text=True)
    links = re.findall(r'href="(/events/[0-9a-f-]{36})">永久链接</a>', html)
    assert len(links) >= 9  # a report a month at least
    event = client.get(links[0]).get_data(as_text=True)
    assert "第9项" in event and "在公开记录链中的位置" in event


def test_a_key_project_page_shows_its_four_ones_record(
    client: FlaskClient, year_app: Flask, plan_spec: PlanSpec
) -> None:
    """Per kind of the People's Congress "四个一": the periods held, counted from the visits
    on the key project's projects (or on the whole plan), each period marked."""
    services = year_app.extensions["minsheng"]
    with services.read() as c:
        visits = c.execute(select(SupervisionVisit.__table__)).all()
    months_per = {"monthly_contact": 1, "quarterly_inspection": 3, "half_year_report": 6,
                  "annual_review": 12}  # fmt: skip
    seen_held = 0
    for spec in plan_spec.key_projects:
        page = client.get(f"/plans/2023/key-projects/{spec.number}").get_data(as_text=True)
        record = page.split('id="four-ones"')[1].split("<h2")[0]
        rows = re.findall(r"已开展(\d+)期，应开展(\d+)期", record)
        expected = []
        for kind, months in months_per.items():
            held = {
                (v.held_on.month - 1) // months
                for v in visits
                if v.kind == kind and (not v.projects or set(v.projects) & set(spec.projects))
            }
            expected.append((str(len(held)), str(12 // months)))
            seen_held += len(held)
        assert rows == expected, spec.number
        assert record.count('class="period period-') == 12 + 4 + 2 + 1
    assert seen_held > 0  # the simulated year holds some


def test_the_progress_table_names_each_project_s_lead_unit(
    client: FlaskClient, plan_spec: PlanSpec
) -> None:
    """The unit named first on the item leads (牵头) and reports: the deputies' next question."""
    page = client.get("/plans/2023/progress").get_data(as_text=True)
    rows = re.findall(
        r'href="/plans/2023/projects/([\d.]+)">.*?<td data-label="牵头单位">'
        r'<a href="/plans/2023/units/([^"]+)">',
        page,
        flags=re.S,
    )
    leads = {p.number: item.units[0] for item in plan_spec.items for p in item.projects}
    assert len(rows) == 118
    assert {ref: unquote(unit) for ref, unit in rows} == leads
