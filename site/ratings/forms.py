"""The rating forms: the contact to verify, the code received, the rating itself."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from domain.cases import DISTRICTS
from domain.ratings import COMMENT_MAX
from minsheng_site.form_base import Form
from minsheng_site.labels import LEVELS as LEVEL_LABELS


class ContactForm(Form):
    contact = StringField(
        _l("手机号码或电子邮箱"),
        validators=[DataRequired(message=_l("请填写手机号码或电子邮箱。")), Length(max=254)],
        render_kw={"autocapitalize": "none", "spellcheck": "false"},
    )
    next = HiddenField()


class CodeForm(Form):
    # A numeric keypad, and the code offered from the SMS by the phone itself.
    code = StringField(
        _l("验证码"),
        validators=[DataRequired(message=_l("请填写收到的6位验证码。")), Length(max=12)],
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code"},
    )
    next = HiddenField()


class RatingForm(Form):
    level = SelectField(
        _l("评价"),
        choices=[SelectChoice(value, words) for value, words in LEVEL_LABELS.items()],
        validators=[DataRequired(message=_l("请选择评价。"))],
    )
    district = SelectField(
        _l("您所在的区（可不填）"),
        choices=[SelectChoice("", _l("不填")), *(SelectChoice(d, d) for d in DISTRICTS)],
        validators=[Optional()],
    )
    comment = TextAreaField(
        _l("意见建议（可不填，审核后公开，请勿填写姓名、电话等个人信息）"),
        validators=[Optional(), Length(max=COMMENT_MAX)],
    )
