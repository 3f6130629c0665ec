"""Supervisors' forms: a supervision record with its findings, and a step on a finding."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from domain.supervision import KINDS
from minsheng_site.form_base import Form


class SupervisionForm(Form):
    kind = SelectField(
        _l("类型"),
        choices=[SelectChoice(k, name) for k, (_body, name) in KINDS.items()],
        validators=[DataRequired()],
    )
    held_on = DateField(_l("日期"), validators=[InputRequired(message=_l("请填写日期。"))])
    title = StringField(
        _l("标题"), validators=[DataRequired(message=_l("请填写标题。")), Length(max=200)]
    )
    summary = TextAreaField(_l("情况摘要"), validators=[Length(max=4000)])


FINDING_SLOTS = 3


def supervision_form(**kwargs: Any) -> Any:
    fields: dict[str, Any] = {}
    for n in range(FINDING_SLOTS):
        fields[f"finding-{n}-projects"] = StringField(
            _l("涉及的具体项目编号（同一条目，逗号分隔，如 9.1）"), validators=[Length(max=100)]
        )
        fields[f"finding-{n}-text"] = TextAreaField(_l("发现的问题"), validators=[Length(max=2000)])
    return type("SupervisionRecordForm", (SupervisionForm,), fields)(**kwargs)


def findings_of(form: Any) -> list[tuple[list[str], str]]:
    found = []
    for n in range(FINDING_SLOTS):
        listed = (form[f"finding-{n}-projects"].data or "").replace("，", ",")
        refs = [r.strip() for r in listed.split(",") if r.strip()]
        text = (form[f"finding-{n}-text"].data or "").strip()
        if refs or text:
            found.append((refs, text))
    return found


class StepForm(Form):
    text = TextAreaField(
        _l("说明"), validators=[DataRequired(message=_l("请填写说明。")), Length(max=2000)]
    )
