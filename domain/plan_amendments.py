"""Amendments of a registered plan: what may change, on what basis, and the plan as amended.

A plan is registered whole (`domain.plan`); later official decisions change it
by amendment, each an event (`Plan.Amended`) with its basis (the document's
number and date), a reason and the Wuxi day it takes effect (by default the
basis's date). What an amendment may do:

- `target`: change one target's amount of a specific project;
- `project_added`: add a specific project to an item (its ref is the item's next number);
- `project_merged`: merge a project into another (it leaves the counts, the other stays);
- `project_withdrawn`: withdraw a project (it leaves the counts from its effective day);
- `units`: change an item's responsible units (add, remove, replace: the new list whole;
  the unit named first leads).

Rules (each refusal names its field): the project or item must exist and still be in
the plan as amended so far; the basis's date and the effective day may not fall before
the plan's document date, nor after the year's deadline; the effective day may not fall
before the previous amendment's (amendments take effect in the order they are recorded,
so the plan on any day is the registered plan with the amendments in force by then,
applied in order); the basis number and the reason are required; a change that changes
nothing is refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from dataclasses import field as default
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from domain.errors import DomainError
from domain.plan_codec import project_from_data, project_to_data
from domain.plan_spec import ItemSpec, ProjectSpec, Target
from domain.text import clean_line, clean_text

KINDS = ("target", "project_added", "project_merged", "project_withdrawn", "units")
MAX_AMOUNT = Decimal("1e12")
MAX_LINE = 200
MAX_TEXT = 2000


@dataclass(frozen=True)
class AmendmentProblem:
    field: str
    code: str
    params: Mapping[str, Any] = default(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.field}: {self.code}" + (f" {dict(self.params)}" if self.params else "")


class AmendmentRefused(DomainError):
    """An amendment breaks one or more of this module's rules."""

    def __init__(self, problems: Sequence[AmendmentProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Basis:
    """The official decision an amendment rests on."""

    number: str  # 文号, e.g. 锡政办发〔2023〕40号
    date: date


@dataclass(frozen=True)
class Change:
    """What an amendment asks for, before it is checked against the plan."""

    kind: str
    item: int | None = None  # project_added, units
    project: str = ""  # target, project_merged, project_withdrawn
    target: int = 0  # target: the index of the target in the project's list
    amount: Decimal | None = None  # target: the new amount
    into: str = ""  # project_merged
    units: tuple[str, ...] = ()  # units: the new list, lead first
    title: str = ""  # project_added
    text: str = ""  # project_added
    targets: tuple[Target, ...] = ()  # project_added
    milestones: tuple[str, ...] = ()  # project_added


@dataclass(frozen=True)
class Amendment:
    """An amendment as recorded: the change resolved against the plan (old and new)."""

    number: int  # 1, 2, ... within the year
    kind: str
    item: int
    project: str  # the project concerned ("" for units); for project_added, its new ref
    change: Mapping[str, Any]  # kind-specific, JSON-ready: old and new values
    basis: Basis
    effective: date
    reason: str


@dataclass(frozen=True)
class AmendedItem:
    """An item as amended: its units and its projects in force (registered and added)."""

    number: int
    units: tuple[str, ...]
    projects: tuple[ProjectSpec, ...]
    gone: Mapping[str, str] = default(default_factory=dict)  # ref -> "withdrawn" | "merged:<ref>"


def amended_items(
    items: Sequence[ItemSpec], amendments: Sequence[Amendment]
) -> dict[int, AmendedItem]:
    """The items with `amendments` applied in order (pick those in force on a day first)."""
    state = {i.number: AmendedItem(i.number, tuple(i.units), tuple(i.projects), {}) for i in items}
    for a in amendments:
        item = state[a.item]
        if a.kind == "units":
            state[a.item] = replace(item, units=tuple(a.change["new"]))
        elif a.kind == "project_added":
            added = project_from_data(a.change["project"])
            state[a.item] = replace(item, projects=(*item.projects, added))
        elif a.kind == "target":
            index, new = a.change["target"], Decimal(a.change["new"])
            projects = tuple(
                replace(
                    p,
                    targets=tuple(
                        replace(t, amount=new) if i == index else t for i, t in enumerate(p.targets)
                    ),
                )
                if p.number == a.project
                else p
                for p in item.projects
            )
            state[a.item] = replace(item, projects=projects)
        elif a.kind in ("project_merged", "project_withdrawn"):
            fate = f"merged:{a.change['into']}" if a.kind == "project_merged" else "withdrawn"
            state[a.item] = replace(
                item,
                projects=tuple(p for p in item.projects if p.number != a.project),
                gone={**item.gone, a.project: fate},
            )
    return state


@dataclass(frozen=True)
class PlanFacts:
    """What the rules need to know of the plan itself."""

    year: int
    document_date: date
    deadline: date


def resolve(
    change: Change,
    basis: Basis,
    effective: date | None,
    reason: str,
    plan: PlanFacts,
    items: Sequence[ItemSpec],
    earlier: Sequence[Amendment],
    today: date,
) -> Amendment:
    """The amendment `change` makes of the plan as amended by `earlier`, or the refusal."""
    problems: list[AmendmentProblem] = []

    def refuse(where: str, code: str, **params: Any) -> None:
        problems.append(AmendmentProblem(where, code, params))

    number_text = clean_line(basis.number)
    reason_text = clean_line(reason)
    if not number_text:
        refuse("basis_number", "required")
    elif len(number_text) > MAX_LINE:
        refuse("basis_number", "too_long", limit=MAX_LINE)
    if not reason_text:
        refuse("reason", "required")
    elif len(reason_text) > MAX_TEXT:
        refuse("reason", "too_long", limit=MAX_TEXT)
    when = effective or basis.date
    if basis.date < plan.document_date:
        refuse("basis_date", "before_plan", plan=plan.document_date.isoformat())
    if basis.date > today:
        refuse("basis_date", "future")
    if when < plan.document_date:
        refuse("effective", "before_plan", plan=plan.document_date.isoformat())
    if when > plan.deadline:
        refuse("effective", "after_deadline", deadline=plan.deadline.isoformat())
    if earlier and when < earlier[-1].effective:
        refuse("effective", "before_previous", previous=earlier[-1].effective.isoformat())
    if change.kind not in KINDS:
        refuse("kind", "unknown")
        raise AmendmentRefused(problems)

    state = amended_items(items, earlier)
    projects = {p.number: (n, p) for n, i in state.items() for p in i.projects}
    gone = {ref: fate for i in state.values() for ref, fate in i.gone.items()}

    def project(where: str, ref: str) -> tuple[int, ProjectSpec] | None:
        if ref in gone:
            refuse(where, "gone", project=ref)
        elif ref not in projects:
            refuse(where, "no_such_project", project=ref)
        return projects.get(ref)

    item_number, ref = 0, ""
    data: dict[str, Any] = {}
    if change.kind == "units":
        if change.item not in state:
            refuse("item", "no_such_item", item=change.item or "")
        units = tuple(clean_line(u) for u in change.units)
        if not units or not all(units):
            refuse("units", "required")
        elif len(set(units)) != len(units):
            refuse("units", "repeated")
        elif any(len(u) > 64 for u in units):
            refuse("units", "too_long", limit=64)
        elif change.item in state and units == state[change.item].units:
            refuse("units", "unchanged")
        if change.item in state:
            item_number = change.item
            data = {"old": list(state[change.item].units), "new": list(units)}
    elif change.kind == "project_added":
        if change.item not in state:
            refuse("item", "no_such_item", item=change.item or "")
        title, text = clean_line(change.title), clean_text(change.text)
        if not title:
            refuse("title", "required")
        elif len(title) > MAX_LINE:
            refuse("title", "too_long", limit=MAX_LINE)
        if len(text) > MAX_TEXT:
            refuse("text", "too_long", limit=MAX_TEXT)
        milestones = tuple(clean_line(m) for m in change.milestones if clean_line(m))
        if not change.targets and not milestones:
            refuse("targets", "required")
        for i, t in enumerate(change.targets):
            if not clean_line(t.label) or not clean_line(t.unit):
                refuse(f"targets[{i}]", "required")
            if not _quantity(t.amount) or t.amount == 0:
                refuse(f"targets[{i}]", "not_a_quantity")
        if change.item in state:
            item_number = change.item
            taken = {
                int(p.number.split(".")[1])
                for p in state[change.item].projects
                if p.number.split(".")[1].isdigit()
            } | {int(r.split(".")[1]) for r in gone if r.split(".")[0] == str(change.item)}
            ref = f"{change.item}.{max(taken, default=0) + 1}"
            targets = tuple(
                Target(clean_line(t.label), t.amount, clean_line(t.unit), t.at_least)
                for t in change.targets
            )
            spec = ProjectSpec(ref, title, text or title, targets, milestones)
            data = {"project": project_to_data(spec)}
    elif change.kind == "target":
        found = project("project", change.project)
        if found:
            item_number, spec = found
            ref = spec.number
            if not 0 <= change.target < len(spec.targets):
                refuse("target", "no_such_target", count=len(spec.targets))
            elif change.amount is None or not _quantity(change.amount):
                refuse("amount", "not_a_quantity")
            else:
                old = spec.targets[change.target]
                if change.amount == old.amount:
                    refuse("amount", "unchanged")
                data = {
                    "target": change.target,
                    "label": old.label,
                    "unit": old.unit,
                    "old": str(old.amount),
                    "new": str(change.amount),
                }
    else:  # project_merged, project_withdrawn
        found = project("project", change.project)
        if found:
            item_number, spec = found
            ref = spec.number
            data = {"title": spec.title}
        if change.kind == "project_merged":
            if change.into == change.project:
                refuse("into", "same_project")
            elif project("into", change.into):
                data["into"] = change.into
    if problems:
        raise AmendmentRefused(problems)
    return Amendment(
        number=len(earlier) + 1,
        kind=change.kind,
        item=item_number,
        project=ref,
        change=data,
        basis=Basis(number_text, basis.date),
        effective=when,
        reason=reason_text,
    )


def _quantity(amount: Decimal) -> bool:
    try:
        return amount.is_finite() and Decimal(0) <= amount <= MAX_AMOUNT
    except InvalidOperation:
        return False


def in_force(amendments: Sequence[Amendment], day: date) -> list[Amendment]:
    """The amendments in force on `day` (recorded ones only: pass those recorded by then)."""
    return [a for a in amendments if a.effective <= day]


def amendment_to_data(a: Amendment) -> dict[str, Any]:
    return {
        "number": a.number,
        "kind": a.kind,
        "item": a.item,
        "project": a.project,
        "change": dict(a.change),
        "basis_number": a.basis.number,
        "basis_date": a.basis.date.isoformat(),
        "effective": a.effective.isoformat(),
        "reason": a.reason,
    }


def amendment_from_data(d: Mapping[str, Any]) -> Amendment:
    return Amendment(
        number=d["number"],
        kind=d["kind"],
        item=d["item"],
        project=d["project"],
        change=d["change"],
        basis=Basis(d["basis_number"], date.fromisoformat(d["basis_date"])),
        effective=date.fromisoformat(d["effective"]),
        reason=d["reason"],
    )
