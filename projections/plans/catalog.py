"""The plan catalog: categories, items, projects, key projects and who is responsible.

Denormalised for the public plan pages and the open-data API.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    Date,
    Integer,
    String,
    Text,
    bindparam,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from domain.plan import Item, KeyProject, Plan
from domain.plan_rules import locate_in_source
from projections.database import ReadModel, UtcDateTime
from projections.projection import Projection, unhandled


class CatalogPlan(ReadModel):
    __tablename__ = "catalog_plans"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_number: Mapped[str] = mapped_column(String(64))
    notice_title: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    issuer: Mapped[str] = mapped_column(String(64))
    document_date: Mapped[date] = mapped_column(Date)
    published: Mapped[date | None] = mapped_column(Date)
    source_text: Mapped[str] = mapped_column(Text)
    original_text: Mapped[str] = mapped_column(Text)
    midyear_date: Mapped[date] = mapped_column(Date)
    midyear_share: Mapped[int] = mapped_column(Integer)
    deadline: Mapped[date] = mapped_column(Date)
    declared: Mapped[dict[str, int]] = mapped_column(JSON)
    # What the log holds so far, counted as events arrive (compare with `declared`).
    category_count: Mapped[int] = mapped_column(Integer, default=0)
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    project_count: Mapped[int] = mapped_column(Integer, default=0)
    key_project_count: Mapped[int] = mapped_column(Integer, default=0)
    key_member_count: Mapped[int] = mapped_column(Integer, default=0)
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime)
    event_id: Mapped[int] = mapped_column(Integer)
    # A made-up plan of the labelled simulated cycle (its document says so), not a real one.
    simulated: Mapped[bool] = mapped_column(Boolean, default=False)


class CatalogCategory(ReadModel):
    __tablename__ = "catalog_categories"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    project_count: Mapped[int] = mapped_column(Integer, default=0)


class CatalogItem(ReadModel):
    __tablename__ = "catalog_items"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    category: Mapped[int] = mapped_column(Integer, index=True)
    text: Mapped[str] = mapped_column(Text)
    units: Mapped[list[str]] = mapped_column(JSON)
    project_count: Mapped[int] = mapped_column(Integer)
    source_line: Mapped[int | None] = mapped_column(Integer)
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime)
    event_id: Mapped[int] = mapped_column(Integer)


class CatalogProject(ReadModel):
    __tablename__ = "catalog_projects"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(16), primary_key=True)
    item: Mapped[int] = mapped_column(Integer, index=True)
    seq: Mapped[int] = mapped_column(Integer)
    category: Mapped[int] = mapped_column(Integer, index=True)
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    targets: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    milestones: Mapped[list[str]] = mapped_column(JSON)
    key_project: Mapped[int | None] = mapped_column(Integer, index=True)
    # The candidate of the year's cycle it came from ("C3") and the previous year's project
    # it continues ("8.1"), as the plan file says.
    candidate: Mapped[str | None] = mapped_column(String(16))
    continues: Mapped[str | None] = mapped_column(String(16))


class CatalogKeyProject(ReadModel):
    __tablename__ = "catalog_key_projects"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    leaders: Mapped[list[str]] = mapped_column(JSON)
    units: Mapped[list[str]] = mapped_column(JSON)
    projects: Mapped[list[str]] = mapped_column(JSON)
    source_line: Mapped[int | None] = mapped_column(Integer)
    event_id: Mapped[int] = mapped_column(Integer)


class CatalogResponsibility(ReadModel):
    """One row per unit named on an item or a key project, in the order written."""

    __tablename__ = "catalog_responsibilities"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # "item" | "key_project"
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    position: Mapped[int] = mapped_column(Integer)  # 0: named first, the lead unit


class Catalog(Projection):
    name = "catalog"
    version = 4
    tables = (
        CatalogPlan,
        CatalogCategory,
        CatalogItem,
        CatalogProject,
        CatalogKeyProject,
        CatalogResponsibility,
    )

    def __init__(self) -> None:
        self._sources: dict[int, str] = {}

    @singledispatchmethod
    def process_event(self, event: object, c: Connection, position: int) -> None:
        unhandled(self, event)

    @process_event.register
    def _plan_registered(self, e: Plan.Registered, c: Connection, position: int) -> None:
        doc, schedule = e.document, e.schedule
        c.execute(
            insert(CatalogPlan).values(
                year=e.year,
                document_number=doc["number"],
                notice_title=doc["notice_title"],
                title=doc["title"],
                issuer=doc["issuer"],
                document_date=date.fromisoformat(doc["date"]),
                published=date.fromisoformat(doc["published"]) if doc["published"] else None,
                source_text=doc["source_text"],
                original_text=doc["original_text"],
                midyear_date=date.fromisoformat(schedule["midyear_date"]),
                midyear_share=schedule["midyear_share"],
                deadline=date.fromisoformat(schedule["deadline"]),
                declared=e.declared,
                category_count=len(e.categories),
                item_count=0,
                project_count=0,
                key_project_count=0,
                key_member_count=0,
                registered_at=e.timestamp,
                event_id=position,
                simulated=bool(doc.get("simulated", False)),
            )
        )
        c.execute(
            insert(CatalogCategory),
            [
                {
                    "year": e.year,
                    "number": x["number"],
                    "name": x["name"],
                    "item_count": 0,
                    "project_count": 0,
                }
                for x in e.categories
            ],
        )

    @process_event.register
    def _item_registered(self, e: Item.Registered, c: Connection, position: int) -> None:
        source = self._source_text(c, e.year)
        c.execute(
            _INSERT_ITEM,
            {
                "year": e.year,
                "number": e.number,
                "category": e.category,
                "text": e.text,
                "units": e.units,
                "project_count": len(e.projects),
                "source_line": locate_in_source(source, e.text, prefix=f"{e.number}."),
                "registered_at": e.timestamp,
                "event_id": position,
            },
        )
        c.execute(
            _INSERT_PROJECT,
            [
                {
                    "year": e.year,
                    "ref": p["number"],
                    "item": e.number,
                    "seq": seq,
                    "category": e.category,
                    "title": p["title"],
                    "text": p["text"],
                    "targets": p["targets"],
                    "milestones": p["milestones"],
                    "key_project": None,
                    "candidate": p.get("candidate"),
                    "continues": p.get("continues"),
                }
                for seq, p in enumerate(e.projects, start=1)
            ],
        )
        self._responsible(c, e.year, "item", e.number, e.units)
        counts = {"b_year": e.year, "b_category": e.category, "b_projects": len(e.projects)}
        c.execute(_COUNT_ITEM_IN_CATEGORY, counts)
        c.execute(_COUNT_ITEM_IN_PLAN, counts)

    @process_event.register
    def _key_project_registered(
        self, e: KeyProject.Registered, c: Connection, position: int
    ) -> None:
        source = self._source_text(c, e.year)
        c.execute(
            _INSERT_KEY_PROJECT,
            {
                "year": e.year,
                "number": e.number,
                "name": e.name,
                "text": e.text,
                "leaders": e.leaders,
                "units": e.units,
                "projects": e.projects,
                "source_line": locate_in_source(source, f"{e.name}。{e.text}"),
                "event_id": position,
            },
        )
        # Items are registered before key projects in the same save (see Ledger).
        c.execute(
            _MARK_KEY_MEMBERS,
            [{"b_year": e.year, "b_ref": ref, "b_key": e.number} for ref in e.projects],
        )
        self._responsible(c, e.year, "key_project", e.number, e.units)
        c.execute(_COUNT_KEY_PROJECT, {"b_year": e.year, "b_members": len(e.projects)})

    @staticmethod
    def _responsible(c: Connection, year: int, kind: str, number: int, units: list[str]) -> None:
        c.execute(
            _INSERT_RESPONSIBILITY,
            [
                {"year": year, "unit": unit, "kind": kind, "number": number, "position": i}
                for i, unit in enumerate(units)
            ],
        )

    def _source_text(self, c: Connection, year: int) -> str:
        # The document of a year never changes once registered: read it once per process.
        if year not in self._sources:
            self._sources[year] = c.execute(
                select(CatalogPlan.source_text).where(CatalogPlan.year == year)
            ).scalar_one()
        return self._sources[year]


# Statements built once: building them per event cost more than executing them.
_plans, _categories = CatalogPlan.__table__, CatalogCategory.__table__
_projects = CatalogProject.__table__
_INSERT_ITEM = insert(CatalogItem.__table__)
_INSERT_PROJECT = insert(_projects)
_INSERT_KEY_PROJECT = insert(CatalogKeyProject.__table__)
_INSERT_RESPONSIBILITY = insert(CatalogResponsibility.__table__)
_COUNT_ITEM_IN_CATEGORY = (
    update(_categories)
    .where(
        _categories.c.year == bindparam("b_year"), _categories.c.number == bindparam("b_category")
    )
    .values(
        item_count=_categories.c.item_count + 1,
        project_count=_categories.c.project_count + bindparam("b_projects"),
    )
)
_COUNT_ITEM_IN_PLAN = (
    update(_plans)
    .where(_plans.c.year == bindparam("b_year"))
    .values(
        item_count=_plans.c.item_count + 1,
        project_count=_plans.c.project_count + bindparam("b_projects"),
    )
)
_COUNT_KEY_PROJECT = (
    update(_plans)
    .where(_plans.c.year == bindparam("b_year"))
    .values(
        key_project_count=_plans.c.key_project_count + 1,
        key_member_count=_plans.c.key_member_count + bindparam("b_members"),
    )
)
_MARK_KEY_MEMBERS = (
    update(_projects)
    .where(_projects.c.year == bindparam("b_year"), _projects.c.ref == bindparam("b_ref"))
    .values(key_project=bindparam("b_key"))
)
