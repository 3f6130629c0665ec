"""Staff forms. The report form is built per item: one field per target and milestone."""

from __future__ import annotations

import re
from collections.abc import Iterable
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

from domain.progress import MAX_NARRATIVE, ProjectValues
from minsheng_site.form_base import Form
from projections.plans.queries import ProjectView

PLAIN_NUMBER = re.compile(r"^-?\d{1,12}(\.\d{1,4})?$")


class Quantity(Field):
    """A cumulative amount: a number of zero or more, commas allowed (1,500)."""

    widget = TextInput()

    def __call__(self, **kwargs: Any) -> Any:
        kwargs.setdefault("inputmode", "decimal")
        kwargs.setdefault("autocomplete", "off")
        return super().__call__(**kwargs)

    def _value(self) -> str:
        return "" if self.data is None else str(self.data)

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


class FilingFields(Form):
    narrative = TextAreaField(_l("进展说明"), validators=[Length(max=MAX_NARRATIVE)])
    evidence = TextAreaField(_l("佐证材料链接（每行一个网址，可不填）"), validators=[Optional()])
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


def filing_form(base: type[FilingFields], projects: Iterable[ProjectView], **kwargs: Any) -> Any:
    """A form class with a field per target amount and per milestone of these projects."""
    fields: dict[str, Any] = {}
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


def prefill(values: Iterable[ProjectValues]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for v in values:
        data.update({amount_field(v.ref, i): a for i, a in enumerate(v.amounts)})
        data.update({milestone_field(v.ref, i): m for i, m in enumerate(v.milestones)})
    return data


def form_field(problem_field: str) -> str | None:
    """The form field a domain problem is about ("9.1.amounts[0]" -> "amount-9.1-0")."""
    if problem_field.startswith("evidence"):
        return "evidence"
    for kind, name in ((".amounts[", amount_field), (".milestones[", milestone_field)):
        if kind in problem_field:
            ref, index = problem_field.split(kind)
            return name(ref, int(index.rstrip("]")))
    return problem_field if problem_field in ("period", "narrative", "reason") else None
