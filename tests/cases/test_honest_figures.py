"""Case figures that do not mislead (issue 14, part 4): the first evaluation's 满意率 and the
发回重办率 beside the final 满意率, recomputed here from the open data; one overdue count on
the board, in cases.csv, in the overdue feed and in the API, consent or not."""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from datetime import date
from decimal import Decimal

import feedparser
import pytest
from flask import Flask
from flask.testing import FlaskClient

from application.case_commands import CaseReceipt, Intake
from domain.cases import is_overdue
from domain.wuxi import business_date
from minsheng_site.services import Services
from tests.clock import Clock
from tests.conftest import AppFactory

CONTENT = ("satisfied", "basically")


@pytest.fixture
def app(app_factory: AppFactory) -> Flask:
    return app_factory(clock=Clock("2023-09-04T09:00"), plan=True)


@pytest.fixture
def services(app: Flask) -> Services:
    return app.extensions["minsheng"]


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def new_case(services: Services, n: int, consent: bool) -> CaseReceipt:
    return services.ledger.submit_case(
        Intake(
            year=2023,
            channel="online",
            category="城市管理",
            district="梁溪区",
            title=f"路灯不亮第{n}处",
            content=f"清扬路第{n}处路灯不亮已两周，请尽快修复。",
            name="王小明",
            phone=f"139000011{n:02d}",
            consent=consent,
            received_on=date(2023, 9, 4),
        ),
        "citizen",
    )


def assigned(services: Services, n: int, unit: str, days: int, consent: bool) -> CaseReceipt:
    receipt = new_case(services, n, consent)
    services.ledger.accept_case(receipt.case_id, "staff:gov")
    services.ledger.assign_case(receipt.case_id, "hotline", unit, [], days, "staff:gov")
    return receipt


def evaluated(services: Services, n: int, unit: str, levels: list[str]) -> CaseReceipt:
    """A case replied to and evaluated once per level (不满意 sends it back), closed at the
    end when the last level is content."""
    ledger = services.ledger
    receipt = assigned(services, n, unit, 5, consent=True)
    for level in levels:
        ledger.reply_case(receipt.case_id, "已安排维修。", unit, "staff:unit")
        reason = "灯还是不亮" if level == "unsatisfied" else ""
        ledger.evaluate_case(receipt.number, receipt.query_code, level, reason)
    if levels[-1] in CONTENT:
        ledger.close_case(receipt.case_id, "staff:gov")
    return receipt


def csv_rows(client: FlaskClient, url: str = "/open-data/cases.csv") -> list[dict[str, str]]:
    text = client.get(url).get_data().decode("utf-8-sig")  # a BOM, for spreadsheets
    return list(csv.DictReader(io.StringIO(text)))


def share(numerator: int, denominator: int) -> str:
    return f"{Decimal(numerator) / denominator * 100:.1f}%"


def test_the_first_evaluation_rate_and_the_sent_back_rate_stand_beside_the_final_one(
    services: Services, client: FlaskClient
) -> None:
    evaluated(services, 1, "市城管局", ["unsatisfied", "satisfied"])
    evaluated(services, 2, "市城管局", ["basically"])
    evaluated(services, 3, "市城管局", ["unsatisfied", "unsatisfied", "basically"])
    evaluated(services, 4, "市水利局", ["satisfied"])
    evaluated(services, 5, "市水利局", ["unsatisfied"])  # still being handled again
    assigned(services, 6, "市水利局", 5, consent=True)  # not evaluated: in no denominator
    services.caught_up()

    # Recomputed from the open data, case by case, for every unit and for all of them.
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in csv_rows(client):
        if not row["evaluation"]:
            continue
        for group in (row["lead_unit"], "all"):
            counts[group]["evaluated"] += 1
            counts[group]["first"] += row["first_evaluation"] in CONTENT
            counts[group]["final"] += row["evaluation"] in CONTENT
            counts[group]["sent_back"] += int(row["rehandled"]) > 0
    api = [client.get(f"/api/v1/cases/{r['number']}").get_json() for r in csv_rows(client)]
    assert sorted(c["first_evaluation"] or "" for c in api) == sorted(
        r["first_evaluation"] for r in csv_rows(client)
    )
    assert counts["市城管局"]["first"] < counts["市城管局"]["final"]  # the story the column hid

    page = client.get("/cases/stats?year=2023").text
    for unit in ("市城管局", "市水利局"):
        row = re.search(rf'<th scope="row">{unit}</th>(.*?)</tr>', page, re.S)
        assert row is not None
        cells = dict(re.findall(r'<td data-label="([^"]+)">(.*?)</td>', row[1], re.S))
        c = counts[unit]
        for name, key in (
            ("满意率（首次评价）", "first"),
            ("满意率（最终评价）", "final"),
            ("发回重办率", "sent_back"),
        ):
            expected = f'{share(c[key], c["evaluated"])} <span class="meta">（{c[key]} / '
            assert cells[name].startswith(expected + f"{c['evaluated']}）</span>"), (unit, name)
    every = counts["all"]
    formula = "满意率（首次评价）= 首次评价为满意或基本满意的件数 ÷ 已评价件数"
    first, total = every["first"], every["evaluated"]
    worked = f"{first:,} ÷ {total:,} = {share(first, total)}"
    assert f"{formula} = {worked}" in page
    sent_back = f"发回重办率 = 曾因“不满意”发回重办的件数 ÷ 已评价件数 = {every['sent_back']:,} ÷ "
    assert sent_back in page

    # The satisfaction API and CSV carry the first evaluation too, by unit.
    figures = client.get("/api/v1/plans/2023/satisfaction").get_json()
    for unit in ("市城管局", "市水利局"):
        at_first = figures["cases_first_evaluation"]["by_unit"][unit]
        at_last = figures["cases"]["by_unit"][unit]
        assert (at_first["satisfied"] + at_first["basically"], at_first["total"]) == (
            counts[unit]["first"],
            counts[unit]["evaluated"],
        )
        assert at_last["satisfied"] + at_last["basically"] == counts[unit]["final"]
    table = csv_rows(client, "/open-data/plans/2023/satisfaction.csv")
    by_unit = [r for r in table if r["dimension"] == "unit"]
    firsts = {r["key"]: r for r in by_unit if r["source"] == "cases_first"}
    assert int(firsts["市城管局"]["total"]) == counts["市城管局"]["evaluated"]
    satisfaction = client.get("/plans/2023/satisfaction").text
    assert f"{formula} = {every['first']:,} ÷ {every['evaluated']:,}" in satisfaction
    district = client.get("/plans/2023/districts/梁溪区").text  # every case here is 梁溪区's
    district = district.split('id="district-satisfaction"')[1]
    assert f"满意率（首次评价） {share(first, total)} = {first:,} ÷ {total:,}" in district
    final = every["final"]
    assert f"满意率（最终评价） {share(final, total)} = {final:,} ÷ {total:,}" in district


