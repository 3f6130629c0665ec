"""Given nothing, when a plan is registered, then these events, with these fields."""

from __future__ import annotations

from domain.plan import Item, KeyProject, Plan, item_id, key_project_id, plan_id
from domain.plan_spec import PlanSpec


def test_an_item_registers_its_text_units_and_projects_as_plain_data(plan_spec: PlanSpec) -> None:
    spec = plan_spec.items[8]
    item = Item.register(2023, spec, actor="system:test")
    [event] = item.collect_events()
    assert isinstance(event, Item.Registered)
    assert event.originator_id == item_id(2023, 9)
    assert (event.year, event.number, event.category, event.actor) == (2023, 9, 2, "system:test")
    assert event.text == "完成既有住宅加装电梯300台。"
    assert event.units == ["市住房城乡建设局"]
    assert event.projects == [
        {
            "number": "9.1",
            "title": "既有住宅加装电梯",
            "text": "完成既有住宅加装电梯300台",
            "targets": [
                {"label": "既有住宅加装电梯", "amount": "300", "unit": "台", "at_least": False}
            ],
            "milestones": [],
        }
    ]


def test_an_item_gives_back_the_spec_it_was_registered_with(plan_spec: PlanSpec) -> None:
    for spec in plan_spec.items:
        assert Item.register(plan_spec.year, spec, "a").spec() == spec


def test_the_lead_unit_is_the_one_named_first(plan_spec: PlanSpec) -> None:
    item = Item.register(2023, plan_spec.items[7], "a")
    assert item.lead_unit == "市委政法委"
    assert item.units[-1] == "各市(县)区"


def test_a_key_project_registers_its_leaders_units_and_member_projects(plan_spec: PlanSpec) -> None:
    key = KeyProject.register(2023, plan_spec.key_projects[0], "a")
    [event] = key.collect_events()
    assert event.originator_id == key_project_id(2023, 1)
    assert (event.name, event.leaders) == ("宜居环境更新工程", ["蒋敏", "张镇", "张立军"])
    assert event.projects == ["8.1", "8.2", "8.3", "9.1"]
    assert key.spec() == plan_spec.key_projects[0]


def test_the_plan_registers_its_document_schedule_and_what_it_is_made_of(
    plan_spec: PlanSpec,
) -> None:
    plan = Plan.register(plan_spec, "a")
    [event] = plan.collect_events()
    assert event.originator_id == plan_id(2023)
    assert event.document["number"] == "锡政发〔2023〕5号"
    assert event.document["date"] == "2023-03-14"
    assert event.schedule == {
        "midyear_date": "2023-06-30",
        "midyear_share": 60,
        "deadline": "2023-11-30",
    }
    assert event.item_numbers == list(range(1, 61))
    assert event.key_project_numbers == list(range(1, 11))
    assert plan.document == plan_spec.document
    assert plan.schedule == plan_spec.schedule


def test_ids_are_stable_and_distinct_per_year_and_number() -> None:
    assert item_id(2023, 9) == item_id(2023, 9)
    assert (
        len(
            {
                item_id(2023, 9),
                item_id(2024, 9),
                item_id(2023, 10),
                key_project_id(2023, 9),
                plan_id(2023),
            }
        )
        == 5
    )
