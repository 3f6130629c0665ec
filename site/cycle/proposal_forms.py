"""The proposal forms: a citizen's proposal and support; the task force's moderation,
answers and the solicitation's opening and closing."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from domain.proposals import DESCRIPTION_MAX, PLACES, REASON_MAX, TITLE_MAX
from minsheng_site.form_base import Form
from minsheng_site.labels import PROPOSAL_REJECTIONS


class ProposalForm(Form):
    title = StringField(
        _l("项目名称"),
        validators=[DataRequired(message=_l("请填写项目名称。")), Length(max=TITLE_MAX)],
    )
    description = TextAreaField(
        _l("建议内容（要解决什么问题、在哪里、怎么做）"),
        validators=[
            DataRequired(message=_l("请填写建议内容。")),
            Length(max=DESCRIPTION_MAX),
        ],
    )
    category = SelectField(
        _l("所属方面"), choices=[], validate_choice=True, validators=[DataRequired()]
    )
    district = SelectField(
        _l("所在市(县)区"),
        choices=[SelectChoice(p, p) for p in PLACES],
        validators=[DataRequired(message=_l("请选择市(县)区。"))],
    )


class ProposalSupportForm(Form):
    pass


class SolicitationOpenForm(Form):
    last_day = DateField(
        _l("征集截止日期"), validators=[DataRequired(message=_l("请填写截止日期。"))]
    )


class SolicitationCloseForm(Form):
    pass


class ProposalApproveForm(Form):
    title = StringField(_l("公开的项目名称"), validators=[Optional(), Length(max=TITLE_MAX)])
    description = TextAreaField(
        _l("公开的建议内容"), validators=[Optional(), Length(max=DESCRIPTION_MAX)]
    )


class ProposalRejectForm(Form):
    category = SelectField(
        _l("不予公开的理由"),
        choices=[SelectChoice(k, v) for k, v in PROPOSAL_REJECTIONS.items()],
        validators=[DataRequired()],
    )


class ProposalAdoptForm(Form):
    candidate = StringField(
        _l("候选项目编号（如 C3）"),
        validators=[DataRequired(message=_l("请填写候选项目编号。")), Length(max=8)],
    )
    note = TextAreaField(_l("说明（可不填）"), validators=[Optional(), Length(max=REASON_MAX)])


class ProposalMergeForm(Form):
    into = StringField(
        _l("合并到的建议编号（如 P12）"),
        validators=[DataRequired(message=_l("请填写建议编号。")), Length(max=8)],
    )
    reason = TextAreaField(
        _l("合并理由"),
        validators=[DataRequired(message=_l("请填写理由。")), Length(max=REASON_MAX)],
    )


class ProposalDeclineForm(Form):
    reason = TextAreaField(
        _l("未予采纳的理由"),
        validators=[DataRequired(message=_l("请填写理由。")), Length(max=REASON_MAX)],
    )


ANSWER_FORMS: dict[str, type[Form]] = {
    "approve": ProposalApproveForm,
    "reject": ProposalRejectForm,
    "adopt": ProposalAdoptForm,
    "merge": ProposalMergeForm,
    "decline": ProposalDeclineForm,
}
