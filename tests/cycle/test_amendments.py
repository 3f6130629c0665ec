"""Amending the registered 2023 plan through the ledger: what is recorded, what is refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.errors import NotFound
from domain.plan_amendments import AmendmentRefused, Basis, Change
from domain.plan_spec import PlanSpec, Target
from minsheng_site.services import Services
from tests.clock import Clock

ADMIN = "staff:admin"
BASIS = Basis("锡政办发〔2023〕40号", date(2023, 8, 1))


@pytest.fixture
def clock() -> Clock:
    return Clock("2023-08-02T10:00")


@pytest.fixture
def ledger(services: Services, plan_spec: PlanSpec):  # type: ignore[no-untyped-def]
    services.ledger.register_plan(plan_spec, "system:test")
    return services.ledger


def lower_lifts(amount: str = "250") -> Change:
    return Change("target", project="9.1", target=0, amount=Decimal(amount))


def refusal(ledger, change: Change, basis: Basis = BASIS, reason: str = "资金调整", **kw) -> set:  # type: ignore[no-untyped-def]
    with pytest.raises(AmendmentRefused) as refused:
        ledger.amend_plan(2023, change, basis, reason, ADMIN, **kw)
    return {(p.field, p.code) for p in refused.value.problems}


def test_a_target_changed_is_recorded_with_old_and_new(ledger) -> None:  # type: ignore[no-untyped-def]
    done = ledger.amend_plan(2023, lower_lifts(), BASIS, "  资金调整 ", ADMIN)
    assert (done.number, done.kind, done.item, done.project) == (1, "target", 9, "9.1")
    assert done.change == {
        "target": 0,
        "label": "既有住宅加装电梯",
        "unit": "台",
        "old": "300",
        "new": "250",
    }
    assert done.effective == date(2023, 8, 1) and done.reason == "资金调整"
    stored = ledger.plan_amendments(2023)
    assert stored == [done]
    # The registered plan itself is unchanged: loading the same file again writes nothing.
    assert ledger.register_plan(ledger.plan_spec(2023), "system:test").created is False


def test_each_kind_is_checked_against_the_plan_as_amended_so_far(ledger) -> None:  # type: ignore[no-untyped-def]
    added = ledger.amend_plan(
        2023,
        Change(
            "project_added",
            item=9,
            title="老旧小区加装电梯试点",
            text="新增试点",
            targets=(Target("试点电梯", Decimal(20), "台"),),
        ),
        BASIS,
        "新增试点",
        ADMIN,
    )
    assert added.project == "9.2" and added.change["project"]["targets"][0]["amount"] == "20"
    merged = ledger.amend_plan(
        2023, Change("project_merged", project="10.2", into="10.1"), BASIS, "合并统计", ADMIN
    )
    assert merged.change == {"title": merged.change["title"], "into": "10.1"}
    withdrawn = ledger.amend_plan(
        2023,
        Change("project_withdrawn", project="9.2"),
        Basis("锡政办发〔2023〕41号", date(2023, 8, 2)),
        "试点取消",
        ADMIN,
    )
    assert withdrawn.number == 3 and withdrawn.effective == date(2023, 8, 2)
    units = ledger.amend_plan(
        2023,
        Change("units", item=9, units=("市住房城乡建设局", "市财政局")),
        Basis("锡政办发〔2023〕42号", date(2023, 8, 2)),
        "增加配合单位",
        ADMIN,
    )
    assert units.change == {"old": ["市住房城乡建设局"], "new": ["市住房城乡建设局", "市财政局"]}
    # What is gone cannot be amended again, nor merged into.
    assert refusal(
        ledger, Change("project_withdrawn", project="10.2"), Basis("x", date(2023, 8, 2))
    ) == {("project", "gone")}
    assert refusal(
        ledger, Change("project_merged", project="10.1", into="9.2"), Basis("x", date(2023, 8, 2))
    ) == {("into", "gone")}
    # A project added after a withdrawn one takes the next number, never a used one.
    again = ledger.amend_plan(
        2023,
        Change("project_added", item=9, title="再试点", milestones=("完成方案",)),
        Basis("x", date(2023, 8, 2)),
        "再试点",
        ADMIN,
    )
    assert again.project == "9.3"


def test_refusals(ledger) -> None:  # type: ignore[no-untyped-def]
    assert refusal(ledger, Change("target", project="9.9", target=0, amount=Decimal(1))) == {
        ("project", "no_such_project")
    }
    assert refusal(ledger, Change("project_withdrawn", project="99.1")) == {
        ("project", "no_such_project")
    }
    assert refusal(ledger, Change("project_added", item=61, title="x", milestones=("y",))) == {
        ("item", "no_such_item")
    }
    assert refusal(ledger, Change("units", item=9, units=("市住房城乡建设局",))) == {
        ("units", "unchanged")
    }
    assert refusal(ledger, Change("units", item=9, units=("a", "a"))) == {("units", "repeated")}
    assert refusal(ledger, Change("units", item=9, units=())) == {("units", "required")}
    assert refusal(ledger, lower_lifts("300")) == {("amount", "unchanged")}
    assert refusal(ledger, lower_lifts("-1")) == {("amount", "not_a_quantity")}
    assert refusal(ledger, lower_lifts("NaN")) == {("amount", "not_a_quantity")}
    assert refusal(ledger, Change("target", project="9.1", target=1, amount=Decimal(1))) == {
        ("target", "no_such_target")
    }
    assert refusal(ledger, Change("project_merged", project="9.1", into="9.1")) == {
        ("into", "same_project")
    }
    assert refusal(ledger, Change("project_added", item=9, title="  ")) == {
        ("title", "required"),
        ("targets", "required"),
    }
    assert refusal(ledger, Change("bigger")) == {("kind", "unknown")}
    # The basis and the reason are required.
    assert refusal(ledger, lower_lifts(), reason=" \u202e ") == {("reason", "required")}
    assert refusal(ledger, lower_lifts(), Basis("  ", BASIS.date)) == {("basis_number", "required")}
    # Dated before the plan's document (2023-03-14), after the deadline, or not issued yet.
    early = Basis("x", date(2023, 3, 13))
    assert refusal(ledger, lower_lifts(), early) == {
        ("basis_date", "before_plan"),
        ("effective", "before_plan"),
    }
    assert refusal(ledger, lower_lifts(), effective=date(2023, 3, 13)) == {
        ("effective", "before_plan")
    }
    assert refusal(ledger, lower_lifts(), effective=date(2023, 12, 1)) == {
        ("effective", "after_deadline")
    }
    assert refusal(ledger, lower_lifts(), Basis("x", date(2023, 8, 3))) == {
        ("basis_date", "future")
    }
    # Amendments take effect in the order they are recorded.
    ledger.amend_plan(2023, lower_lifts(), BASIS, "资金调整", ADMIN, effective=date(2023, 8, 10))
    assert refusal(ledger, lower_lifts("240")) == {("effective", "before_previous")}
    assert len(ledger.plan_amendments(2023)) == 1
    with pytest.raises(NotFound):
        ledger.amend_plan(2022, lower_lifts(), BASIS, "x", ADMIN)
