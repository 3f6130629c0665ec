"""Forms for cases: the citizen's message, the lookup, the evaluation, the staff's steps."""

from __future__ import annotations

import secrets
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from domain.cases import CATEGORIES, DISTRICTS, ROUTES, TRACKS
from domain.contacts import normalise_phone
from minsheng_site.form_base import Form
from minsheng_site.labels import FIX_ANSWERS as FIX_LABELS
from minsheng_site.labels import LEVELS as LEVEL_LABELS
from minsheng_site.photos import PhotosField


def _phone(_form: Any, field: Any) -> None:
    if normalise_phone(field.data or "") is None:
        raise ValidationError(
            _l("请填写有效的手机号码或带区号的固定电话，如 13900001111 或 0510-12345678。")
        )


def _choices(values: tuple[str, ...]) -> list[SelectChoice]:
    return [SelectChoice("", _l("请选择")), *(SelectChoice(v, v) for v in values)]


class CaseForm(Form):
    """The citizen's message (and the hotline's entry of one)."""

    title = StringField(
        _l("标题"), validators=[DataRequired(message=_l("请填写标题。")), Length(max=60)]
    )
    category = SelectField(
        _l("类别"),
        choices=_choices(CATEGORIES),
        validators=[DataRequired(message=_l("请选择类别。"))],
    )
    district = SelectField(
        _l("所在区域"),
        choices=_choices(DISTRICTS),
        validators=[DataRequired(message=_l("请选择区域。"))],
    )
    content = TextAreaField(
        _l("具体内容"),
        validators=[
            DataRequired(message=_l("请写明您反映的问题。")),
            Length(min=10, max=2000, message=_l("请用10至2000字写明问题。")),
        ],
    )
    name = StringField(
        _l("姓名"),
        validators=[DataRequired(message=_l("请填写姓名。")), Length(max=30)],
        render_kw={"autocomplete": "name"},
    )
    # A phone's keypad and the browser's saved number (any spelling is normalised after).
    phone = StringField(
        _l("联系电话"),
        validators=[DataRequired(message=_l("请填写联系电话。")), _phone],
        render_kw={"type": "tel", "inputmode": "tel", "autocomplete": "tel"},
    )
    consent = BooleanField(_l("同意公开我反映的内容（姓名、电话等联系方式在任何情况下都不公开）"))
    # Where, in words (sealed with the name: only the units handling the case read it).
    address = StringField(
        _l("地址或地标（可不填，仅办理单位可见）"),
        validators=[Optional(), Length(max=100)],
        render_kw={"autocomplete": "street-address"},
    )
    # A field people never see (hidden, out of the tab order): bots fill it in.
    website = StringField(_l("请勿填写此项"), validators=[Optional()])
    # This form's one-time token: sent twice (a double click, a retry after a lost
    # answer), it registers one case and answers with the same number and code.
    submission = HiddenField(
        default=lambda: secrets.token_urlsafe(16),
        validators=[Optional(), Regexp(r"^[A-Za-z0-9_-]{16,64}$")],
    )


class CitizenCaseForm(CaseForm):
    """The citizen's own form: with up to three photos."""

    photos = PhotosField(_l("照片（可不填）"))
    photo_consent = BooleanField(_l("同意照片经审核后公开（含人脸、车牌的不会公开）"))


class HotlineCaseForm(CaseForm):
    received_on = DateField(_l("来电日期"), validators=[InputRequired(message=_l("请填写日期。"))])
    external_id = StringField(_l("12345工单号"), validators=[Optional(), Length(max=40)])


