"""Following a page by e-mail: the follow box, the confirmation link, the unsubscribe links.

The follow box is a plain form (htmx swaps in the answer where JavaScript runs). Nothing is
sent but the confirmation until its link is followed (double opt-in). The address is kept
only sealed (application.subscriptions); the pages never show it back whole.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response
from wtforms import HiddenField, RadioField, SelectChoice, StringField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from application.verification import Address, Mail, SendFailed
from domain.contacts import normalise_email
from minsheng_site.alerts import topics
from minsheng_site.form_base import Form
from minsheng_site.i18n import locale_code
from minsheng_site.services import services
from minsheng_site.views import today

bp = Blueprint("pages", __name__, url_prefix="/alerts")

FREQUENCY_LABELS = {
    "immediate": _l("有动态即发"),
    "daily": _l("每天一封"),
    "weekly": _l("每周一封"),
}


def _email(_form: object, field: StringField) -> None:
    if normalise_email(field.data or "") is None:
        raise ValidationError(_l("请填写有效的电子邮箱。"))


class FollowForm(Form):
    email = StringField(
        _l("电子邮箱"),
        validators=[DataRequired(message=_l("请填写电子邮箱。")), Length(max=254), _email],
        render_kw={"type": "email", "inputmode": "email", "autocomplete": "email"},
    )
    frequency = RadioField(
        _l("多久一封"),
        choices=[SelectChoice(k, v) for k, v in FREQUENCY_LABELS.items()],
        default="daily",
        validators=[InputRequired(message=_l("请选择多久一封。"))],
    )
    topic = HiddenField(validators=[DataRequired(), Length(max=160)])


def _topic(key: str) -> topics.Topic:
    with services().read() as c:
        found = topics.topic(c, key)
    if found is None:
        abort(404)
    return found


def _can_mail() -> bool:
    return services().verifier.sender.accepts("email")


@bp.route("/follow", methods=["GET", "POST"])
def follow() -> str | tuple[str, int]:
    """GET: the box on its own page (no JavaScript, or a link); POST: a pending subscription
    and the confirmation e-mail. htmx swaps the answer in place of the box."""
    form = FollowForm()
    if request.method == "GET":
        form.topic.data = request.args.get("topic", "")
    followed = _topic(form.topic.data or "")
    template = "alerts/_follow.html" if request.headers.get("HX-Request") else "alerts/follow.html"
    if not _can_mail():
        return render_template(template, form=form, followed=followed, unavailable=True), 503
    if form.validate_on_submit():
        email = normalise_email(form.email.data) or ""
        subscriptions = services().subscriptions
        subscription_id, secret = subscriptions.request(
            email, followed.key, form.frequency.data, locale_code()
        )
        confirm = _link("alerts.pages.confirm", subscription_id, secret)
        text = _(
            "请点击下面的链接，确认用这个邮箱订阅“%(t)s”的动态（7天内有效）：\n%(link)s\n\n"
            "如果不是您本人订阅，请忽略本邮件，不会再收到任何邮件。",
            t=followed.title,
            link=confirm,
        )
        try:
            services().verifier.sender.send(
                Address("email", email),
                text,
                key=f"c{subscription_id}",
                mail=Mail(_("确认订阅：%(t)s", t=followed.title)),
            )
        except SendFailed:
            form.form_errors.append(_("确认邮件发送失败，请稍后再试。"))
            return render_template(template, form=form, followed=followed), 503
        return render_template(template, form=form, followed=followed, requested=True)
    status = 400 if form.errors else 200
    return render_template(template, form=form, followed=followed), status


def _link(endpoint: str, subscription_id: str, secret: str) -> str:
    return url_for(endpoint, subscription_id=subscription_id, secret=secret, _external=True)


@bp.get("/<subscription_id>/confirm/<secret>")
def confirm(subscription_id: str, secret: str) -> str:
    subscriptions = services().subscriptions
    pending = subscriptions.find(subscription_id, secret)
    if pending is None:
        abort(404)
    with services().read() as c:
        start = topics.head(c, pending.topic, today())
        followed = topics.topic(c, pending.topic)
    confirmed = subscriptions.confirm(subscription_id, secret, start)
    return render_template(
        "alerts/confirmed.html",
        subscription=confirmed,
        followed=followed,
        stop=_link("alerts.pages.stop", subscription_id, secret),
        expired=confirmed is None,
    )


@bp.route("/<subscription_id>/stop/<secret>", methods=["GET", "POST"])
def stop(subscription_id: str, secret: str) -> str:
    """The unsubscribe link in every alert: a GET asks (mail scanners open links), the
    button stops. Mail clients use `one_click` (RFC 8058) instead."""
    subscriptions = services().subscriptions
    found = subscriptions.find(subscription_id, secret)
    if found is None:
        abort(404)
    if request.method == "POST":
        found = subscriptions.cancel(subscription_id, secret)
    with services().read() as c:
        followed = topics.topic(c, found.topic) if found else None
    return render_template("alerts/stop.html", subscription=found, followed=followed)


@bp.post("/<subscription_id>/one-click/<secret>")
def one_click(subscription_id: str, secret: str) -> Response:
    """List-Unsubscribe-Post: the mail client's POST, without cookies or a form token (the
    secret in the address is the proof). Exempt from CSRF in staff.auth."""
    if services().subscriptions.cancel(subscription_id, secret) is None:
        abort(404)
    return Response(status=204)


def rate_limits(app: Any, limiter: Any) -> None:
    """Follow requests (each sends an e-mail) per address and per e-mail address (as its
    keyed hash), as the one-time codes."""

    def per_email() -> str:
        email = normalise_email(request.form.get("email", "")) or "none"
        return "email:" + services().ledger.vault.contact(email)

    view = app.view_functions["alerts.pages.follow"]
    view = limiter.limit(app.config["CODE_LIMIT_PER_ADDRESS"], methods=["POST"])(view)
    view = limiter.limit(
        app.config["CODE_LIMIT_PER_CONTACT"], key_func=per_email, methods=["POST"]
    )(view)
    app.view_functions["alerts.pages.follow"] = view
