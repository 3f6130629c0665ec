"""Reading the plan catalog: plain, immutable data for pages and the API."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from projections.plans.catalog import (
    CatalogCategory,
    CatalogItem,
    CatalogKeyProject,
    CatalogPlan,
    CatalogProject,
    CatalogResponsibility,
)


@dataclass(frozen=True)
class TargetView:
    label: str
    amount: Decimal
    unit: str
    at_least: bool


@dataclass(frozen=True)
class ProjectView:
    year: int
    ref: str
    item: int
    category: int
    title: str
    text: str
    targets: tuple[TargetView, ...]
    milestones: tuple[str, ...]
    key_project: int | None
    candidate: str | None = None  # "C3": the candidate of the year's cycle it came from
    continues: str | None = None  # "8.1": the previous year's project it continues


@dataclass(frozen=True)
class ItemView:
    year: int
    number: int
    category: int
    text: str
    units: tuple[str, ...]
    source_line: int | None
    projects: tuple[ProjectView, ...]

    @property
    def lead_unit(self) -> str:
        return self.units[0]


@dataclass(frozen=True)
class CategoryView:
    year: int
    number: int
    name: str
    item_count: int
    project_count: int


@dataclass(frozen=True)
class KeyProjectView:
    year: int
    number: int
    name: str
    text: str
    leaders: tuple[str, ...]
    units: tuple[str, ...]
    project_refs: tuple[str, ...]
    source_line: int | None


@dataclass(frozen=True)
class PlanView:
    year: int
    document_number: str
    notice_title: str
    title: str
    issuer: str
    document_date: date
    published: date | None
    midyear_date: date
    midyear_share: int
    deadline: date
    declared: dict[str, int]
    registered_at: datetime
    counts: dict[str, int]
    simulated: bool = False  # a made-up plan of the labelled simulated cycle


@dataclass(frozen=True)
class UnitSummary:
    name: str
    items: int
    items_led: int
    key_projects: int


@dataclass(frozen=True)
class UnitView:
    year: int
    name: str
    items_led: tuple[ItemView, ...]
    items_shared: tuple[ItemView, ...]
    key_projects: tuple[KeyProjectView, ...]


@dataclass(frozen=True)
class DocumentView:
    year: int
    number: str
    title: str
    lines: tuple[str, ...]
    original_lines: tuple[str, ...]
    items_by_line: dict[int, int]
    key_projects_by_line: dict[int, int]


def plan_years(c: Connection) -> list[int]:
    return list(c.execute(select(CatalogPlan.year).order_by(CatalogPlan.year)).scalars())


def current_year(c: Connection) -> int | None:
    """The plan the site opens on: the latest real one (a simulated plan of the labelled
    cycle is there to be looked at, not to stand for the city's plan), else the latest."""
    p = CatalogPlan
    return c.execute(
        select(p.year).order_by(p.simulated.is_(True), p.year.desc()).limit(1)
    ).scalar()


def simulated_plan_years(c: Connection) -> list[int]:
    p = CatalogPlan
    return list(c.execute(select(p.year).where(p.simulated.is_(True)).order_by(p.year)).scalars())


def plan(c: Connection, year: int) -> PlanView | None:
    """The plan's facts and counts, without the document's text (see `document`)."""
    p = CatalogPlan
    row = c.execute(
        select(
            p.year,
            p.document_number,
            p.notice_title,
            p.title,
            p.issuer,
            p.document_date,
            p.published,
            p.midyear_date,
            p.midyear_share,
            p.deadline,
            p.declared,
            p.registered_at,
            p.category_count,
            p.item_count,
            p.project_count,
            p.key_project_count,
            p.key_member_count,
            p.simulated,
        ).where(p.year == year)
    ).first()
    if row is None:
        return None
    counts = {
        "categories": row.category_count,
        "items": row.item_count,
        "projects": row.project_count,
        "key_projects": row.key_project_count,
        "key_project_projects": row.key_member_count,
    }
    return PlanView(
        row.year,
        row.document_number,
        row.notice_title,
        row.title,
        row.issuer,
        row.document_date,
        row.published,
        row.midyear_date,
        row.midyear_share,
        row.deadline,
        dict(row.declared),
        row.registered_at,
        counts,
        bool(row.simulated),
    )


def categories(c: Connection, year: int) -> list[CategoryView]:
    rows = c.execute(
        select(CatalogCategory.__table__)
        .where(CatalogCategory.year == year)
        .order_by(CatalogCategory.number)
    )
    return [CategoryView(r.year, r.number, r.name, r.item_count, r.project_count) for r in rows]


def category(c: Connection, year: int, number: int) -> CategoryView | None:
    return next((x for x in categories(c, year) if x.number == number), None)


def items(
    c: Connection, year: int, category: int | None = None, numbers: list[int] | None = None
) -> list[ItemView]:
    query = (
        select(CatalogItem.__table__).where(CatalogItem.year == year).order_by(CatalogItem.number)
    )
    if category is not None:
        query = query.where(CatalogItem.category == category)
    if numbers is not None:
        query = query.where(CatalogItem.number.in_(numbers))
    rows = c.execute(query).all()
    by_item = defaultdict(list)
    for p in projects(c, year, items=[r.number for r in rows]):
        by_item[p.item].append(p)
    return [
        ItemView(
            r.year,
            r.number,
            r.category,
            r.text,
            tuple(r.units),
            r.source_line,
            tuple(by_item[r.number]),
        )
        for r in rows
    ]


def item(c: Connection, year: int, number: int) -> ItemView | None:
    found = items(c, year, numbers=[number])
    return found[0] if found else None


def projects(
    c: Connection,
    year: int,
    *,
    items: list[int] | None = None,
    category: int | None = None,
    key_project: int | None = None,
    key_only: bool = False,
    refs: list[str] | None = None,
) -> list[ProjectView]:
    query = select(CatalogProject.__table__).where(CatalogProject.year == year)
    if items is not None:
        query = query.where(CatalogProject.item.in_(items))
    if category is not None:
        query = query.where(CatalogProject.category == category)
    if key_project is not None:
        query = query.where(CatalogProject.key_project == key_project)
    if key_only:
        query = query.where(CatalogProject.key_project.is_not(None))
    if refs is not None:
        query = query.where(CatalogProject.ref.in_(refs))
    rows = c.execute(query.order_by(CatalogProject.item, CatalogProject.seq))
    return [_project(r) for r in rows]


def project(c: Connection, year: int, ref: str) -> ProjectView | None:
    found = projects(c, year, refs=[ref])
    return found[0] if found else None


def continued_by(c: Connection, year: int, ref: str) -> ProjectView | None:
    """The next year's project that continues project `ref` of `year`, if any."""
    rows = c.execute(
        select(CatalogProject.__table__)
        .where(CatalogProject.year == year + 1, CatalogProject.continues == ref)
        .order_by(CatalogProject.item, CatalogProject.seq)
        .limit(1)
    )
    return next((_project(r) for r in rows), None)


def key_projects(
    c: Connection, year: int, numbers: list[int] | None = None
) -> list[KeyProjectView]:
    query = select(CatalogKeyProject.__table__).where(CatalogKeyProject.year == year)
    if numbers is not None:
        query = query.where(CatalogKeyProject.number.in_(numbers))
    rows = c.execute(query.order_by(CatalogKeyProject.number))
    return [
        KeyProjectView(
            r.year,
            r.number,
            r.name,
            r.text,
            tuple(r.leaders),
            tuple(r.units),
            tuple(r.projects),
            r.source_line,
        )
        for r in rows
    ]


def key_project(c: Connection, year: int, number: int) -> KeyProjectView | None:
    found = key_projects(c, year, numbers=[number])
    return found[0] if found else None


def units(c: Connection, year: int) -> list[UnitSummary]:
    """Every responsible unit, those named most often first."""
    rows = c.execute(
        select(
            CatalogResponsibility.unit, CatalogResponsibility.kind, CatalogResponsibility.position
        ).where(CatalogResponsibility.year == year)
    ).all()
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for unit, kind, position in rows:
        counts = tally[unit]
        if kind == "item":
            counts[0] += 1
            counts[1] += position == 0
        else:
            counts[2] += 1
    return unit_summaries(tally)


def unit_summaries(tally: dict[str, list[int]]) -> list[UnitSummary]:
    """Units from their counts (items, items led, key projects), those named most first."""
    summaries = [UnitSummary(name, *counts) for name, counts in tally.items()]
    return sorted(summaries, key=lambda u: (-u.items - u.key_projects, u.name))


def unit_names(c: Connection) -> set[str]:
    """Every unit named responsible in any registered plan."""
    return set(c.execute(select(CatalogResponsibility.unit).distinct()).scalars())


def unit(c: Connection, year: int, name: str) -> UnitView | None:
    rows = c.execute(
        select(
            CatalogResponsibility.kind, CatalogResponsibility.number, CatalogResponsibility.position
        ).where(CatalogResponsibility.year == year, CatalogResponsibility.unit == name)
    ).all()
    if not rows:
        return None
    led = [n for kind, n, pos in rows if kind == "item" and pos == 0]
    shared = [n for kind, n, pos in rows if kind == "item" and pos > 0]
    keys = [n for kind, n, _ in rows if kind == "key_project"]
    return UnitView(
        year,
        name,
        tuple(items(c, year, numbers=led)) if led else (),
        tuple(items(c, year, numbers=shared)) if shared else (),
        tuple(key_projects(c, year, numbers=keys)) if keys else (),
    )


def document(c: Connection, year: int) -> DocumentView | None:
    row = c.execute(select(CatalogPlan.__table__).where(CatalogPlan.year == year)).first()
    if row is None:
        return None
    item_lines = c.execute(
        select(CatalogItem.source_line, CatalogItem.number).where(CatalogItem.year == year)
    ).all()
    key_lines = c.execute(
        select(CatalogKeyProject.source_line, CatalogKeyProject.number).where(
            CatalogKeyProject.year == year
        )
    ).all()
    return DocumentView(
        year,
        row.document_number,
        row.title,
        tuple(row.source_text.splitlines()),
        tuple(row.original_text.splitlines()),
        {line: n for line, n in item_lines if line},
        {line: n for line, n in key_lines if line},
    )


def _project(r: Any) -> ProjectView:
    return ProjectView(
        r.year,
        r.ref,
        r.item,
        r.category,
        r.title,
        r.text,
        tuple(
            TargetView(t["label"], Decimal(t["amount"]), t["unit"], t["at_least"])
            for t in r.targets
        ),
        tuple(r.milestones),
        r.key_project,
        r.candidate,
        r.continues,
    )
