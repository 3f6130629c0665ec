"""The application on the in-memory store: register once, refuse changes, never half-load."""

from __future__ import annotations

from dataclasses import replace

import pytest

from application import Ledger
from domain.errors import InvalidPlan, NotFound, PlanConflict
from domain.plan import plan_id
from domain.plan_spec import PlanSpec


@pytest.fixture
def ledger() -> Ledger:
    return Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


def event_count(ledger: Ledger) -> int:
    return ledger.recorder.max_notification_id() or 0


def test_registering_writes_one_event_per_aggregate(ledger: Ledger, plan_spec: PlanSpec) -> None:
    result = ledger.register_plan(plan_spec, "system:test")
    assert result.created and result.events == 1 + 60 + 10
    assert event_count(ledger) == 71
    assert ledger.plan_spec(2023) == plan_spec


def test_registering_the_same_plan_again_changes_nothing(
    ledger: Ledger, plan_spec: PlanSpec
) -> None:
    ledger.register_plan(plan_spec, "system:test")
    again = ledger.register_plan(plan_spec, "someone else")
    assert not again.created and again.events == 0
    assert event_count(ledger) == 71


def test_a_changed_plan_is_refused_naming_what_differs(ledger: Ledger, plan_spec: PlanSpec) -> None:
    ledger.register_plan(plan_spec, "system:test")
    categories = (replace(plan_spec.categories[0], name="生态方面"), *plan_spec.categories[1:])
    with pytest.raises(PlanConflict) as raised:
        ledger.register_plan(replace(plan_spec, categories=categories), "system:test")
    assert raised.value.differences == ("plan.categories#1.name: '生态环境方面' → '生态方面'",)
    assert event_count(ledger) == 71
    assert ledger.plan_spec(2023) == plan_spec


def test_an_invalid_plan_writes_nothing(ledger: Ledger, plan_spec: PlanSpec) -> None:
    with pytest.raises(InvalidPlan):
        ledger.register_plan(replace(plan_spec, items=plan_spec.items[1:]), "system:test")
    assert event_count(ledger) == 0
    assert ledger.plan_spec(2023) is None


def test_plans_of_different_years_live_side_by_side(ledger: Ledger, plan_spec: PlanSpec) -> None:
    from tests.synthetic_plans import plan_for_year

    ledger.register_plan(plan_spec, "a")
    ledger.register_plan(plan_for_year(plan_spec, 2024), "a")
    assert ledger.plan_spec(2024) == plan_for_year(plan_spec, 2024)
    assert ledger.plan_spec(2023) == plan_spec


def test_a_finding_command_given_the_id_of_another_kind_of_aggregate_finds_nothing(
    ledger: Ledger, plan_spec: PlanSpec
) -> None:
    ledger.register_plan(plan_spec, "system:test")
    with pytest.raises(NotFound):
        ledger.close_finding(plan_id(2023), "已整改", "supervisor:npc")
    assert event_count(ledger) == 71
