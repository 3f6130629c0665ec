"""The catalog projection fed with the real plan's events, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import func, select

from domain.plan_spec import PlanSpec
from minsheng_site.services import Services
from projections.plans import queries as q
from projections.plans.catalog import Catalog, CatalogItem
from projections.projector import Projector
from tests.projections.helpers import category_totals, dump
from tests.synthetic_plans import plan_for_year


def test_the_catalog_holds_the_plan_as_registered(services: Services, plan_spec: PlanSpec) -> None:
    services.ledger.register_plan(plan_spec, "a")
    assert services.projector.catch_up(["catalog"]) == 71
    with services.read() as c:
        plan = q.plan(c, 2023)
        assert plan is not None
        assert plan.counts == {
            "categories": 10,
            "items": 60,
            "projects": 118,
            "key_projects": 10,
            "key_project_projects": 42,
        }
        assert plan.counts == plan.declared
        assert [(x.item_count, x.project_count) for x in q.categories(c, 2023)][:2] == [
            (7, 9),
            (5, 12),
        ]
        item = q.item(c, 2023, 9)
        assert item is not None and item.source_line == 62 and item.lead_unit == "市住房城乡建设局"
        assert item.projects[0].key_project == 1
        key = q.key_project(c, 2023, 1)
        assert key is not None and key.source_line == 40
        assert [p.ref for p in q.projects(c, 2023, key_project=3)] == [
            "21.2",
            "21.3",
            "23.1",
            "24.1",
            "32.2",
            "32.3",
            "36.1",
        ]
        unit = q.unit(c, 2023, "市住房城乡建设局")
        assert unit is not None and [i.number for i in unit.items_led] == [9, 10, 14]
        assert 1 in [k.number for k in unit.key_projects]


def test_catching_up_twice_applies_nothing_the_second_time(
    services: Services, plan_spec: PlanSpec
) -> None:
    services.ledger.register_plan(plan_spec, "a")
    assert services.caught_up() is True  # every read model at the head
    assert services.projector.catch_up() == 0
    assert set(services.projector.positions().values()) == {71}


def test_a_rebuild_from_zero_gives_the_same_rows(services: Services, plan_spec: PlanSpec) -> None:
    services.ledger.register_plan(plan_spec, "a")
    services.caught_up()
    before = dump(services.engine)
    assert services.projector.rebuild(["catalog"]) == 71
    assert dump(services.engine) == before
    assert category_totals(services.engine) == {2023: (60, 118)}


def test_a_new_projection_version_rebuilds_its_read_model(
    services: Services, plan_spec: PlanSpec
) -> None:
    services.ledger.register_plan(plan_spec, "a")
    services.caught_up()
    before = dump(services.engine)

    class CatalogV2(Catalog):
        version = Catalog.version + 1

    upgraded = Projector(
        services.engine, services.ledger.recorder, services.ledger.mapper, [CatalogV2()]
    )
    upgraded.setup()
    assert upgraded.positions()["catalog"] == 0
    assert upgraded.catch_up() == 71
    assert dump(services.engine) == before


def test_small_batches_give_the_same_rows_as_one_big_batch(
    services: Services, plan_spec: PlanSpec
) -> None:
    services.ledger.register_plan(plan_spec, "a")
    services.ledger.register_plan(plan_for_year(plan_spec, 2024), "a")
    services.caught_up()
    before = dump(services.engine)
    services.projector.batch_size = 7
    services.projector.rebuild()
    assert dump(services.engine) == before
    with services.read() as c:
        assert c.execute(select(func.count()).select_from(CatalogItem)).scalar_one() == 120
