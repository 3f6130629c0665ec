"""Every submission path at every hour of a Wuxi day, across month, quarter and year ends.

The clock is a dependency: the ledger's clock is moved hour by hour through
two Wuxi days that each cross an end (30 June → 1 July: month, quarter and
half year; 31 December → 1 January: the year), so that every hour of a Wuxi
day is tried once on each side of midnight in Wuxi and of midnight in UTC
(08:00 in Wuxi). Each path must accept what it should, and date it in Wuxi.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from domain.plan_spec import PlanSpec
from domain.wuxi import at_wuxi, business_date
from minsheng_site.services import Services
from projections.cases import case_queries as cq
from tests.conftest import BACKENDS, make_app
from tests.ratings.test_rating_web import verify
from tests.stores import PLAN, Templates
from tests.web.staff_helpers import PASSWORD, add_staff, csrf, sign_in

TOKEN = "intake-token"
PROJECT = "/plans/2023/projects/9.1"
RELAXED = {
    "INTAKE_API_TOKEN": TOKEN,
    "DEV_OUTBOX": True,
    "CASE_LIMIT_PER_ADDRESS": "10000 per hour",
    "CASE_LIMIT_PER_PHONE": "10000 per day",
    "RATING_LIMIT_PER_ADDRESS": "10000 per hour",
    "RATING_LIMIT_PER_VOTER": "10000 per hour",
}


def _hours(first: date) -> list[datetime]:
    """Noon of `first` to 11:00 of the next day, Wuxi time: 24 hours, each o'clock once."""
    start = at_wuxi(first, 12, 30)
    return [start + timedelta(hours=h) for h in range(24)]


SWEEPS = {
    "half-year": (_hours(date(2023, 6, 30)), "2023-06"),
    "year": (_hours(date(2023, 12, 31)), "2023-11"),
}
INSTANTS = [(sweep, when) for sweep, (hours, _) in SWEEPS.items() for when in hours]


class StoppedClock:
    """Gives instants in UTC, as the system clock does (a Wuxi-aware instant would hide
    exactly the mistake this module is for: its .date() is already Wuxi's)."""

    def __init__(self) -> None:
        self.now = at_wuxi(date(2023, 6, 30), 9)

    def __call__(self) -> datetime:
        return self.now.astimezone(UTC)


@pytest.fixture(scope="module", params=BACKENDS)
def site(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    plan_spec: PlanSpec,
    store_templates: Templates,
) -> Iterator[tuple[Flask, StoppedClock, dict[str, Any]]]:
    folder = tmp_path_factory.mktemp("wuxi-day")
    clock = StoppedClock()
    app = make_app(
        store_templates.copy(PLAN, request.param, request, folder), folder, clock, **RELAXED
    )
    services: Services = app.extensions["minsheng"]
    add_staff(app, "gov.chen", ("admin", "市政府办公室"))
    # one item, and its lead unit's reporter, for each hour tried
    items = [i for i in plan_spec.items if i.number != 9][: len(INSTANTS)]
    reporters = {}
    for n, unit in enumerate(sorted({i.units[0] for i in items})):
        reporters[unit] = f"rep.{n:02d}"
        add_staff(app, reporters[unit], ("reporter", unit))
    services.caught_up()
    rater = app.test_client()
    verify(rater, next_page=PROJECT)
    yield app, clock, {"items": items, "reporters": reporters, "rater": rater}
    services.close()


def _row_of(app: Flask, number: str) -> Any:
    with app.extensions["minsheng"].read() as c:
        return cq.case(c, number)


def _newest_number(app: Flask) -> str:
    with app.extensions["minsheng"].read() as c:
        rows = cq.all_rows(c, None)
    return max(rows, key=lambda r: r.submitted_at).number


