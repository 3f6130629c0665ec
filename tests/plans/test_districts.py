"""Reports broken down by district, through the staff form, onto the project and district
pages, the open data and the progress read model, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from domain.districts import DISTRICTS, DistrictAmount
from domain.plan_spec import PlanSpec
from domain.progress import ProjectValues
from minsheng_site.services import Services
from projections.plans import queries as q
from projections.plans.district_queries import district_view, project_districts
from projections.plans.progress import ProgressReport
from projections.plans.progress_queries import plan_progress
from tests.clock import Clock
from tests.conftest import BACKENDS, AppFactory, simulated_site
from tests.web.staff_helpers import add_staff, post_form, sign_in

HOUSING = "市住房城乡建设局"  # leads item 9: 9.1 加装电梯, 各市(县)区 through key project 1
REPORT_9 = "/staff/plans/2023/items/9/report"
SPLIT_186 = ("40", "25", "22", "20", "18", "6", "35", "20")  # adds up to 186


def split_fields(amounts: tuple[str, ...], ref: str = "9.1", target: int = 0) -> dict[str, str]:
    return {f"district-{ref}-{target}-{k}": a for k, a in enumerate(amounts)}


@pytest.fixture
def app(app_factory: AppFactory) -> Flask:
    created = app_factory(clock=Clock("2023-07-05T10:00"), plan=True)
    add_staff(created, "zjj.li", ("reporter", HOUSING))
    add_staff(created, "sthj.he", ("reporter", "市生态环境局"))
    return created


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def events(app: Flask) -> int:
    return app.extensions["minsheng"].ledger.recorder.max_notification_id()


def test_the_form_asks_each_district_of_a_project_of_every_district_and_no_other_form_does(
    client: FlaskClient,
) -> None:
    sign_in(client, "zjj.li")
    html = client.get(REPORT_9).get_data(as_text=True)
    for k, district in enumerate(DISTRICTS):
        assert f'name="district-9.1-0-{k}"' in html
        assert f'for="district-9.1-0-{k}">{district}</label>' in html
    assert "按市(县)区分解" in html
    sign_in(client, "sthj.he")
    sewage = client.get("/staff/plans/2023/items/6/report").get_data(as_text=True)
    assert "amount-6.1-0" in sewage and "district-" not in sewage


def test_a_breakdown_reaches_the_project_page_its_chart_and_every_districts_page(
    client: FlaskClient,
) -> None:
    sign_in(client, "zjj.li")
    status, _, _ = post_form(
        client, REPORT_9, {"period": "2023-06", "amount-9.1-0": "186", **split_fields(SPLIT_186)}
    )
    assert status == 303
    page = client.get("/plans/2023/projects/9.1").get_data(as_text=True)
    table = page.split('<table class="districts">')[1].split("</table>")[0]
    rows = re.findall(r'<th scope="row"><a href="[^"]+">(.+?)</a></th>\s*<td>([\d.]+)</td>', table)
    assert rows == list(zip(DISTRICTS, SPLIT_186, strict=True))
    assert "按2023-06的报告，全市累计186台" in table
    assert 'src="/plans/2023/projects/9.1/districts.svg?target=0"' in page
    chart = client.get("/plans/2023/projects/9.1/districts.svg?target=0")
    assert chart.mimetype == "image/svg+xml" and "宜兴市".encode() in chart.data
    assert "script-src" not in chart.headers["Content-Security-Policy"]
    record = page.split('<ol class="timeline">')[1]
    assert "（按市(县)区：梁溪区 40、锡山区 25" in record
    liangxi = client.get("/plans/2023/districts/梁溪区").get_data(as_text=True)
    row = liangxi.split("9.1 既有住宅加装电梯")[1].split("</tr>")[0]
    assert "<strong>40</strong>台" in row and "全市186，2023-06报告" in row
    assert "重点项目1的责任单位" in row and "各市(县)区" in row


YIXING = "district-9.1-0-7"  # the last district's field


@pytest.mark.parametrize(
    "last, field, message",
    [
        ("19", "amount-9.1-0", "各市(县)区合计为185，与累计完成数186不一致。"),
        ("", YIXING, "请填写宜兴市的累计数（没有的填0）：分解须填全各市(县)区。"),
        ("-20", YIXING, "不能为负数。"),
        ("二十", YIXING, "请填写数字，例如 120 或 3.5。"),
    ],
)
def test_a_wrong_breakdown_is_refused_clearly_and_keeps_what_was_typed(
    client: FlaskClient, app: Flask, last: str, field: str, message: str
) -> None:
    amounts = (*SPLIT_186[:7], last)  # 宜兴市's: 20 adds up to 186
    sign_in(client, "zjj.li")
    before = events(app)
    status, _, html = post_form(
        client, REPORT_9, {"period": "2023-06", "amount-9.1-0": "186", **split_fields(amounts)}
    )
    assert status == 409 and events(app) == before
    assert f'<p class="error" id="{field}-error">{message}</p>' in html
    assert f'<a href="#{field}">' in html.split('role="alert"')[1].split("</ul>")[0]
    for k, typed in enumerate(amounts):
        assert value_of(html, f"district-9.1-0-{k}") == typed
    assert value_of(html, "amount-9.1-0") == "186"


def value_of(html: str, name: str) -> str:
    """What the form's input `name` holds (its attributes in any order)."""
    tag = re.search(rf'<input [^>]*name="{re.escape(name)}"[^>]*>', html)
    assert tag, name
    found = re.search(r'value="([^"]*)"', tag[0])
    return found[1] if found else ""


