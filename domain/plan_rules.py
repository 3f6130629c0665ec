"""Rules every yearly plan satisfies, and how two versions of a plan differ."""

from __future__ import annotations

from collections import Counter
from dataclasses import fields, is_dataclass
from typing import Any

from domain.actors import is_simulated
from domain.errors import InvalidPlan
from domain.plan_spec import ItemSpec, KeyProjectSpec, PlanSpec, Problem, _Problems


def validate_plan(plan: PlanSpec) -> None:
    """Raise `InvalidPlan` listing every broken rule; return quietly otherwise."""
    problems = _Problems()
    _check_schedule(plan, problems)
    _check_numbering(plan, problems)
    for item in plan.items:
        _check_item(plan, item, problems)
    refs = {p.number for p in plan.projects}
    for key in plan.key_projects:
        _check_key_project(plan, key, refs, problems)
    members = Counter(ref for key in plan.key_projects for ref in key.projects)
    for ref, times in members.items():
        problems.check(times == 1, ("project", ref), "key_projects", "in more than one key project")
    _check_declared_counts(plan, len(members), problems)
    if problems.found:
        raise InvalidPlan(problems.found)


def validate_origins(plan: PlanSpec, previous: PlanSpec | None, actor: str) -> None:
    """Raise `InvalidPlan` when a plan's origins do not hold: a project continues one of the
    previous year's plan (registered first), and a simulated plan is written only by the
    labelled simulated year (actor "sim:..."), so that it can never pass for a real one."""
    problems = _Problems()
    problems.check(
        not plan.document.simulated or is_simulated(actor),
        None,
        "document.simulated",
        "a simulated plan is registered only by the simulated year (flask simulation load)",
    )
    earlier = {p.number for p in previous.projects} if previous else set()
    for project in plan.projects:
        if project.continues is None:
            continue
        problems.check(
            project.continues in earlier,
            ("project", project.number),
            "continues",
            f"no project {project.continues} in a registered {plan.year - 1} plan",
        )
    if problems.found:
        raise InvalidPlan(problems.found)


def _check_schedule(plan: PlanSpec, problems: _Problems) -> None:
    s = plan.schedule
    problems.check(
        plan.document.date.year <= plan.year, None, "document.date", "after the plan year"
    )
    problems.check(
        s.midyear_date.year == plan.year, None, "schedule.midyear_date", "not in the plan year"
    )
    problems.check(s.deadline.year == plan.year, None, "schedule.deadline", "not in the plan year")
    problems.check(
        s.midyear_date < s.deadline, None, "schedule", "mid-year date not before the deadline"
    )
    problems.check(
        0 < s.midyear_share < 100, None, "schedule.midyear_share", "not between 0 and 100"
    )


def _check_numbering(plan: PlanSpec, problems: _Problems) -> None:
    for kind, numbers in (
        ("categories", [c.number for c in plan.categories]),
        ("items", [i.number for i in plan.items]),
        ("key_projects", [k.number for k in plan.key_projects]),
    ):
        expected = list(range(1, len(numbers) + 1))
        problems.check(
            numbers == expected, None, kind, f"numbered {numbers}, expected 1..{len(numbers)}"
        )
    names = [c.name for c in plan.categories]
    problems.check(len(set(names)) == len(names), None, "categories", "names repeat")


def _check_item(plan: PlanSpec, item: ItemSpec, problems: _Problems) -> None:
    subject = ("item", item.number)
    categories = {c.number for c in plan.categories}
    problems.check(item.category in categories, subject, "category", f"no category {item.category}")
    problems.check(bool(item.text), subject, "text", "empty")
    problems.check(
        item.text in plan.document.source_text, subject, "text", "not found in the source document"
    )
    _check_units(item.units, subject, problems)
    problems.check(bool(item.projects), subject, "projects", "an item needs at least one project")
    for seq, project in enumerate(item.projects, start=1):
        where = ("project", project.number)
        problems.check(
            project.number == f"{item.number}.{seq}",
            where,
            "number",
            f"expected {item.number}.{seq}",
        )
        problems.check(bool(project.title), where, "title", "empty")
        problems.check(
            bool(project.text) and project.text in item.text,
            where,
            "text",
            "not part of the item's text",
        )
        problems.check(
            bool(project.targets or project.milestones),
            where,
            "targets",
            "neither a target nor a milestone",
        )
        for index, target in enumerate(project.targets):
            field = f"targets[{index}]"
            problems.check(
                target.amount > 0, where, field, f"amount {target.amount} is not positive"
            )
            problems.check(bool(target.unit.strip()), where, field, "no unit")
            problems.check(
                target.as_written in project.text,
                where,
                field,
                f"'{target.as_written}' is not in the project's text",
            )
        for index, milestone in enumerate(project.milestones):
            problems.check(
                bool(milestone) and milestone in project.text,
                where,
                f"milestones[{index}]",
                "not part of the project's text",
            )


