"""The task force records an amendment of a registered plan (/staff/plans/<year>/amendments/new).

One form for every kind of amendment: the fields a kind does not use are ignored. A refusal
keeps what was typed and says, on the field, which rule it broke (domain.plan_amendments).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from domain.plan_amendments import AmendmentProblem, AmendmentRefused, Basis, Change
from domain.plan_spec import Target
from minsheng_site.form_base import Form
from minsheng_site.labels import translated
from minsheng_site.services import services
from minsheng_site.staff.roles import is_task_force, requires
from minsheng_site.views import YEAR, plan_of

bp = Blueprint("amendment_staff", __name__, url_prefix="/staff")

Page = str | Response | tuple[str, int]


class AmendmentForm(Form):
    kind = SelectField(_l("修改类型"), validators=[DataRequired()])
    project = StringField(_l("具体项目编号（如9.1）"), validators=[Optional(), Length(max=16)])
    item = IntegerField(
        _l("条目编号（新增项目、调整单位时填）"), validators=[Optional(), NumberRange(1, 999)]
    )
    target = IntegerField(
        _l("第几个目标（目标调整时填，从1起）"),
        default=1,
        validators=[Optional(), NumberRange(1, 99)],
    )
    amount = StringField(_l("新的目标数量"), validators=[Optional(), Length(max=32)])
    into = StringField(_l("并入的具体项目编号"), validators=[Optional(), Length(max=16)])
    units = TextAreaField(
        _l("调整后的责任单位（每行一个，牵头单位在前）"), validators=[Optional(), Length(max=2000)]
    )
    title = StringField(_l("新增项目名称"), validators=[Optional(), Length(max=200)])
    text = TextAreaField(_l("新增项目内容"), validators=[Optional(), Length(max=2000)])
    target_label = StringField(_l("新增项目的目标名称"), validators=[Optional(), Length(max=200)])
    target_amount = StringField(_l("新增项目的目标数量"), validators=[Optional(), Length(max=32)])
    target_unit = StringField(_l("新增项目的目标单位"), validators=[Optional(), Length(max=32)])
    milestones = TextAreaField(
        _l("新增项目的节点（每行一个）"), validators=[Optional(), Length(max=2000)]
    )
    basis_number = StringField(_l("依据文件文号"), validators=[DataRequired(), Length(max=200)])
    basis_date = DateField(_l("依据文件日期"), validators=[DataRequired()])
    effective = DateField(_l("生效日期（不填则为文件日期）"), validators=[Optional()])
    reason = TextAreaField(_l("修改理由（公开）"), validators=[DataRequired(), Length(max=2000)])


# Where each problem of the domain is shown: the form field it is about.
FIELDS = {
    "targets": "target_label",
    "targets[0]": "target_amount",
}


def problem_words(p: AmendmentProblem) -> str:
    words = {
        "required": _("必填。"),
        "too_long": _("太长（最多%(limit)s字）。", limit=p.params.get("limit", "")),
        "before_plan": _("不能早于计划成文日期%(day)s。", day=p.params.get("plan", "")),
        "future": _("依据文件的日期不能晚于今天。"),
        "after_deadline": _("不能晚于计划的完成期限%(day)s。", day=p.params.get("deadline", "")),
        "before_previous": _(
            "不能早于上一次修改的生效日期%(day)s。", day=p.params.get("previous", "")
        ),
        "unknown": _("未知的修改类型。"),
        "no_such_project": _("计划中没有具体项目%(ref)s。", ref=p.params.get("project", "")),
        "gone": _("具体项目%(ref)s已撤销或并入其他项目。", ref=p.params.get("project", "")),
        "no_such_item": _("计划中没有这一条目。"),
        "repeated": _("同一单位列了两次。"),
        "unchanged": _("与现行计划相同，没有修改。"),
        "not_a_quantity": _("请填写不小于0的数量。"),
        "no_such_target": _("该项目只有%(n)s个目标。", n=p.params.get("count", "")),
        "same_project": _("不能并入自身。"),
    }
    return words.get(p.code, p.code)


def _amount(text: str | None) -> Decimal | None:
    try:
        return Decimal((text or "").strip()) if (text or "").strip() else None
    except InvalidOperation:
        return Decimal("NaN")


def change_of(form: AmendmentForm) -> Change:
    kind = form.kind.data
    lines = [u for u in (form.units.data or "").splitlines() if u.strip()]
    targets: tuple[Target, ...] = ()
    if kind == "project_added" and (form.target_label.data or form.target_amount.data):
        amount = _amount(form.target_amount.data)
        targets = (
            Target(
                form.target_label.data or "",
                amount if amount is not None else Decimal("NaN"),
                form.target_unit.data or "",
            ),
        )
    return Change(
        kind,
        item=form.item.data,
        project=(form.project.data or "").strip(),
        target=(form.target.data or 1) - 1,
        amount=_amount(form.amount.data),
        into=(form.into.data or "").strip(),
        units=tuple(lines),
        title=form.title.data or "",
        text=form.text.data or "",
        targets=targets,
        milestones=tuple((form.milestones.data or "").splitlines()),
    )


@bp.route(f"/plans/{YEAR}/amendments/new", methods=["GET", "POST"])
@requires("admin")
def new(year: int) -> Page:
    """The task force (an administrator of the 市政府办公室) records amendments."""
    if not is_task_force():
        abort(403)
    plan = plan_of(year)
    form = AmendmentForm()
    form.kind.choices = list(translated("amendment_kind").items())
    if form.validate_on_submit():
        try:
            done = services().ledger.amend_plan(
                year,
                change_of(form),
                Basis(form.basis_number.data or "", form.basis_date.data),
                form.reason.data or "",
                current_user.actor,
                effective=form.effective.data,
            )
        except AmendmentRefused as refused:
            for p in refused.problems:
                name = FIELDS.get(p.field, p.field)
                where = form._fields.get(name)
                if where is not None:
                    where.errors = [*where.errors, problem_words(p)]
                else:
                    form.form_errors.append(problem_words(p))
        else:
            flash(_("计划修改已记录并公开。"))
            target = url_for("cycle.amendments.index", year=year) + f"#amendment-{done.number}"
            return redirect(target, 303)
    return render_template(
        "cycle/amendment_new.html", plan=plan, form=form
    ), 409 if form.errors or form.form_errors else 200
