"""Reading a plan data file (YAML) into a `PlanSpec`, with errors that point at lines.

Every problem is reported as ``file:line: field: message``: YAML syntax errors
from the parser, shape errors from pydantic, and the domain's plan rules,
each mapped back to the line of the offending node.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from domain.errors import InvalidPlan
from domain.plan_rules import validate_plan
from domain.plan_spec import (
    CategorySpec,
    DeclaredCounts,
    DocumentSpec,
    ItemSpec,
    KeyProjectSpec,
    PlanSpec,
    ProjectSpec,
    Schedule,
    Target,
)


@dataclass(frozen=True)
class FileProblem:
    path: Path
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class PlanFileError(Exception):
    """The plan file cannot be read; nothing was registered."""

    def __init__(self, problems: Sequence[FileProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Target(_Strict):
    label: str = Field(min_length=1)
    amount: Decimal = Field(allow_inf_nan=False)
    unit: str = Field(min_length=1)
    at_least: bool = False


class _Project(_Strict):
    number: str = Field(pattern=r"^\d+\.\d+$")
    title: str = Field(min_length=1)
    text: str = Field(min_length=1)
    targets: list[_Target] = []
    milestones: list[str] = []
    candidate: str | None = Field(default=None, pattern=r"^C[1-9]\d{0,3}$")
    continues: str | None = Field(default=None, pattern=r"^\d+\.\d+$")


class _Item(_Strict):
    number: int
    text: str = Field(min_length=1)
    units: list[str] = Field(min_length=1)
    projects: list[_Project] = Field(min_length=1)


class _Category(_Strict):
    number: int
    name: str = Field(min_length=1)
    items: list[_Item] = Field(min_length=1)


class _KeyProject(_Strict):
    number: int
    name: str = Field(min_length=1)
    text: str = Field(min_length=1)
    leaders: list[str] = Field(min_length=1)
    units: list[str] = Field(min_length=1)
    projects: list[str] = Field(min_length=1)


class _Document(_Strict):
    number: str = Field(min_length=1)
    notice_title: str = Field(min_length=1)
    title: str = Field(min_length=1)
    issuer: str = Field(min_length=1)
    date: date
    published: dt.date | None = None  # in this class, `date` names the field above
    source: str = Field(min_length=1)
    original: str = Field(min_length=1)
    simulated: bool = False


class _Schedule(_Strict):
    midyear_date: date
    midyear_share: int
    deadline: date


class _Declared(_Strict):
    categories: int
    items: int
    projects: int
    key_projects: int
    key_project_projects: int


class _PlanFile(_Strict):
    year: int = Field(ge=2000, le=2100)
    document: _Document
    schedule: _Schedule
    declared: _Declared
    categories: list[_Category] = Field(min_length=1)
    key_projects: list[_KeyProject] = []


def load_plan_file(path: Path | str) -> PlanSpec:
    """Parse and check a plan file; raise `PlanFileError` naming every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PlanFileError([FileProblem(path, None, "", f"cannot read: {error}")]) from error
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else None
        message = getattr(error, "problem", None) or str(error)
        raise PlanFileError([FileProblem(path, line, "", f"not valid YAML: {message}")]) from error
    try:
        parsed = _PlanFile.model_validate(data)
    except ValidationError as error:
        raise PlanFileError(
            [
                FileProblem(path, _line_of(root, e["loc"]), _dotted(e["loc"]), e["msg"])
                for e in error.errors()
            ]
        ) from error
    spec = _to_spec(parsed, path)
    try:
        validate_plan(spec)
    except InvalidPlan as invalid:
        lines = _subject_lines(root)
        raise PlanFileError(
            [
                FileProblem(
                    path,
                    lines.get(p.subject or ("plan", 0)),
                    _subject_field(p.subject, p.field),
                    p.message,
                )
                for p in invalid.problems
            ]
        ) from invalid
    return spec


def _to_spec(parsed: _PlanFile, path: Path) -> PlanSpec:
    doc = parsed.document
    source_text = _read_beside(path, doc.source, "document.source")
    original_text = _read_beside(path, doc.original, "document.original")
    return PlanSpec(
        year=parsed.year,
        document=DocumentSpec(
            doc.number,
            doc.notice_title,
            doc.title,
            doc.issuer,
            doc.date,
            doc.published,
            source_text,
            original_text,
            doc.simulated,
        ),
        schedule=Schedule(**parsed.schedule.model_dump()),
        declared=DeclaredCounts(**parsed.declared.model_dump()),
        categories=tuple(CategorySpec(c.number, c.name) for c in parsed.categories),
        items=tuple(
            ItemSpec(
                number=i.number,
                category=c.number,
                text=i.text,
                units=tuple(i.units),
                projects=tuple(
                    ProjectSpec(
                        p.number,
                        p.title,
                        p.text,
                        tuple(Target(t.label, t.amount, t.unit, t.at_least) for t in p.targets),
                        tuple(p.milestones),
                        p.candidate,
                        p.continues,
                    )
                    for p in i.projects
                ),
            )
            for c in parsed.categories
            for i in c.items
        ),
        key_projects=tuple(
            KeyProjectSpec(
                k.number, k.name, k.text, tuple(k.leaders), tuple(k.units), tuple(k.projects)
            )
            for k in parsed.key_projects
        ),
    )


def _read_beside(path: Path, name: str, field: str) -> str:
    source = path.parent / name
    try:
        return source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        problem = FileProblem(path, None, field, f"cannot read {source}: {error}")
        raise PlanFileError([problem]) from error


def _dotted(loc: Sequence[Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _line_of(root: yaml.Node | None, loc: Sequence[Any]) -> int | None:
    """The line of the deepest YAML node that `loc` reaches."""
    node = root
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        node = _child(node, part)
        if node is None:
            break
        line = node.start_mark.line + 1
    return line


def _child(node: yaml.Node | None, part: Any) -> yaml.Node | None:
    # The stubs leave a node's value untyped: a mapping holds (key, value) node pairs,
    # a sequence holds nodes.
    if isinstance(node, yaml.MappingNode):
        pairs: list[tuple[yaml.Node, yaml.Node]] = node.value
        for key, value in pairs:
            if key.value == part:
                return value
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        items: list[yaml.Node] = node.value
        return items[part]
    return None


def _subject_lines(root: yaml.Node | None) -> dict[tuple[str, int | str], int]:
    """Lines of each category, item, project and key project, by their numbers."""
    lines: dict[tuple[str, int | str], int] = {("plan", 0): 1}
    for kind, path in (("category", ("categories",)), ("key_project", ("key_projects",))):
        for node in _seq(_walk(root, path)):
            _note(lines, kind, node, int)
    for category in _seq(_walk(root, ("categories",))):
        for item in _seq(_walk(category, ("items",))):
            _note(lines, "item", item, int)
            for project in _seq(_walk(item, ("projects",))):
                _note(lines, "project", project, str)
    return lines


def _walk(node: yaml.Node | None, path: Sequence[str]) -> yaml.Node | None:
    for part in path:
        node = _child(node, part)
    return node


def _seq(node: yaml.Node | None) -> list[yaml.Node]:
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def _note(lines: dict[tuple[str, int | str], int], kind: str, node: yaml.Node, cast: Any) -> None:
    number = _child(node, "number")
    if isinstance(number, yaml.ScalarNode):
        with suppress(ValueError):  # a malformed number is reported by the shape check
            lines[(kind, cast(number.value))] = node.start_mark.line + 1


def _subject_field(subject: tuple[str, int | str] | None, field: str) -> str:
    return f"{subject[0]} {subject[1]}: {field}" if subject else field