def _check_key_project(
    plan: PlanSpec, key: KeyProjectSpec, refs: set[str], problems: _Problems
) -> None:
    subject = ("key_project", key.number)
    problems.check(bool(key.name), subject, "name", "empty")
    problems.check(
        f"{key.name}。{key.text}" in plan.document.source_text,
        subject,
        "text",
        "not found in the source document",
    )
    problems.check(bool(key.leaders), subject, "leaders", "no leader")
    _check_units(key.units, subject, problems)
    problems.check(bool(key.projects), subject, "projects", "no projects")
    for ref in key.projects:
        problems.check(ref in refs, subject, "projects", f"no project {ref}")


def _check_units(
    units: tuple[str, ...], subject: tuple[str, int | str], problems: _Problems
) -> None:
    problems.check(bool(units), subject, "units", "no responsible unit")
    problems.check(
        all(u.strip() == u and u for u in units), subject, "units", "a unit name is empty or padded"
    )
    problems.check(len(set(units)) == len(units), subject, "units", "a unit is listed twice")


def _check_declared_counts(plan: PlanSpec, key_members: int, problems: _Problems) -> None:
    d = plan.declared
    for name, declared, actual in (
        ("categories", d.categories, len(plan.categories)),
        ("items", d.items, len(plan.items)),
        ("projects", d.projects, len(plan.projects)),
        ("key_projects", d.key_projects, len(plan.key_projects)),
        ("key_project_projects", d.key_project_projects, key_members),
    ):
        problems.check(
            declared == actual,
            None,
            f"declared.{name}",
            f"the document says {declared}, the data has {actual}",
        )


def locate_in_source(source_text: str, text: str, prefix: str = "") -> int | None:
    """The 1-based line of the source document that states `text`.

    A line starting with `prefix + text` wins (an item is quoted again inside a
    key project's line of 附件1, but is numbered only in 附件2).
    """
    lines = source_text.splitlines()
    for number, line in enumerate(lines, start=1):
        if prefix and line.startswith(prefix + text):
            return number
    for number, line in enumerate(lines, start=1):
        if text in line:
            return number
    return None


def diff_plans(old: PlanSpec, new: PlanSpec) -> list[str]:
    """Human-readable differences between two plans, field by field."""
    out: list[str] = []
    _diff(_keyed(old), _keyed(new), "plan", out)
    return out


def _keyed(value: Any) -> Any:
    """Dataclasses to dicts, and sequences of numbered things to dicts by number."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _keyed(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple) and value and all(hasattr(v, "number") for v in value):
        return {f"#{v.number}": _keyed(v) for v in value}
    if isinstance(value, tuple):
        return [_keyed(v) for v in value]
    return value


def _diff(old: Any, new: Any, path: str, out: list[str]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in [*old, *(k for k in new if k not in old)]:
            where = f"{path}{key}" if key.startswith("#") else f"{path}.{key}"
            if key not in new:
                out.append(f"{where}: removed")
            elif key not in old:
                out.append(f"{where}: added")
            else:
                _diff(old[key], new[key], where, out)
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            _diff(a, b, f"{path}[{index}]", out)
    elif old != new:
        out.append(f"{path}: {_short(old)} → {_short(new)}")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


__all__ = ["Problem", "diff_plans", "locate_in_source", "validate_plan"]