def test_overdue_counts_agree_on_the_board_in_the_csv_the_feed_and_the_api_consent_or_not(
    services: Services, client: FlaskClient
) -> None:
    late = [assigned(services, n, "市城管局", 1, consent=n % 2 == 0) for n in range(1, 6)]
    replied = assigned(services, 6, "市城管局", 1, consent=False)  # answered: not overdue
    services.ledger.reply_case(replied.case_id, "已修复。", "市城管局", "staff:unit")
    in_time = assigned(services, 7, "市水利局", 30, consent=False)
    clock = services.ledger.clock
    assert isinstance(clock, Clock)
    clock.set("2023-09-12T10:00")
    services.caught_up()

    today = business_date(clock())
    numbers = [r.number for r in [*late, replied, in_time]]
    expected = {n for n in numbers if is_overdue(services.ledger.case_by_number(n), today)}
    assert expected == {r.number for r in late}  # with and without consent

    board = client.get("/cases/?overdue=1").text
    counted = re.search(r"共(\d+)件", board)
    assert counted is not None
    on_board = set(re.findall(r'<a href="/cases/(2023-[A-Z0-9]+)">', board))

    in_csv = {r["number"] for r in csv_rows(client) if r["overdue"] == "True"}

    feed = feedparser.parse(client.get("/feeds/cases/overdue.atom").data)
    assert feed.bozo == 0
    in_feed = {e.link.rsplit("/", 1)[-1] for e in feed.entries}

    api = client.get("/api/v1/cases?overdue=1&limit=500").get_json()
    in_api = {c["number"] for c in api["cases"]}

    assert int(counted[1]) == len(feed.entries) == api["total"] == len(in_csv) == len(expected)
    assert on_board == in_csv == in_feed == in_api == expected


def test_a_case_without_consent_shows_its_unit_and_time_limit_but_never_its_words(
    services: Services, client: FlaskClient
) -> None:
    receipt = assigned(services, 1, "市城管局", 1, consent=False)
    clock = services.ledger.clock
    assert isinstance(clock, Clock)
    clock.set("2023-09-12T10:00")
    services.caught_up()
    page = client.get(f"/cases/{receipt.number}").text
    assert "市城管局" in page and "超期未办结" in page
    record = client.get(f"/api/v1/cases/{receipt.number}").get_json()
    assert (record["lead_unit"], record["overdue"]) == ("市城管局", True)
    assert record["deadline"] and "evaluation" not in record
    (georeport,) = client.get(f"/open311/v2/requests/{receipt.number}.json").get_json()
    assert georeport["agency_responsible"] == "市城管局" and georeport["description"] is None
    assert georeport["deadline"] == record["deadline"]
    for text in (page, client.get("/open-data/cases.csv").text, str(record), str(georeport)):
        assert "路灯不亮第1处" not in text and "清扬路" not in text and "王小明" not in text
