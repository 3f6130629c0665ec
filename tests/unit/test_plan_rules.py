"""Each rule of `validate_plan`, broken on purpose, is named with its subject and field."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from domain.errors import InvalidPlan
from domain.plan_rules import diff_plans, locate_in_source, validate_plan
from domain.plan_spec import PlanSpec, Problem


def with_item(plan: PlanSpec, number: int, **changes: object) -> PlanSpec:
    items = tuple(replace(i, **changes) if i.number == number else i for i in plan.items)
    return replace(plan, items=items)


def with_project(plan: PlanSpec, ref: str, **changes: object) -> PlanSpec:
    item = next(i for i in plan.items if i.number == int(ref.split(".")[0]))
    projects = tuple(replace(p, **changes) if p.number == ref else p for p in item.projects)
    return with_item(plan, item.number, projects=projects)


def problems(plan: PlanSpec) -> list[Problem]:
    with pytest.raises(InvalidPlan) as raised:
        validate_plan(plan)
    return list(raised.value.problems)


def test_the_real_plan_is_valid(plan_spec: PlanSpec) -> None:
    validate_plan(plan_spec)


def test_an_item_text_not_in_the_document_is_refused(plan_spec: PlanSpec) -> None:
    found = problems(with_item(plan_spec, 9, text="完成既有住宅加装电梯3000台。"))
    assert Problem(("item", 9), "text", "not found in the source document") in found


def test_a_target_not_quoted_from_its_project_is_refused(plan_spec: PlanSpec) -> None:
    project = next(p for p in plan_spec.projects if p.number == "9.1")
    wrong = replace(project.targets[0], amount=Decimal("310"))
    found = problems(with_project(plan_spec, "9.1", targets=(wrong,)))
    assert [(p.subject, p.field) for p in found] == [(("project", "9.1"), "targets[0]")]
    assert "'310台'" in found[0].message


def test_silent_unit_mixing_is_refused(plan_spec: PlanSpec) -> None:
    project = next(p for p in plan_spec.projects if p.number == "8.1")
    in_square_metres = replace(project.targets[0], amount=Decimal("5700000"), unit="平方米")
    found = problems(with_project(plan_spec, "8.1", targets=(in_square_metres,)))
    assert found[0].subject == ("project", "8.1")


def test_a_project_without_target_or_milestone_is_refused(plan_spec: PlanSpec) -> None:
    found = problems(with_project(plan_spec, "5.1", targets=(), milestones=()))
    assert ("project", "5.1") in [p.subject for p in found]


def test_project_numbers_follow_their_item(plan_spec: PlanSpec) -> None:
    found = problems(with_project(plan_spec, "9.1", number="9.2"))
    assert Problem(("project", "9.2"), "number", "expected 9.1") in found


def test_a_key_project_naming_an_unknown_project_is_refused(plan_spec: PlanSpec) -> None:
    keys = (
        replace(plan_spec.key_projects[0], projects=("8.1", "99.9")),
        *plan_spec.key_projects[1:],
    )
    found = problems(replace(plan_spec, key_projects=keys))
    assert Problem(("key_project", 1), "projects", "no project 99.9") in found


def test_a_project_in_two_key_projects_is_refused(plan_spec: PlanSpec) -> None:
    first, second, *rest = plan_spec.key_projects
    second = replace(second, projects=(*second.projects, "8.1"))
    found = problems(replace(plan_spec, key_projects=(first, second, *rest)))
    assert Problem(("project", "8.1"), "key_projects", "in more than one key project") in found


def test_counts_must_agree_with_what_the_document_declares(plan_spec: PlanSpec) -> None:
    found = problems(replace(plan_spec, declared=replace(plan_spec.declared, projects=117)))
    assert Problem(None, "declared.projects", "the document says 117, the data has 118") in found


def test_schedule_dates_must_lie_in_the_plan_year(plan_spec: PlanSpec) -> None:
    late = replace(plan_spec.schedule, deadline=date(2024, 1, 31))
    assert "schedule.deadline" in [p.field for p in problems(replace(plan_spec, schedule=late))]


def test_items_must_be_numbered_without_gaps(plan_spec: PlanSpec) -> None:
    found = problems(replace(plan_spec, items=plan_spec.items[:-2] + plan_spec.items[-1:]))
    assert "items" in [p.field for p in found]


def test_every_problem_is_reported_not_only_the_first(plan_spec: PlanSpec) -> None:
    broken = with_item(plan_spec, 9, text="?")
    broken = replace(broken, declared=replace(broken.declared, items=61))
    assert len(problems(broken)) >= 3  # text not in document, project text, declared items


def test_diff_names_each_changed_field(plan_spec: PlanSpec) -> None:
    project = next(p for p in plan_spec.projects if p.number == "9.1")
    changed = with_project(
        plan_spec, "9.1", title="加装电梯", targets=(replace(project.targets[0], label="电梯"),)
    )
    assert diff_plans(plan_spec, changed) == [
        "plan.items#9.projects#9.1.title: '既有住宅加装电梯' → '加装电梯'",
        "plan.items#9.projects#9.1.targets[0].label: '既有住宅加装电梯' → '电梯'",
    ]


def test_diff_of_a_plan_with_itself_is_empty(plan_spec: PlanSpec) -> None:
    assert diff_plans(plan_spec, plan_spec) == []


def test_diff_names_removed_and_added_items(plan_spec: PlanSpec) -> None:
    fewer = replace(plan_spec, items=plan_spec.items[:-1])
    assert diff_plans(plan_spec, fewer) == ["plan.items#60: removed"]
    assert diff_plans(fewer, plan_spec) == ["plan.items#60: added"]


def test_locate_prefers_the_numbered_line_over_a_quotation() -> None:
    source = "附件1\n1.宜居工程。完成电梯300台;其他。\n附件2\n9.完成电梯300台;其他。(责任单位:甲)"
    assert locate_in_source(source, "完成电梯300台;其他。", prefix="9.") == 4
    assert locate_in_source(source, "完成电梯300台;其他。") == 2
    assert locate_in_source(source, "不存在") is None
