"""Staff forms. The report form is built per item: one field per target and milestone, and
one per district of each target its districts may break down (optional, all or none)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    SelectField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import TextInput

from domain.districts import DISTRICTS, Breakdown, DistrictAmount, divisible
from domain.progress import MAX_NARRATIVE, ProjectValues
from minsheng_site.form_base import Form
from minsheng_site.photos import PhotosField
from projections.plans.queries import ProjectView, TargetView

PLAIN_NUMBER = re.compile(r"^-?\d{1,12}(\.\d{1,4})?$")


class Quantity(Field):
    """A cumulative amount: a number of zero or more, commas allowed (1,500)."""

    widget = TextInput()

    def __call__(self, **kwargs: Any) -> Any:
        kwargs.setdefault("inputmode", "decimal")
        kwargs.setdefault("autocomplete", "off")
        return super().__call__(**kwargs)

    def _value(self) -> str:
        if self.data is None:  # blank, or not a number: shown again as typed, to be fixed
            return str(self.raw_data[0]) if self.raw_data else ""
        return str(self.data)

    def process_formdata(self, valuelist: list[Any]) -> None:
        raw = (valuelist[0] if valuelist else "").strip().replace(",", "").replace("，", "")
        self.data = None
        if not raw:
            return
        if not PLAIN_NUMBER.match(raw):  # no exponents, no words, no absurd sizes
            raise ValueError(_l("请填写数字，例如 120 或 3.5。"))
        self.data = Decimal(raw)


def amount_field(ref: str, index: int) -> str:
    return f"amount-{ref}-{index}"


def milestone_field(ref: str, index: int) -> str:
    return f"milestone-{ref}-{index}"


def district_field(ref: str, index: int, district: str) -> str:
    # the district's place in the list, not its name: field names and ids stay ASCII
    return f"district-{ref}-{index}-{DISTRICTS.index(district)}"


Scopes = Mapping[str, tuple[str, ...]]  # each project's districts, by ref
# A project's targets that its districts may break down: (index, target, [(district, field)])
Layout = list[tuple[int, TargetView, list[tuple[str, str]]]]


def breakdown_layout(projects: Iterable[ProjectView], scopes: Scopes) -> dict[str, Layout]:
    """Which district fields the form has, project by project, in the order shown."""
    return {
        p.ref: [
            (i, t, [(d, district_field(p.ref, i, d)) for d in scopes[p.ref]])
            for i, t in enumerate(p.targets)
            if divisible(t.unit)
        ]
        for p in projects
        if scopes.get(p.ref)
    }


class FilingFields(Form):
    narrative = TextAreaField(_l("进展说明"), validators=[Length(max=MAX_NARRATIVE)])
    evidence = TextAreaField(_l("佐证材料链接（每行一个网址，可不填）"), validators=[Optional()])
    # Photos of the work, public with the report (stripped of location and device).
    photos = PhotosField(_l("现场照片（可不填，随报告公开）"))
    expected_version = HiddenField()

    def links(self) -> tuple[str, ...]:
        return tuple(
            line.strip() for line in (self.evidence.data or "").splitlines() if line.strip()
        )

    def version(self) -> int | None:
        raw = str(self.expected_version.data or "")
        return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None


class NewReport(FilingFields):
    period = SelectField(_l("报告月份"), validators=[DataRequired(message=_l("请选择报告月份。"))])


class Correction(FilingFields):
    reason = TextAreaField(
        _l("更正原因"), validators=[DataRequired(message=_l("请说明更正原因。")), Length(max=500)]
    )


def filing_form(
    base: type[FilingFields],
    projects: Iterable[ProjectView],
    scopes: Scopes | None = None,
    **kwargs: Any,
) -> Any:
    """A form class with a field per target amount and per milestone of these projects, and
    per district of each target its districts may break down (`scopes`)."""
    projects = list(projects)
    fields: dict[str, Any] = {}
    for ref, layout in breakdown_layout(projects, scopes or {}).items():
        for _index, target, named in layout:
            for district, name in named:
                fields[name] = Quantity(
                    f"{ref} {target.label} · {district}",
                    validators=[Optional(), NumberRange(min=0, message=_l("不能为负数。"))],
                )
    for project in projects:
        for i, target in enumerate(project.targets):
            fields[amount_field(project.ref, i)] = Quantity(
                f"{target.label}（{target.unit}，累计）",
                validators=[
                    InputRequired(message=_l("请填写累计完成数。")),
                    NumberRange(min=0, message=_l("不能为负数。")),
                ],
            )
        for i, milestone in enumerate(project.milestones):
            fields[milestone_field(project.ref, i)] = BooleanField(milestone)
    return type(base.__name__, (base,), fields)(**kwargs)


def values_of(form: Any, projects: Iterable[ProjectView]) -> tuple[ProjectValues, ...]:
    return tuple(
        ProjectValues(
            p.ref,
            tuple(form[amount_field(p.ref, i)].data for i in range(len(p.targets))),
            tuple(bool(form[milestone_field(p.ref, i)].data) for i in range(len(p.milestones))),
        )
        for p in projects
    )


def districts_of(form: Any, projects: Iterable[ProjectView], scopes: Scopes | None) -> Breakdown:
    """The breakdown typed: a target's districts when any of them is filled in (the ledger
    names the blank ones), none for a target left blank."""
    given: list[DistrictAmount] = []
    for ref, layout in breakdown_layout(projects, scopes or {}).items():
        for index, _target, named in layout:
            typed = [(d, form[name].data) for d, name in named]
            given += [DistrictAmount(ref, index, d, a) for d, a in typed if a is not None]
    return tuple(given)


def prefill(values: Iterable[ProjectValues], districts: Breakdown = ()) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for v in values:
        data.update({amount_field(v.ref, i): a for i, a in enumerate(v.amounts)})
        data.update({milestone_field(v.ref, i): m for i, m in enumerate(v.milestones)})
    for d in districts:
        if d.district in DISTRICTS:
            data[district_field(d.ref, d.target, d.district)] = d.amount
    return data


def form_field(problem_field: str) -> str | None:
    """The form field a domain problem is about ("9.1.amounts[0]" -> "amount-9.1-0";
    a district's "8.1.districts[0].梁溪区" -> its field; a target's sum -> its amount)."""
    if problem_field.startswith("evidence"):
        return "evidence"
    if ".districts[" in problem_field:
        ref, rest = problem_field.split(".districts[", 1)
        index, _, district = rest.partition("].")
        index = index.rstrip("]")
        if not (index.isascii() and index.isdigit()):
            return None
        if not district:
            return amount_field(ref, int(index))
        return district_field(ref, int(index), district) if district in DISTRICTS else None
    for kind, name in ((".amounts[", amount_field), (".milestones[", milestone_field)):
        if kind in problem_field:
            ref, index = problem_field.split(kind)
            return name(ref, int(index.rstrip("]")))
    return problem_field if problem_field in ("period", "narrative", "reason") else None
