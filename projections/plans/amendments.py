"""Amendments of registered plans: one row per `Plan.Amended`, never updated.

The plan as amended on a day is the catalog (the plan as registered) with the amendments
in force that day applied on read (`amended_items`): amendments are few, so time travel
needs no other read model and a page's cost does not grow with the log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from sqlalchemy import JSON, Boolean, Connection, Date, Integer, String, Text, insert, select
from sqlalchemy.orm import Mapped, mapped_column

from domain.actors import is_simulated
from domain.plan import Plan
from domain.wuxi import end_of_day
from projections.database import ReadModel, UtcDateTime
from projections.plans import queries as q
from projections.projection import Projection, unhandled
from projections.publiclog.public_entries import event_uuid


class PlanAmendmentRow(ReadModel):
    __tablename__ = "plan_amendments"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    item: Mapped[int] = mapped_column(Integer)
    project: Mapped[str] = mapped_column(String(16))
    change: Mapped[dict[str, Any]] = mapped_column(JSON)
    basis_number: Mapped[str] = mapped_column(Text)
    basis_date: Mapped[date] = mapped_column(Date)
    effective: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    simulated: Mapped[bool] = mapped_column(Boolean)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    uuid: Mapped[str] = mapped_column(String(36))  # its entry in the public log (/events/<uuid>)
    event_id: Mapped[int] = mapped_column(Integer, unique=True)


class PlanAmendments(Projection):
    name = "plan_amendments"
    version = 1
    tables = (PlanAmendmentRow,)

    @singledispatchmethod
    def process_event(self, event: object, c: Connection, position: int) -> None:
        unhandled(self, event)

    @process_event.register
    def _amended(self, e: Plan.Amended, c: Connection, position: int) -> None:
        c.execute(
            insert(PlanAmendmentRow.__table__),
            {
                "year": e.year,
                "number": e.number,
                "kind": e.kind,
                "item": e.item,
                "project": e.project,
                "change": e.change,
                "basis_number": e.basis_number,
                "basis_date": date.fromisoformat(e.basis_date),
                "effective": date.fromisoformat(e.effective),
                "reason": e.reason,
                "simulated": is_simulated(e.actor),
                "recorded_at": e.timestamp,
                "uuid": event_uuid(e.originator_id, e.originator_version),
                "event_id": position,
            },
        )


@dataclass(frozen=True)
class AmendmentView:
    year: int
    number: int
    kind: str
    item: int
    project: str
    change: dict[str, Any]
    basis_number: str
    basis_date: date
    effective: date
    reason: str
    simulated: bool
    recorded_at: datetime
    uuid: str

    @property
    def subject(self) -> str:
        """What it amends: "9.1" or "第9项" style keys for pages ("item:9" for units)."""
        return self.project or f"item:{self.item}"


def amendments(c: Connection, year: int, as_of: date | None = None) -> list[AmendmentView]:
    """The year's amendments in order; with `as_of`, those in force that day: recorded by its
    end (Wuxi) and effective by then (the plan as it stood, as the site showed it)."""
    query = select(PlanAmendmentRow.__table__).where(PlanAmendmentRow.year == year)
    if as_of is not None:
        query = query.where(
            PlanAmendmentRow.effective <= as_of,
            PlanAmendmentRow.recorded_at < end_of_day(as_of),
        )
    rows = c.execute(query.order_by(PlanAmendmentRow.number))
    return [
        AmendmentView(
            r.year,
            r.number,
            r.kind,
            r.item,
            r.project,
            dict(r.change),
            r.basis_number,
            r.basis_date,
            r.effective,
            r.reason,
            r.simulated,
            r.recorded_at,
            r.uuid,
        )
        for r in rows
    ]


def amended_items(
    items: Sequence[q.ItemView], applied: Sequence[AmendmentView]
) -> list[q.ItemView]:
    """The items with `applied` amendments in effect: units replaced, targets changed,
    projects added, merged or withdrawn projects gone (they leave the counts)."""
    by_number = {i.number: i for i in items}
    for a in applied:
        item = by_number.get(a.item)
        if item is None:
            continue
        if a.kind == "units":
            item = replace(item, units=tuple(a.change["new"]))
        elif a.kind == "project_added":
            item = replace(item, projects=(*item.projects, _added(item, a)))
        elif a.kind == "target":
            item = replace(item, projects=tuple(_retarget(p, a) for p in item.projects))
        elif a.kind in ("project_merged", "project_withdrawn"):
            item = replace(item, projects=tuple(p for p in item.projects if p.ref != a.project))
        by_number[a.item] = item
    return [by_number[i.number] for i in items]


def _added(item: q.ItemView, a: AmendmentView) -> q.ProjectView:
    p = a.change["project"]
    return q.ProjectView(
        item.year,
        p["number"],
        item.number,
        item.category,
        p["title"],
        p["text"],
        tuple(
            q.TargetView(t["label"], Decimal(t["amount"]), t["unit"], t["at_least"])
            for t in p["targets"]
        ),
        tuple(p["milestones"]),
        None,
    )


def added_project(c: Connection, year: int, ref: str) -> q.ProjectView | None:
    """A project an amendment added (the catalog holds the registered ones), as added."""
    for a in amendments(c, year):
        if a.kind == "project_added" and a.project == ref:
            item = q.item(c, year, a.item)
            return _added(item, a) if item else None
    return None


def _retarget(project: q.ProjectView, a: AmendmentView) -> q.ProjectView:
    if project.ref != a.project:
        return project
    index, new = a.change["target"], Decimal(a.change["new"])
    targets = tuple(
        replace(t, amount=new) if i == index else t for i, t in enumerate(project.targets)
    )
    return replace(project, targets=targets)


def amended_item(c: Connection, item: q.ItemView, as_of: date) -> q.ItemView:
    return amended_items([item], amendments(c, item.year, as_of))[0]


def amended_project(c: Connection, project: q.ProjectView, as_of: date) -> q.ProjectView | None:
    """The project as amended that day; None once withdrawn or merged into another."""
    item = q.item(c, project.year, project.item)
    if item is None:
        return project
    return next((p for p in amended_item(c, item, as_of).projects if p.ref == project.ref), None)


def marks(rows: Sequence[AmendmentView]) -> dict[str, list[AmendmentView]]:
    """The amendments by what they amend: "item:<n>" and project refs (pages mark them)."""
    found: dict[str, list[AmendmentView]] = {}
    for a in rows:
        found.setdefault(f"item:{a.item}", []).append(a)
        if a.project:
            found.setdefault(a.project, []).append(a)
        if a.kind == "project_merged":
            found.setdefault(a.change["into"], []).append(a)
    return found


# The plan in force on a day, for the pages that list it ---------------------------------
# The catalog holds the plan as registered; progress, schedule and evaluation count the plan
# as amended (progress_queries). Pages that list items, projects and units read these, so
# that what they list is what is counted: a withdrawn project is not listed as in the plan,
# an added one is, and a unit newly made responsible has its page. `applied`: the
# amendments in force that day (`amendments(c, year, as_of)`, which pages also mark with).


def items_in_force(
    c: Connection, year: int, applied: Sequence[AmendmentView], *, category: int | None = None
) -> list[q.ItemView]:
    """The year's items (of one category) with the `applied` amendments in effect."""
    registered = q.items(c, year, category=category)
    return amended_items(registered, applied) if applied else registered


