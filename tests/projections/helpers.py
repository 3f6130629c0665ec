"""What the projection tests compare: every read-model row, and counters that
double application of an event would inflate."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select, text

from projections.plans.catalog import Catalog


def dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the catalog, in key order, without the per-run event ids and times."""
    skip = {"event_id", "registered_at"}
    out = {}
    with engine.connect() as c:
        for model in Catalog.tables:
            table = model.__table__  # type: ignore[attr-defined]
            columns = [col for col in table.c if col.name not in skip]
            rows = c.execute(select(*columns).order_by(*table.primary_key.columns)).all()
            out[table.name] = [tuple(r) for r in rows]
    return out


def category_totals(engine: Engine) -> dict[int, tuple[int, int]]:
    """Per year: (items, projects) summed from the category counters (incremented per event)."""
    with engine.connect() as c:
        rows = c.execute(
            text(
                "SELECT year, SUM(item_count), SUM(project_count)"
                " FROM catalog_categories GROUP BY year"
            )
        ).all()
    return {year: (int(items), int(projects)) for year, items, projects in rows}