def test_a_total_that_is_not_a_number_is_shown_again_as_typed(client: FlaskClient) -> None:
    sign_in(client, "zjj.li")
    status, _, html = post_form(client, REPORT_9, {"period": "2023-06", "amount-9.1-0": "一百八十"})
    assert status == 409 and "请填写数字" in html
    assert value_of(html, "amount-9.1-0") == "一百八十"


def test_a_district_cannot_report_less_than_it_did_a_month_before(client: FlaskClient) -> None:
    sign_in(client, "zjj.li")
    may = ("30", "20", "20", "15", "15", "5", "30", "15")
    post_form(client, REPORT_9, {"period": "2023-05", "amount-9.1-0": "150", **split_fields(may)})
    fewer = ("25", "25", "22", "20", "18", "11", "45", "20")  # 186 in all, 梁溪区 down to 25
    status, _, html = post_form(
        client, REPORT_9, {"period": "2023-06", "amount-9.1-0": "186", **split_fields(fewer)}
    )
    assert status == 409
    assert "累计数25小于2023-05已报告的30" in html


def test_a_correction_starts_from_the_breakdown_and_may_change_it_alone(
    client: FlaskClient,
) -> None:
    sign_in(client, "zjj.li")
    _, location, _ = post_form(
        client, REPORT_9, {"period": "2023-06", "amount-9.1-0": "186", **split_fields(SPLIT_186)}
    )
    url = f"/staff/plans/2023/items/9/reports/{location.split('#report-')[1]}/correct"
    form = client.get(url).get_data(as_text=True)
    assert value_of(form, "district-9.1-0-0") == "40"
    swapped = ("25", "40", *SPLIT_186[2:])
    status, _, _ = post_form(
        client,
        url,
        {"amount-9.1-0": "186", "reason": "梁溪区与锡山区填反", **split_fields(swapped)},
    )
    assert status == 303
    xishan = client.get("/plans/2023/districts/锡山区").get_data(as_text=True)
    assert "<strong>40</strong>台" in xishan.split("9.1 既有住宅加装电梯")[1].split("</tr>")[0]
    history = client.get("/api/v1/plans/2023/projects/9.1/history").get_json()
    first, correction = history["reports"]
    assert first["districts"][0] == {"target": 0, "district": "梁溪区", "amount": "40"}
    assert correction["districts"][0]["amount"] == "25" and correction["corrects"]


