"""Next year's plan: registered from its file like 2023's, its projects linked to the
candidates they came from and to the projects they continue; a simulated plan (plans/2024)
is labelled as such everywhere and never stands for the city's current plan."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from application.plan_file import load_plan_file
from domain.errors import InvalidPlan
from domain.plan_codec import document_from_data, project_from_data, project_to_data
from domain.plan_spec import PlanSpec
from projections.plans import queries as q
from tests.conftest import AppFactory

PLAN_2024 = Path(__file__).resolve().parents[2] / "plans" / "2024" / "plan.yaml"
SIM = "sim:setup"


@pytest.fixture(scope="module")
def spec_2024() -> PlanSpec:
    return load_plan_file(PLAN_2024)


def ledger(app: Flask):  # type: ignore[no-untyped-def]
    return app.extensions["minsheng"].ledger


def test_the_2024_file_is_a_labelled_simulated_plan_with_origins(spec_2024: PlanSpec) -> None:
    assert spec_2024.document.simulated
    assert "模拟" in spec_2024.document.title and "模拟" in spec_2024.document.source_text
    by_ref = {p.number: p for p in spec_2024.projects}
    assert (by_ref["3.1"].candidate, by_ref["3.1"].continues) == ("C3", "8.1")
    assert by_ref["12.1"].candidate is None and by_ref["12.1"].continues is None
    # Every key project is one candidate chosen by the vote: its projects share that candidate.
    for key in spec_2024.key_projects:
        assert len({by_ref[r].candidate for r in key.projects}) == 1


def test_origins_travel_in_events_only_when_there_are_some(
    plan_spec: PlanSpec, spec_2024: PlanSpec
) -> None:
    # 2023's stored project data stays what it always was (no new keys), so its events and
    # their hashes are unchanged; 2024's round-trips with its origins.
    data = project_to_data(plan_spec.projects[0])
    assert set(data) == {"number", "title", "text", "targets", "milestones"}
    for project in spec_2024.projects:
        assert project_from_data(project_to_data(project)) == project
    old_document = {
        "number": "锡政发〔2023〕5号",
        "notice_title": "n",
        "title": "t",
        "issuer": "i",
        "date": "2023-03-14",
        "published": None,
        "source_text": "s",
        "original_text": "o",
    }
    assert document_from_data(old_document).simulated is False


def test_a_simulated_plan_is_registered_only_by_the_simulated_year(
    app_factory: AppFactory, spec_2024: PlanSpec
) -> None:
    app = app_factory(plan=True)
    with pytest.raises(InvalidPlan, match=r"document\.simulated"):
        ledger(app).register_plan(spec_2024, "system:plan-loader")
    assert ledger(app).plan_spec(2024) is None
    assert ledger(app).register_plan(spec_2024, SIM).created


def test_a_project_continues_only_a_project_of_the_registered_previous_plan(
    app_factory: AppFactory, spec_2024: PlanSpec
) -> None:
    app = app_factory()  # no 2023 plan
    with pytest.raises(InvalidPlan) as refused:
        ledger(app).register_plan(spec_2024, SIM)
    assert "project 3.1: continues: no project 8.1 in a registered 2023 plan" in str(refused.value)


def test_a_continued_ref_that_the_previous_plan_lacks_is_refused(
    app_factory: AppFactory, spec_2024: PlanSpec
) -> None:
    app = app_factory(plan=True)
    item = spec_2024.items[0]
    wrong = dataclasses.replace(item.projects[0], continues="99.9")
    bad = dataclasses.replace(
        spec_2024, items=(dataclasses.replace(item, projects=(wrong,)), *spec_2024.items[1:])
    )
    with pytest.raises(InvalidPlan, match=r"project 1.1: continues: no project 99.9"):
        ledger(app).register_plan(bad, SIM)


@pytest.fixture
def two_years(app_factory: AppFactory, spec_2024: PlanSpec) -> FlaskClient:
    app = app_factory(plan=True)
    ledger(app).register_plan(spec_2024, SIM)
    assert app.extensions["minsheng"].caught_up()
    return app.test_client()


def test_the_site_opens_on_the_real_plan_and_labels_the_simulated_one(
    two_years: FlaskClient,
) -> None:
    app = two_years.application
    with app.extensions["minsheng"].read() as c:
        assert q.plan_years(c) == [2023, 2024]
        assert q.current_year(c) == 2023
        assert q.simulated_plan_years(c) == [2024]
        plan = q.plan(c, 2024)
        assert plan is not None and plan.simulated
        assert q.plan(c, 2023) is not None and not q.plan(c, 2023).simulated  # type: ignore[union-attr]
    home = two_years.get("/").get_data(as_text=True)
    assert "锡政发〔2023〕5号" in home and "模拟计划" not in home
    assert 'href="/plans/2024/"' in home and 'href="/plans/compare"' in home
    page = two_years.get("/plans/2024/").get_data(as_text=True)
    assert "模拟计划" in page and "不是政府文件" in page
    assert "模拟计划" in two_years.get("/plans/2024/document").get_data(as_text=True)
    # The banner says simulated data is present even with no simulated report yet.
    assert 'class="simulated-banner"' in page


def test_a_continued_project_shows_its_history_both_ways(two_years: FlaskClient) -> None:
    page = two_years.get("/plans/2024/projects/2.1").get_data(as_text=True)
    assert "延续2023年具体项目" in page and 'href="/plans/2023/projects/6.1"' in page
    before = two_years.get("/plans/2023/projects/6.1").get_data(as_text=True)
    assert "2024年由具体项目延续" in before and 'href="/plans/2024/projects/2.1"' in before
    came = two_years.get("/plans/2024/projects/3.1").get_data(as_text=True)
    assert 'href="/cycle/2024/candidates/3"' in came and 'href="/plans/2023/projects/8.1"' in came
    # A project with no origins has no such section.
    assert "来源与沿革" not in two_years.get("/plans/2023/projects/2.1").get_data(as_text=True)


def test_compare_puts_the_same_category_and_unit_side_by_side(two_years: FlaskClient) -> None:
    page = two_years.get("/plans/compare").get_data(as_text=True)
    assert "宜居住区方面" in page and "（模拟）" in page
    # 2023 has 12 projects under 宜居住区方面; the simulated 2024 plan 3.
    assert "0/12个具体项目已完成" in page and "0/3个具体项目已完成" in page
    units = two_years.get("/plans/compare?by=unit").get_data(as_text=True)
    assert "市住房城乡建设局" in units and "市大数据管理局" in units
    assert "该年度无此项" in units  # a unit that leads in one year only
    assert two_years.get("/plans/compare?by=nothing").status_code == 400