def _case_number() -> StringField:
    """A case number as printed (2023-ABC234): capitals on phones, no autocorrect."""
    return StringField(
        _l("案件编号"),
        validators=[DataRequired(message=_l("请填写案件编号。")), Length(max=16)],
        render_kw={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"},
    )


class CodeAgainForm(Form):
    """A lost query code, sent again to the phone that filed the case."""

    number = _case_number()
    phone = StringField(
        _l("提交时留下的手机号码"),
        validators=[DataRequired(message=_l("请填写手机号码。")), _phone],
        render_kw={"type": "tel", "inputmode": "tel", "autocomplete": "tel"},
    )


class LookupForm(Form):
    number = _case_number()
    # Eight digits: a numeric keypad on phones.
    code = StringField(
        _l("查询码"),
        validators=[DataRequired(message=_l("请填写查询码。")), Length(max=8)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )


class EvaluationForm(Form):
    level = RadioField(
        _l("您对办理结果的评价"),
        choices=[SelectChoice(value, words) for value, words in LEVEL_LABELS.items()],
        validators=[InputRequired(message=_l("请选择评价。"))],
    )
    reason = TextAreaField(_l("理由（选择“不满意”时必填）"), validators=[Length(max=1000)])

    def validate_reason(self, field: Any) -> None:
        if self.level.data == "unsatisfied" and not (field.data or "").strip():
            raise ValidationError(_l("选择“不满意”时请说明理由，案件将发回重办。"))


class FixCheckForm(Form):
    """ "Is it fixed?" some days after 销号: the answer is counted publicly, the words are not."""

    answer = RadioField(
        _l("您反映的问题现在解决了吗？"),
        choices=[SelectChoice(value, words) for value, words in FIX_LABELS.items()],
        validators=[InputRequired(message=_l("请选择一项。"))],
    )
    words = TextAreaField(
        _l("补充说明（可不填；只有工作专班和承办单位能看到）"), validators=[Length(max=500)]
    )


class DeclineForm(Form):
    reason = TextAreaField(
        _l("不予受理的理由（公开）"),
        validators=[DataRequired(message=_l("请填写理由。")), Length(max=500)],
    )


class AssignForm(Form):
    route = SelectField(
        _l("办理方式（三个一批）"), choices=[SelectChoice(k, v) for k, v in ROUTES.items()]
    )
    lead_unit = StringField(
        _l("主办单位"), validators=[DataRequired(message=_l("请填写主办单位。")), Length(max=64)]
    )
    co_units = StringField(_l("协办单位（可不填，逗号分隔）"), validators=[Length(max=200)])
    working_days = IntegerField(
        _l("办理时限（工作日）"),
        default=10,
        validators=[
            InputRequired(message=_l("请填写时限。")),
            NumberRange(min=1, max=60, message=_l("时限为1至60个工作日。")),
        ],
    )


class TrackForm(Form):
    track = SelectField(_l("市级重点督办"), choices=[SelectChoice(k, v) for k, v in TRACKS.items()])


class TextForm(Form):
    text = TextAreaField(
        _l("内容"), validators=[DataRequired(message=_l("请填写内容。")), Length(max=2000)]
    )


class NoteForm(TextForm):
    within_days = IntegerField(
        _l("限时督办：在几个工作日内办结（可不填）"),
        validators=[Optional(), NumberRange(min=1, max=30, message=_l("时限为1至30个工作日。"))],
    )


class MergeForm(Form):
    into = StringField(
        _l("并入的案件编号"),
        validators=[DataRequired(message=_l("请填写案件编号。")), Length(max=16)],
    )


class LinkForm(Form):
    project = StringField(
        _l("具体项目编号（如 9.1）"),
        validators=[DataRequired(message=_l("请填写项目编号。")), Length(max=10)],
    )
    note = TextAreaField(_l("说明"), validators=[Length(max=500)])


class RedactForm(Form):
    title = StringField(
        _l("公开的标题"), validators=[DataRequired(message=_l("请填写标题。")), Length(max=60)]
    )
    text = TextAreaField(_l("公开的内容"), validators=[Length(max=2000)])
    reason = StringField(
        _l("处理原因（公开）"),
        validators=[DataRequired(message=_l("请填写原因。")), Length(max=200)],
    )


class EmptyForm(Form):
    """A button with a CSRF token (accept, close)."""


class ReplyForm(TextForm):
    """The lead unit's reply, with its photos of the place before or after its work."""

    photos = PhotosField(_l("照片（可不填，随答复公开）"))
    photo_source = SelectField(
        _l("照片拍摄于"),
        choices=[SelectChoice("after", _l("办理后")), SelectChoice("before", _l("办理前"))],
        default="after",
    )


class CaseNoteForm(Form):
    """The citizen adds to their case (before acceptance) or to the unit's file (after)."""

    note = TextAreaField(
        _l("补充内容"),
        validators=[
            DataRequired(message=_l("请填写补充内容。")),
            Length(max=1000, message=_l("补充内容不超过1000字。")),
        ],
    )


class CasePhotosForm(Form):
    photos = PhotosField(_l("添加照片"))
    photo_consent = BooleanField(_l("同意照片经审核后公开（含人脸、车牌的不会公开）"))

    def validate_photos(self, field: Any) -> None:
        if not field.files():
            raise ValidationError(_l("请选择照片。"))


class WithdrawForm(Form):
    reason = TextAreaField(
        _l("撤回原因"),
        validators=[
            DataRequired(message=_l("请说明撤回的原因。")),
            Length(max=500, message=_l("撤回原因不超过500字。")),
        ],
    )