def test_the_districts_pages_list_what_each_takes_part_in(client: FlaskClient) -> None:
    index = client.get("/plans/2023/districts/").get_data(as_text=True)
    for district in DISTRICTS:
        assert f'href="/plans/2023/districts/{quote(district)}"' in index
    liangxi = client.get("/plans/2023/districts/梁溪区").get_data(as_text=True)
    listed = set(re.findall(r'<th scope="row"><a href="/plans/2023/projects/([\d.]+)"', liangxi))
    assert {"1.1", "8.1", "9.1", "11.1", "17.1", "46.1", "47.1"} <= listed  # 各市(县)区
    assert {"2.2", "4.1", "55.2"} <= listed  # the item names 梁溪区
    assert {"51.1", "54.1"} <= listed  # key project 2 names it
    assert "3.1" not in listed and "20.1" not in listed  # 宜兴市, 滨湖区 / no 梁溪区
    assert "尚未分解" in liangxi and "诉求" in liangxi and "满意度" in liangxi
    assert f"/cases/?district={quote('梁溪区')}&amp;year=2023" in liangxi
    yixing = client.get("/plans/2023/districts/宜兴市").get_data(as_text=True)
    assert "/plans/2023/projects/3.1" in yixing and "/plans/2023/projects/20.1" in yixing
    assert client.get("/plans/2023/districts/浦东新区").status_code == 404
    assert client.get("/plans/2023/districts/梁溪区?as_of=bogus").status_code == 400


def test_a_districts_unit_page_and_the_plans_home_lead_to_its_district_page(
    client: FlaskClient,
) -> None:
    unit = client.get("/plans/2023/units/无锡经开区").get_data(as_text=True)
    assert f'href="/plans/2023/districts/{quote("经开区")}"' in unit
    assert "/plans/2023/districts/" not in client.get("/plans/2023/units/市水利局").get_data(
        as_text=True
    )
    home = client.get("/").get_data(as_text=True)
    assert home.count('href="/plans/2023/districts/') == len(DISTRICTS)


def test_a_district_page_shows_its_cases_and_its_satisfaction(
    app: Flask, client: FlaskClient
) -> None:
    page = client.get("/plans/2023/districts/滨湖区").get_data(as_text=True)
    cases = page.split('id="district-cases"')[1].split("</section>")[0]
    assert "<strong>0</strong> 件收到" in cases
    assert "还没有评价。" in page.split('id="district-satisfaction"')[1]


# The read model ---------------------------------------------------------------------------

UNIT_8 = "市委政法委"  # leads item 8: 8.1 老旧小区改造 (万平方米), 8.2 (个 and three rates), 8.3


def old_towns(total: str) -> tuple[ProjectValues, ...]:
    return (
        ProjectValues("8.1", (Decimal(total),), (False, False)),
        ProjectValues("8.2", tuple(Decimal(a) for a in ("20", "90", "95", "100")), ()),
        ProjectValues("8.3", (Decimal("100"),), ()),
    )


def shares(amounts: tuple[str, ...]) -> tuple[DistrictAmount, ...]:
    return tuple(
        DistrictAmount("8.1", 0, d, Decimal(a)) for d, a in zip(DISTRICTS, amounts, strict=True)
    )


@pytest.fixture
def reported(services: Services, plan_spec: PlanSpec) -> Services:
    """Item 8 over three months: broken down, not broken down, then corrected with another."""
    services.ledger.register_plan(plan_spec, "system:test")
    clock = Clock("2023-04-28T10:00")
    services.ledger.clock = clock
    file = services.ledger.report_progress
    kw = {"year": 2023, "item": 8, "unit": UNIT_8, "narrative": "", "evidence": ()}
    april = ("20", "10", "10", "10", "5", "5", "12", "8")
    file(period="2023-04", values=old_towns("80"), actor="s", districts=shares(april), **kw)
    clock.set("2023-05-30T10:00")
    may = file(period="2023-05", values=old_towns("120"), actor="s", **kw)
    clock.set("2023-06-02T10:00")
    services.caught_up()  # one catch-up before the correction: the rest comes incrementally
    june = ("30", "15", "15", "15", "10", "5", "20", "20")
    services.ledger.correct_report(
        corrects=may.id,
        reason="补报分区数",
        values=old_towns("130"),
        actor="s",
        districts=shares(june),
        **kw,
    )
    services.caught_up()
    return services


