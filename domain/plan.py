"""The plan's aggregates: one per year, one per item, one per key project.

Items are separate aggregates because progress is reported item by item
(每月底前逐项报告): two units reporting on different items never contend.

Stored events are a contract: this module's path and the event class names
are their topics (e.g. ``domain.plan:Item.Registered``). Renames need
`register_topic`; field changes need `class_version` and an upcast.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.plan_codec import (
    document_from_data,
    document_to_data,
    project_from_data,
    project_to_data,
    schedule_from_data,
    schedule_to_data,
)
from domain.plan_spec import (
    CategorySpec,
    DeclaredCounts,
    DocumentSpec,
    ItemSpec,
    KeyProjectSpec,
    PlanSpec,
    ProjectSpec,
    Schedule,
)

NAMESPACE = UUID("8f1c2b52-5d0e-4f5e-9a53-6d1f0c3c2023")


def plan_id(year: int) -> UUID:
    return uuid5(NAMESPACE, f"plan/{year}")


def item_id(year: int, number: int) -> UUID:
    return uuid5(NAMESPACE, f"plan/{year}/item/{number}")


def key_project_id(year: int, number: int) -> UUID:
    return uuid5(NAMESPACE, f"plan/{year}/key-project/{number}")


class Plan(Aggregate):
    """A year's plan as the document states it: the document, schedule and categories."""

    class Registered(Aggregate.Created):
        year: int
        document: dict[str, Any]
        schedule: dict[str, Any]
        declared: dict[str, int]
        categories: list[dict[str, Any]]
        item_numbers: list[int]
        key_project_numbers: list[int]
        actor: str

    @staticmethod
    def create_id(year: int) -> UUID:
        return plan_id(year)

    @event(Registered)
    def __init__(
        self,
        year: int,
        document: dict[str, Any],
        schedule: dict[str, Any],
        declared: dict[str, int],
        categories: list[dict[str, Any]],
        item_numbers: list[int],
        key_project_numbers: list[int],
        actor: str,
    ) -> None:
        self.year = year
        self.document: DocumentSpec = document_from_data(document)
        self.schedule: Schedule = schedule_from_data(schedule)
        self.declared = DeclaredCounts(**declared)
        self.categories = tuple(CategorySpec(**c) for c in categories)
        self.item_numbers = tuple(item_numbers)
        self.key_project_numbers = tuple(key_project_numbers)
        self.registered_by = actor

    @classmethod
    def register(cls, spec: PlanSpec, actor: str) -> Plan:
        return cls(
            year=spec.year,
            document=document_to_data(spec.document),
            schedule=schedule_to_data(spec.schedule),
            declared=asdict(spec.declared),
            categories=[{"number": c.number, "name": c.name} for c in spec.categories],
            item_numbers=[i.number for i in spec.items],
            key_project_numbers=[k.number for k in spec.key_projects],
            actor=actor,
        )


class Item(Aggregate):
    """An item (项) with its responsible units and its specific projects."""

    class Registered(Aggregate.Created):
        year: int
        number: int
        category: int
        text: str
        units: list[str]
        projects: list[dict[str, Any]]
        actor: str

    @staticmethod
    def create_id(year: int, number: int) -> UUID:
        return item_id(year, number)

    @event(Registered)
    def __init__(
        self,
        year: int,
        number: int,
        category: int,
        text: str,
        units: list[str],
        projects: list[dict[str, Any]],
        actor: str,
    ) -> None:
        self.year = year
        self.number = number
        self.category = category
        self.text = text
        self.units = tuple(units)
        self.projects: tuple[ProjectSpec, ...] = tuple(project_from_data(p) for p in projects)
        self.registered_by = actor

    @property
    def lead_unit(self) -> str:
        """The unit named first leads (牵头) and reports."""
        return self.units[0]

    @classmethod
    def register(cls, year: int, spec: ItemSpec, actor: str) -> Item:
        return cls(
            year=year,
            number=spec.number,
            category=spec.category,
            text=spec.text,
            units=list(spec.units),
            projects=[project_to_data(p) for p in spec.projects],
            actor=actor,
        )

    def spec(self) -> ItemSpec:
        return ItemSpec(self.number, self.category, self.text, self.units, self.projects)


class KeyProject(Aggregate):
    """A key project voted by the People's Congress, made of specific projects."""

    class Registered(Aggregate.Created):
        year: int
        number: int
        name: str
        text: str
        leaders: list[str]
        units: list[str]
        projects: list[str]
        actor: str

    @staticmethod
    def create_id(year: int, number: int) -> UUID:
        return key_project_id(year, number)

    @event(Registered)
    def __init__(
        self,
        year: int,
        number: int,
        name: str,
        text: str,
        leaders: list[str],
        units: list[str],
        projects: list[str],
        actor: str,
    ) -> None:
        self.year = year
        self.number = number
        self.name = name
        self.text = text
        self.leaders = tuple(leaders)
        self.units = tuple(units)
        self.project_refs = tuple(projects)
        self.registered_by = actor

    @classmethod
    def register(cls, year: int, spec: KeyProjectSpec, actor: str) -> KeyProject:
        return cls(
            year=year,
            number=spec.number,
            name=spec.name,
            text=spec.text,
            leaders=list(spec.leaders),
            units=list(spec.units),
            projects=list(spec.projects),
            actor=actor,
        )

    def spec(self) -> KeyProjectSpec:
        return KeyProjectSpec(
            self.number, self.name, self.text, self.leaders, self.units, self.project_refs
        )