def projects_in_force(
    c: Connection,
    year: int,
    applied: Sequence[AmendmentView],
    *,
    category: int | None = None,
    key_project: int | None = None,
    key_only: bool = False,
) -> list[q.ProjectView]:
    """The specific projects in the plan with `applied` in effect (filtered as q.projects)."""
    if not applied:
        return q.projects(c, year, category=category, key_project=key_project, key_only=key_only)
    found = [p for i in items_in_force(c, year, applied, category=category) for p in i.projects]
    if key_project is not None:
        found = [p for p in found if p.key_project == key_project]
    if key_only:
        found = [p for p in found if p.key_project is not None]
    return found


def units_in_force(
    c: Connection, year: int, applied: Sequence[AmendmentView]
) -> list[q.UnitSummary]:
    """Every unit responsible with `applied` in effect (an item's units as amended)."""
    if not any(a.kind == "units" for a in applied):
        return q.units(c, year)
    tally: dict[str, list[int]] = {}
    for item in amended_items(q.items(c, year), applied):
        for position, unit in enumerate(item.units):
            counts = tally.setdefault(unit, [0, 0, 0])
            counts[0] += 1
            counts[1] += position == 0
    for key in q.key_projects(c, year):
        for unit in key.units:
            tally.setdefault(unit, [0, 0, 0])[2] += 1
    return q.unit_summaries(tally)


def unit_in_force(
    c: Connection, year: int, name: str, applied: Sequence[AmendmentView]
) -> q.UnitView | None:
    """A unit's items with `applied` in effect (led, shared) and its key projects; None for
    a unit responsible for nothing then."""
    registered = q.unit(c, year, name)
    if not applied:
        return registered
    items = amended_items(q.items(c, year), applied)
    led = tuple(i for i in items if i.units[:1] == (name,))
    shared = tuple(i for i in items if name in i.units[1:])
    keys = registered.key_projects if registered else ()
    if not (led or shared or keys):
        return None
    return q.UnitView(year, name, led, shared, keys)