@pytest.mark.slow
@pytest.mark.parametrize(("sweep", "when"), INSTANTS, ids=lambda v: str(v)[:16])
def test_each_path_at_this_hour(
    site: tuple[Flask, StoppedClock, dict[str, Any]], sweep: str, when: datetime
) -> None:
    app, clock, fixtures = site
    clock.now = when
    day = business_date(when)
    client = app.test_client()

    # the citizen's form
    response = client.post(
        "/cases/new",
        data={
            "csrf_token": csrf(client, "/cases/new"),
            "title": "路灯不亮",
            "category": "城市管理",
            "district": "梁溪区",
            "content": f"{when.isoformat()} 小区门口路灯不亮。",
            "name": "夜里的市民",
            "phone": "13900001111",
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)[-400:]
    row = _row_of(app, _newest_number(app))
    assert (row.received_on, row.year, row.number[:4]) == (day, day.year, str(day.year))

    # the intake API: today in Wuxi is accepted, Wuxi's tomorrow is not
    ticket = {
        "external_id": f"api-{when.isoformat()}",
        "received_on": day.isoformat(),
        "category": "城市管理",
        "district": "梁溪区",
        "title": "路灯不亮",
        "content": "小区门口路灯不亮。",
        "name": "来电人",
        "phone": "13900002222",
    }
    auth = {"Authorization": f"Bearer {TOKEN}"}
    answer = client.post("/api/v1/cases", json=ticket, headers=auth)
    assert answer.status_code == 201, answer.get_json()
    assert _row_of(app, answer.get_json()["number"]).received_on == day
    tomorrow = {**ticket, "external_id": f"t-{when}", "received_on": str(day + timedelta(1))}
    assert client.post("/api/v1/cases", json=tomorrow, headers=auth).status_code == 422

    # the task force's hotline entry
    staff = app.test_client()
    assert sign_in(staff, "gov.chen", PASSWORD) == 303
    response = staff.post(
        "/staff/cases/new",
        data={
            "csrf_token": csrf(staff, "/staff/cases/new"),
            "received_on": day.isoformat(),
            "external_id": f"hl-{when.isoformat()}",
            "title": "噪音扰民",
            "category": "环境保护",
            "district": "新吴区",
            "content": "夜间施工噪音扰民，影响休息。",
            "name": "来电人",
            "phone": "0510-85551234",
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)[-400:]

    # a verified citizen's rating counts in Wuxi's quarter
    rater: FlaskClient = fixtures["rater"]
    response = rater.post(
        PROJECT + "/rate", data={"csrf_token": csrf(rater, PROJECT), "level": "basically"}
    )
    assert response.status_code == 303
    quarter = f"{day.year}Q{(day.month - 1) // 3 + 1}"
    assert f"您本季度（{quarter}）已评价" in rater.get(PROJECT).get_data(as_text=True)

    # a lead unit's monthly report, late by Wuxi's calendar days
    item = fixtures["items"][INSTANTS.index((sweep, when))]
    reporter = app.test_client()
    assert sign_in(reporter, fixtures["reporters"][item.units[0]], PASSWORD) == 303
    url = f"/staff/plans/2023/items/{item.number}/report"
    page = reporter.get(url).get_data(as_text=True)
    period = SWEEPS[sweep][1]
    data = {
        "csrf_token": csrf(reporter, url),
        "period": period,
        "narrative": "按计划推进",
        "evidence": "",
        **{name: "1" for name in re.findall(r'name="(amount-[^"]+)"', page)},
        **dict(re.findall(r'name="(expected_version)"[^>]*value="(\d+)"', page)),
    }
    response = reporter.post(url, data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[-600:]
    last_day = date.fromisoformat(period + "-01").replace(day=28)
    while (last_day + timedelta(1)).month == last_day.month:
        last_day += timedelta(1)
    late = (day - last_day).days
    public = app.test_client().get(f"/plans/2023/items/{item.number}").get_data(as_text=True)
    assert (f"迟报{late}天" in public) == (late > 0)
