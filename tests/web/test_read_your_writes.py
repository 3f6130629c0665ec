"""Read-your-writes in one place: a request that wrote is projected before it is answered.

Views do not catch the read models up themselves: the ledger tells the
request's unit of work what it wrote, a read in the same request or the end
of the request catches up, and trouble doing so is a flash on the next page,
never a 500.
"""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from sqlalchemy import select

from application.case_commands import Intake
from minsheng_site.services import Services
from projections.staff.staff import StaffRow
from tests.clock import Clock
from tests.conftest import AppFactory
from tests.projections.test_stuck_projection import with_fussy
from tests.web.staff_helpers import add_staff, post_form, sign_in

HOTLINE = {
    "received_on": "2023-09-04",
    "title": "来电反映噪音",
    "category": "环境保护",
    "district": "滨湖区",
    "content": "夜间施工噪音很大，影响休息。",
    "name": "来电人",
    "phone": "13800138000",
}


@pytest.fixture
def app(app_factory: AppFactory) -> Flask:
    created = app_factory(clock=Clock("2023-09-04T09:00"), plan=True)
    add_staff(created, "gov.chen", ("admin", "市政府办公室"))
    return created


def _at_head(services: Services) -> bool:
    head = services.ledger.recorder.max_notification_id() or 0
    return min(services.projector.positions().values()) >= head


def test_a_staff_write_the_read_models_cannot_follow_is_answered_with_the_lag_flash(
    app: Flask,
) -> None:
    with_fussy(app.extensions["minsheng"])  # cannot apply Case.Submitted
    client = app.test_client()
    assert sign_in(client, "gov.chen") == 303
    status, location, _ = post_form(client, "/staff/cases/new", HOTLINE)
    assert status == 303, _[-400:]
    page = client.get(location).get_data(as_text=True)
    assert "已登记为" in page  # the receipt is there
    assert "页面可能稍有延迟" in page


def test_a_get_that_records_a_reading_does_not_wait_but_the_access_log_shows_it(
    app: Flask,
) -> None:
    services: Services = app.extensions["minsheng"]
    case_id = services.ledger.submit_case(
        Intake(
            year=2023,
            channel="online",
            category="城市管理",
            district="梁溪区",
            title="路灯不亮",
            content="路灯不亮已经两周了。",
            name="读者",
            phone="13711112222",
            consent=False,
            received_on=date(2023, 9, 1),
        ),
        "citizen",
    ).case_id
    services.caught_up()
    client = app.test_client()
    assert sign_in(client, "gov.chen") == 303
    # the task force opening the case records the reading (the PIPL access log); the page
    # does not wait for ten read models to catch up with that record
    assert client.get(f"/staff/cases/{case_id}").status_code == 200
    assert not _at_head(services)
    log = client.get("/staff/cases/access-log").get_data(as_text=True)
    assert "gov.chen" in log.split("<tbody>")[1]


def test_writes_outside_a_request_are_caught_up_only_when_asked(app: Flask) -> None:
    """CLI commands, tests and the worker decide for themselves when to catch up."""
    services: Services = app.extensions["minsheng"]
    services.ledger.open_account("zjj.li", "李工", "cli:test")
    with services.read() as c:
        assert "zjj.li" not in set(c.execute(select(StaffRow.username)).scalars())
    assert services.caught_up() and _at_head(services)
