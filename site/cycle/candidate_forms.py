"""The task force's forms for the cycle's candidates: a conversion of cases, a candidate, the
congress vote (and its correction); and what each refusal says, on the field it is about."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from domain.candidates import CandidateError, Result, Target, VoteSpec, checked_target
from domain.cases import DISTRICTS
from minsheng_site.form_base import Form

_SPLIT = re.compile(r"[\s,，、;；]+")


def split_refs(text: str | None) -> list[str]:
    """Case numbers or refs typed one per line, or separated by spaces, commas or 、."""
    return [part for part in _SPLIT.split(text or "") if part]


class ConversionForm(Form):
    title = StringField(
        _l("转化名称（公开）"),
        validators=[DataRequired(message=_l("请填写名称。")), Length(max=80)],
    )
    problem = TextAreaField(
        _l("这一类问题（公开）"),
        validators=[DataRequired(message=_l("请说明这一类问题。")), Length(max=500)],
    )
    numbers = TextAreaField(
        _l("诉求编号（每行一个，或以空格、逗号分隔）"), validators=[Length(max=40000)]
    )
    from_board = BooleanField(_l("同时加入诉求公开栏中符合以下条件的全部诉求"))
    case_year = IntegerField(
        _l("受理年份"), validators=[Optional(), NumberRange(min=2000, max=2100)]
    )
    district = SelectField(
        _l("区域"),
        choices=[SelectChoice("", _l("全部")), *(SelectChoice(d, d) for d in DISTRICTS)],
        default="",
    )
    unit = StringField(_l("主办单位"), validators=[Length(max=64)])


class CandidateWords(Form):
    """What a candidate says of itself: listed with its sources, corrected with a reason."""

    title = StringField(
        _l("候选项目名称"), validators=[DataRequired(message=_l("请填写名称。")), Length(max=80)]
    )
    category = StringField(
        _l("方面"), validators=[DataRequired(message=_l("请填写方面。")), Length(max=40)]
    )
    description = TextAreaField(
        _l("项目说明"),
        validators=[DataRequired(message=_l("请填写项目说明。")), Length(max=2000)],
    )
    targets = TextAreaField(
        _l("预计目标（每行一项：名称 | 数量 | 单位）"), validators=[Length(max=2000)]
    )
    units = TextAreaField(
        _l("责任单位（牵头单位在前，每行一个或以顿号分隔）"),
        validators=[DataRequired(message=_l("请填写责任单位。")), Length(max=1000)],
    )


class CandidateForm(CandidateWords):
    sources = StringField(
        _l("来源（市民建议如 P17，诉求转化如 Z3，以空格或逗号分隔）"),
        validators=[DataRequired(message=_l("请填写来源。")), Length(max=400)],
    )


class CandidateCorrectionForm(CandidateWords):
    reason = TextAreaField(
        _l("更正原因（公开）"),
        validators=[DataRequired(message=_l("请说明更正原因。")), Length(max=500)],
    )


def correction_data(row: Any) -> dict[str, str]:
    """A listed candidate's words as its correction form starts from."""
    return {
        "title": row.title,
        "category": row.category,
        "description": row.description,
        "targets": "\n".join(f"{t['label']} | {t['amount']} | {t['unit']}" for t in row.targets),
        "units": "\n".join(row.units),
    }