def rows(services: Services) -> list[tuple[object, ...]]:
    table = ProgressReport.__table__
    with services.engine.connect() as c:
        found = c.execute(
            select(
                table.c.report_id, table.c.period, table.c["values"], table.c.districts
            ).order_by(table.c.event_id)
        )
        return [tuple(r) for r in found]


def test_the_progress_read_model_rebuilt_from_the_log_equals_the_incremental_one(
    reported: Services,
) -> None:
    before = rows(reported)
    assert [len(d) for *_, d in before] == [8, 0, 8]  # type: ignore[arg-type]
    assert reported.projector.rebuild(["progress"]) > 0
    assert rows(reported) == before


def test_a_districts_figures_are_those_of_the_latest_month_that_broke_them_down(
    reported: Services,
) -> None:
    with reported.read() as c:
        plan = q.plan(c, 2023)
        assert plan is not None
        items, keys = q.items(c, 2023), q.key_projects(c, 2023)
        for day, liangxi, total, period in (
            ("2023-05-31", Decimal(20), Decimal(80), "2023-04"),  # May's report has none
            ("2023-06-02", Decimal(30), Decimal(130), "2023-05"),  # its correction has
        ):
            view = district_view(
                "梁溪区", items, keys, plan_progress(c, plan, date.fromisoformat(day))
            )
            [old_towns_8_1] = [p for p in view.projects if p.progress.project.ref == "8.1"]
            [breakdown] = old_towns_8_1.breakdowns
            assert (breakdown.of("梁溪区"), breakdown.total, str(breakdown.period)) == (
                liangxi,
                total,
                period,
            )


def test_district_pages_speak_each_language_and_keep_the_names_chinese(client: FlaskClient) -> None:
    client.get("/lang/en")
    english = client.get("/plans/2023/districts/梁溪区").get_data(as_text=True)
    assert '<h1><span lang="zh-Hans">梁溪区</span></h1>' in english
    assert "<title>梁溪区 · Districts · 2023" in english and "Projects it takes part in" in english
    client.get("/lang/zh_Hant")
    traditional = client.get("/plans/2023/districts/梁溪区").get_data(as_text=True)
    assert "<h1>梁溪區</h1>" in traditional


# The simulated year -----------------------------------------------------------------------


@pytest.fixture(scope="module", params=BACKENDS)
def year_app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    yield from simulated_site(request, tmp_path_factory)


def test_the_simulated_year_breaks_every_district_project_down_and_adds_it_up(
    year_app: Flask, plan_spec: PlanSpec
) -> None:
    services: Services = year_app.extensions["minsheng"]
    with services.read() as c:
        plan = q.plan(c, 2023)
        assert plan is not None
        progress = plan_progress(c, plan, date(2023, 12, 31))
        items, keys = q.items(c, 2023), q.key_projects(c, 2023)
        every = {ref for ref, scope in project_districts(items, keys).items() if scope == DISTRICTS}
        shown = district_view("惠山区", items, keys, progress)
    latest = {p.project.ref: p for p in progress.projects}
    broken_down = {p.progress.project.ref for p in shown.projects if p.breakdowns}
    assert broken_down == {ref for ref in every if latest[ref].targets}  # 47.1: milestones only
    for part in shown.projects:
        for b in part.breakdowns:
            assert sum(amount for _d, amount in b.shares) == b.total
            assert [d for d, _a in b.shares] == list(DISTRICTS)
            achieved = latest[part.progress.project.ref].targets[b.index].achieved
            assert b.total <= (achieved or 0)  # a later report may not break it down


def test_the_simulated_years_project_page_shows_its_districts(year_app: Flask) -> None:
    page = year_app.test_client().get("/plans/2023/projects/11.3").get_data(as_text=True)
    table = page.split('<table class="districts">')[1].split("</table>")[0]
    assert "梁溪区" in table and "宜兴市" in table
    assert re.search(r"江阴市</a></th>\s*<td>0(\.00)?</td>", table)  # 市区 only: the counties 0
