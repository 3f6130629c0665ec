"""The simulated year's amendments (labelled everywhere) and `flask plan amend FILE`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import feedparser
import pytest
from flask import Flask

from application.simulated_amendments import write_simulated_amendments
from minsheng_site.services import Services
from projections.plans import queries as q
from projections.plans.amendments import amendments
from projections.plans.progress_queries import plan_progress
from tests.clock import Clock
from tests.conftest import AppFactory


@pytest.fixture
def app(app_factory: AppFactory) -> Flask:
    return app_factory(clock=Clock("2023-12-01T10:00"), plan=True)


def test_the_simulated_amendments_are_labelled_and_written_once(app: Flask) -> None:
    services: Services = app.extensions["minsheng"]
    written = write_simulated_amendments(services.ledger)
    assert [(a.kind, a.project or a.item) for a in written] == [
        ("target", "9.1"),
        ("units", 9),
        ("target", "8.3"),
    ]
    assert write_simulated_amendments(services.ledger) == []  # nothing twice
    services.caught_up()
    with services.read() as c:
        rows = amendments(c, 2023)
        assert all(a.simulated for a in rows)
        assert rows[0].recorded_at.isoformat().startswith("2023-08-10T02:")  # 10:xx Wuxi
        plan = q.plan(c, 2023)
        assert plan is not None
        # 8.3's target changes on 2023-10-01 (its effective day), not when recorded.
        sept = {p.project.ref: p for p in plan_progress(c, plan, date(2023, 9, 30)).projects}
        octo = {p.project.ref: p for p in plan_progress(c, plan, date(2023, 10, 1)).projects}
    assert sept["8.3"].project.targets[0].amount == 800
    assert octo["8.3"].project.targets[0].amount == 900
    assert sept["9.1"].project.targets[0].amount == 260
    client = app.test_client()
    feed = feedparser.parse(client.get("/feeds/plans/2023/amendments.atom").data)
    assert len(feed.entries) == 3
    assert all(e.title.startswith("【模拟】修改") for e in feed.entries)
    page = client.get("/plans/2023/amendments").get_data(as_text=True)
    assert page.count('class="badge simulated"') == 3


AMENDMENTS = """
year: 2023
amendments:
  - kind: target
    project: "9.1"
    target: 1
    amount: "250"
    basis: {number: 锡政办发〔2023〕40号, date: 2023-08-01}
    reason: 部分小区意见未统一
  - kind: project_added
    item: 9
    title: 加装电梯试点
    targets: [{label: 试点电梯, amount: "20", unit: 台}]
    basis: {number: 锡政办发〔2023〕40号, date: 2023-08-01}
    reason: 新增试点
  - kind: project_withdrawn
    project: "77.1"
    basis: {number: 锡政办发〔2023〕41号, date: 2023-08-02}
    reason: 不存在的项目
"""


def test_plan_amend_records_a_file_in_order_and_stops_at_a_refusal(
    app: Flask, tmp_path: Path
) -> None:
    path = tmp_path / "amendments.yaml"
    path.write_text(AMENDMENTS, encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["plan", "amend", str(path), "--actor", "staff:gov.chen"])
    assert result.exit_code == 1
    assert "amendment 1 (target) recorded" in result.output
    assert "amendment 2 (project_added) recorded" in result.output
    assert "amendment 3 refused: project: no_such_project" in result.output
    services: Services = app.extensions["minsheng"]
    assert [a.project for a in services.ledger.plan_amendments(2023)] == ["9.1", "9.2"]
    broken = tmp_path / "broken.yaml"
    broken.write_text("year: 2023\namendments:\n  - kind: target\n", encoding="utf-8")
    result = runner.invoke(args=["plan", "amend", str(broken), "--actor", "staff:gov.chen"])
    assert result.exit_code == 1 and "amendment 1" in result.output