def targets_of(form: CandidateWords) -> list[Target] | None:
    """The typed targets, or None after putting the first wrong line on the field."""
    found = []
    for n, line in enumerate((form.targets.data or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in re.split(r"[|｜]", line)]
        try:
            if len(parts) != 3:
                raise CandidateError("targets", "three parts")
            found.append(checked_target(*parts))
        except CandidateError:
            refuse(form, "targets", _("第%(n)s行应为“名称 | 正数 | 单位”。", n=n))
            return None
    return found


class VoteFields(Form):
    session = StringField(
        _l("会议名称"), validators=[DataRequired(message=_l("请填写会议名称。")), Length(max=120)]
    )
    held_on = DateField(_l("票决日期"), validators=[InputRequired(message=_l("请填写日期。"))])
    document_number = StringField(
        _l("公告文号"), validators=[DataRequired(message=_l("请填写文号。")), Length(max=60)]
    )
    document_url = StringField(
        _l("公告链接"), validators=[DataRequired(message=_l("请填写链接。")), Length(max=500)]
    )
    voting = IntegerField(
        _l("参加表决人数"),
        validators=[InputRequired(message=_l("请填写人数。")), NumberRange(min=1, max=100000)],
    )
    declared = IntegerField(
        _l("票决产生的重点项目数"),
        validators=[InputRequired(message=_l("请填写数目。")), NumberRange(min=1, max=999)],
    )


def vote_form(refs: list[str], correction: bool = False, **kwargs: Any) -> Any:
    """The vote's form with three figures and a "chosen" box per candidate (and, to correct a
    recorded vote, a public reason)."""
    fields: dict[str, Any] = {}
    figure = [InputRequired(message=_l("请填写票数。")), NumberRange(min=0, max=100000)]
    for ref in refs:
        fields[f"for_{ref}"] = IntegerField(_l("%(ref)s 赞成", ref=ref), validators=figure)
        fields[f"against_{ref}"] = IntegerField(_l("%(ref)s 反对", ref=ref), validators=figure)
        fields[f"abstain_{ref}"] = IntegerField(_l("%(ref)s 弃权", ref=ref), validators=figure)
        fields[f"chosen_{ref}"] = BooleanField(_l("%(ref)s 票决入选", ref=ref))
    if correction:
        fields["reason"] = TextAreaField(
            _l("更正原因（公开）"),
            validators=[DataRequired(message=_l("请说明更正原因。")), Length(max=500)],
        )
    name = "VoteCorrectionForm" if correction else "VoteForm"
    return type(name, (VoteFields,), fields)(**kwargs)


def vote_spec(form: Any, refs: list[str]) -> VoteSpec:
    return VoteSpec(
        session=form.session.data,
        held_on=form.held_on.data,
        document_number=form.document_number.data,
        document_url=form.document_url.data,
        voting=form.voting.data,
        declared=form.declared.data,
        results=tuple(
            Result(
                ref,
                form[f"for_{ref}"].data,
                form[f"against_{ref}"].data,
                form[f"abstain_{ref}"].data,
            )
            for ref in refs
        ),
        chosen=tuple(ref for ref in refs if form[f"chosen_{ref}"].data),
    )


def vote_data(vote: dict[str, Any]) -> dict[str, Any]:
    """A recorded vote as the form's data (to correct it)."""
    data: dict[str, Any] = {
        k: vote[k] for k in ("session", "document_number", "document_url", "voting", "declared")
    }
    data["held_on"] = date.fromisoformat(vote["held_on"])
    for r in vote["results"]:
        ref = r["candidate"]
        data |= {f"for_{ref}": r["for"], f"against_{ref}": r["against"]}
        data |= {f"abstain_{ref}": r["abstain"], f"chosen_{ref}": ref in vote["chosen"]}
    return data


def refuse(form: Any, field: str | None, message: str) -> None:
    """Say what is wrong on the field it is about (or above the form)."""
    if field and field in form:
        form[field].errors = [*form[field].errors, message]
        form._errors = None  # WTForms caches form.errors: let it be read again
    else:
        form.form_errors.append(message)


# Each refusal of domain.candidates: (the field it is about, its words). "{s}": the case or
# candidate it names.
PROBLEMS: dict[str, tuple[str | None, Any]] = {
    "title": ("title", _l("请填写名称（不超过80字，不含手机号）。")),
    "problem": ("problem", _l("请说明这一类问题（不超过500字，不含手机号）。")),
    "cases": ("numbers", _l("请列出至少一件诉求，每件只列一次（%(s)s）。")),
    "unknown_case": ("numbers", _l("没有编号为%(s)s的诉求。")),
    "converted": ("numbers", _l("诉求%(s)s已归入本年度的另一项转化。")),
    "no_consent": (
        "numbers",
        _l("诉求%(s)s的市民没有同意公开诉求内容，不能列入转化（转化会公开它反映的问题）。"),
    ),
    "category": ("category", _l("请填写方面。")),
    "description": ("description", _l("请填写项目说明（不超过2000字，不含手机号）。")),
    "sources": ("sources", _l("来源须为市民建议（P17）或已有的诉求转化（Z3）：%(s)s。")),
    "targets": ("targets", _l("预计目标有误。")),
    "units": ("units", _l("请填写责任单位（不超过12个）。")),
    "voted": (None, _l("票决结果已经记录，候选项目名单不能再增加。")),
    "session": ("session", _l("请填写会议名称。")),
    "document_number": ("document_number", _l("请填写文号。")),
    "document_url": ("document_url", _l("请填写公告链接（http 或 https）。")),
    "voting": ("voting", _l("参加表决人数须为正数。")),
    "results": (None, _l("还没有候选项目，不能记录票决结果。")),
    "unknown": (None, _l("%(s)s不是候选项目。")),
    "twice": (None, _l("%(s)s的票数填了两次。")),
    "negative": ("for_{s}", _l("%(s)s的票数不能为负数。")),
    "sum": ("for_{s}", _l("%(s)s的赞成、反对、弃权票数之和不等于参加表决人数。")),
    "missing": ("for_{s}", _l("%(s)s缺少票数。")),
    "declared": ("declared", _l("票决产生的项目数须在1和候选项目数之间。")),
    "chosen": (None, _l("同一候选项目入选了两次。")),
    "count": ("declared", _l("勾选入选的项目数与票决产生的项目数不符。")),
    "majority": ("chosen_{s}", _l("%(s)s的赞成票未超过参加表决人数的半数，不能入选。")),
    "recorded": (None, _l("票决结果已经记录；如有错误，请提交更正。")),
    "not_recorded": (None, _l("还没有记录票决结果。")),
    "unchanged": (None, _l("更正后的结果与原结果相同。")),
    "reason": ("reason", _l("请说明更正原因（公开，不含手机号）。")),
}


def problem(form: Any, error: CandidateError) -> None:
    field, words = PROBLEMS.get(error.code, (None, _l("操作未成功。")))
    message = str(words) % {"s": error.subject} if "%(s)s" in str(words) else str(words)
    refuse(form, field.replace("{s}", error.subject) if field else None, message)
