"""The yearly plan as value objects: what the government document commits to.

A `PlanSpec` is what a plan data file says, after parsing. `validate_plan`
states the rules every plan must satisfy (numbering, references, quoting the
source document, agreeing with the document's own declared counts), and
`diff_plans` names what differs between two versions of a plan.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Target:
    """A quantified target as written: 300 台, 570 万平方米 (the 万 stays in the unit)."""

    label: str
    amount: Decimal
    unit: str
    at_least: bool = False  # the document says 以上

    @property
    def as_written(self) -> str:
        return f"{self.amount}{self.unit}"


@dataclass(frozen=True)
class ProjectSpec:
    """A specific project (具体项目): the part of an item's text it covers."""

    number: str  # "<item>.<n>", e.g. "9.1"
    title: str
    text: str
    targets: tuple[Target, ...] = ()
    milestones: tuple[str, ...] = ()
    # Where it came from: the candidate of the year's cycle ("C3", /cycle/<year>/candidates/3)
    # and the previous year's project it continues ("8.1"). Plans before the cycle have none.
    candidate: str | None = None
    continues: str | None = None

    @property
    def item_number(self) -> int:
        return int(self.number.split(".", 1)[0])


@dataclass(frozen=True)
class ItemSpec:
    """An item (项) of 附件2, with its responsible units as written."""

    number: int
    category: int
    text: str
    units: tuple[str, ...]
    projects: tuple[ProjectSpec, ...]


@dataclass(frozen=True)
class KeyProjectSpec:
    """A key project (重点民生实事项目) voted by the People's Congress."""

    number: int
    name: str
    text: str
    leaders: tuple[str, ...]
    units: tuple[str, ...]
    projects: tuple[str, ...]  # refs to ProjectSpec.number


@dataclass(frozen=True)
class CategorySpec:
    number: int
    name: str


@dataclass(frozen=True)
class DocumentSpec:
    number: str  # 文号, e.g. 锡政发〔2023〕5号
    notice_title: str
    title: str
    issuer: str
    date: date  # 成文日期
    published: dt.date | None  # in this class, `date` names the field above
    source_text: str  # the document in Simplified Chinese, as the site shows it
    original_text: str  # the document as published
    # A made-up plan of the labelled simulated cycle (plans/2024): not a government document.
    simulated: bool = False


@dataclass(frozen=True)
class Schedule:
    """The document's schedule: a share of the year's task by mid-year, all by the deadline."""

    midyear_date: date
    midyear_share: int  # percent
    deadline: date


@dataclass(frozen=True)
class DeclaredCounts:
    """The counts the document states about itself (10大类60项118个具体项目 ...)."""

    categories: int
    items: int
    projects: int
    key_projects: int
    key_project_projects: int


@dataclass(frozen=True)
class PlanSpec:
    year: int
    document: DocumentSpec
    schedule: Schedule
    declared: DeclaredCounts
    categories: tuple[CategorySpec, ...]
    items: tuple[ItemSpec, ...]
    key_projects: tuple[KeyProjectSpec, ...]

    @property
    def projects(self) -> tuple[ProjectSpec, ...]:
        return tuple(p for item in self.items for p in item.projects)


@dataclass(frozen=True)
class Problem:
    """One broken rule, located by subject (e.g. ("item", 9)) and field."""

    subject: tuple[str, int | str] | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.subject[0]} {self.subject[1]}: " if self.subject else ""
        return f"{where}{self.field}: {self.message}"


@dataclass
class _Problems:
    found: list[Problem] = field(default_factory=list)

    def check(
        self, ok: bool, subject: tuple[str, int | str] | None, field: str, message: str
    ) -> None:
        if not ok:
            self.found.append(Problem(subject, field, message))
