"""Citizens rate projects and items: verify a phone or e-mail once, then rate in one click.

The verified contact lives in the visitor's session only sealed (AES-GCM
under a key derived from SECRET_KEY), never readable in the cookie.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from flask import (
    Blueprint,
    Flask,
    abort,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Connection
from werkzeug.wrappers import Response
from wtforms import HiddenField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from application.verification import Address, SendFailed, Verified, Verifier
from domain.cases import DISTRICTS
from domain.ratings import COMMENT_MAX, LEVELS, REJECTIONS, RatingError, ballot_id
from minsheng_site import throttle
from minsheng_site.form_base import Form
from minsheng_site.i18n import local_path
from minsheng_site.sealing import seal, unseal
from minsheng_site.services import services
from projections import queries as q
from projections import rating_queries as rq
from projections.satisfaction_queries import MIN_RANKED

bp = Blueprint("ratings", __name__)
VOTER, PENDING = "voter", "voter_pending"
VERIFIED_FOR = 24 * 3600  # seconds a verification lasts in a session


# What the session holds is sealed (minsheng_site.sealing) ----------------------------


def verified() -> Verified | None:
    """The contact this visitor proved in this session, if still valid."""
    data = unseal(VOTER, session.get(VOTER))
    if data is None:
        return None
    return Verified(data["voter"], Address(data["kind"], data["value"]))


def verifier() -> Verifier:
    return services().verifier


def network_of(address: str | None) -> str:
    """A keyed hash of the visitor's network (/24 for IPv4, /48 for IPv6): bursts, not people."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return "unknown"
    prefix = 24 if ip.version == 4 else 48
    network = ipaddress.ip_network(f"{ip}/{prefix}", strict=False)
    return services().ledger.vault.contact(f"net:{network}")[:16]


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no scheme, no host, no //): never an open redirect."""
    return local_path(target or "") or url_for("public.home")


# Forms ------------------------------------------------------------------------------


class ContactForm(Form):
    contact = StringField(
        _l("手机号码或电子邮箱"),
        validators=[DataRequired(message=_l("请填写手机号码或电子邮箱。")), Length(max=254)],
    )
    next = HiddenField()


class CodeForm(Form):
    code = StringField(
        _l("验证码"),
        validators=[DataRequired(message=_l("请填写收到的6位验证码。")), Length(max=12)],
    )
    next = HiddenField()


class RatingForm(Form):
    level = SelectField(
        _l("评价"),
        choices=[
            SelectChoice("satisfied", _l("满意")),
            SelectChoice("basically", _l("基本满意")),
            SelectChoice("unsatisfied", _l("不满意")),
        ],
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


# Verification -------------------------------------------------------------------------


@bp.route("/ratings/verify", methods=["GET", "POST"])
def verify() -> str | Response | tuple[str, int]:
    form = ContactForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if not (verifier().sender.accepts("email") or verifier().sender.accepts("phone")):
        return render_template("ratings/verify.html", form=form, unavailable=True), 503
    if form.validate_on_submit():
        address = Address.parse(form.contact.data)
        if address is None:
            form.contact.errors = [_("请填写中国大陆手机号码（如 13900001111）或电子邮箱。")]
        elif not verifier().sender.accepts(address.kind):
            form.contact.errors = [_("暂不支持用这种方式接收验证码，请换一种。")]
        else:
            try:
                verifier().request(address)
            except SendFailed:
                form.form_errors.append(_("验证码发送失败，请稍后再试。"))
                return render_template("ratings/verify.html", form=form), 503
            session[PENDING] = seal(PENDING, {"kind": address.kind, "value": address.value}, 900)
            return redirect(url_for("ratings.code", next=_safe_next(form.next.data)), 303)
    return render_template("ratings/verify.html", form=form), 400 if form.errors else 200


@bp.route("/ratings/verify/code", methods=["GET", "POST"])
def code() -> str | Response | tuple[str, int]:
    pending = unseal(PENDING, session.get(PENDING))
    if pending is None:
        return redirect(url_for("ratings.verify", next=request.args.get("next", "")), 303)
    address = Address(pending["kind"], pending["value"])
    form = CodeForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        proof = verifier().confirm(address, form.code.data)
        if proof is None:
            form.code.errors = [_("验证码不正确、已过期或已使用。可以重新获取。")]
            return render_template("ratings/code.html", form=form, address=address), 401
        session.pop(PENDING, None)
        session[VOTER] = seal(
            VOTER,
            {"voter": proof.voter, "kind": address.kind, "value": address.value},
            VERIFIED_FOR,
        )
        return redirect(_safe_next(form.next.data) + "#rate", 303)
    return render_template("ratings/code.html", form=form, address=address), (
        400 if form.errors else 200
    )


@bp.post("/ratings/forget")
def forget() -> Response:
    session.pop(VOTER, None)
    session.pop(PENDING, None)
    return redirect(_safe_next(request.form.get("next")), 303)


@bp.get("/ratings/mine")
def mine() -> str | Response:
    """The verified person's own ratings: levels, quarters, and what became of each comment."""
    who = verified()
    if who is None:
        return redirect(url_for("ratings.verify", next=url_for("ratings.mine")), 303)
    vault = services().ledger.vault
    keys = vault.keys_of(who.address.value)
    with services().read() as c:
        rows = rq.ballots_of(c, keys)
        years = {r.year for r in rows}
        labels = {(y, p.ref): p.title for y in years for p in q.projects(c, y)}
    ratings = []
    for row in rows:
        opened = vault.open(row.key_id, row.sealed, row.ballot_id)  # only they see their words
        ratings.append(
            {
                "row": row,
                "title": labels.get((row.year, row.ref), "") if row.kind == "project" else "",
                "url": url_for("public.project", year=row.year, ref=row.ref)
                if row.kind == "project"
                else url_for("public.item", year=row.year, number=int(row.ref)),
                "comment": (opened or {}).get("comment", ""),
            }
        )
    return render_template(
        "ratings/mine.html", ratings=ratings, who=who, rejections=rejection_labels()
    )


# Rating -------------------------------------------------------------------------------


@bp.post("/plans/<int(min=2000, max=2100):year>/projects/<ref>/rate")
def rate_project(year: int, ref: str) -> str | Response | tuple[str, int]:
    return _rate(f"project:{year}:{ref}", url_for("public.project", year=year, ref=ref))


@bp.post("/plans/<int(min=2000, max=2100):year>/items/<int(min=1, max=999):number>/rate")
def rate_item(year: int, number: int) -> str | Response | tuple[str, int]:
    return _rate(f"item:{year}:{number}", url_for("public.item", year=year, number=number))


def _rate(subject: str, page: str) -> str | Response | tuple[str, int]:
    ledger = services().ledger
    if not ledger.subject_exists(subject):
        abort(404)
    who = verified()
    if who is None:
        return redirect(url_for("ratings.verify", next=page), 303)
    form = RatingForm()
    status = 200
    if form.validate_on_submit():
        try:
            ledger.rate(
                who,
                subject,
                form.level.data,
                form.comment.data or "",
                form.district.data or None,
                network_of(request.remote_addr),
            )
        except RatingError as error:
            form.form_errors.append(_rating_problem(error))
            status = 409
        else:
            if not _htmx():
                return redirect(page + "#rate", 303)
            form = RatingForm(formdata=None)
    else:
        status = 400
    with services().read() as c:
        context = panel(c, subject, page, form=form, just_rated=status == 200)
    if _htmx():
        return render_template("ratings/_panel.html", **context), status
    return render_template("ratings/rate_error.html", **context), status


def rejection_labels() -> dict[str, str]:
    """Why comments were not published, in the reader's language (categories, never text)."""
    labels = {
        "personal": _("含有个人信息"),
        "abusive": _("辱骂、攻击他人"),
        "off_topic": _("与本项目无关"),
        "advertising": _("广告或垃圾信息"),
        "illegal": _("违法或不实信息"),
    }
    assert set(labels) == set(REJECTIONS)
    return labels


def _htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def _rating_problem(error: RatingError) -> str:
    return {
        "comment": _("意见建议最多%(n)s字。", n=COMMENT_MAX),
        "level": _("请选择满意、基本满意或不满意。"),
        "busy": _("评价未能保存，请再试一次。"),
    }.get(error.code, _("评价未能保存。"))


# The panel on project and item pages -------------------------------------------------------


def panel(
    c: Connection,
    subject: str,
    page: str,
    form: RatingForm | None = None,
    just_rated: bool = False,
) -> dict[str, Any]:
    kind, year, ref = subject.split(":")
    figures = rq.subject_ratings(c, kind, int(year), ref)
    who = verified()
    mine = None
    if who is not None:
        quarter = services().ledger.quarter_now()
        mine = rq.level_of(c, str(ballot_id(who.voter, subject, quarter)))
    rate_url = (
        url_for("ratings.rate_project", year=int(year), ref=ref)
        if kind == "project"
        else url_for("ratings.rate_item", year=int(year), number=int(ref))
    )
    return {
        "rating": {
            "subject": subject,
            "tally": figures.tally,
            "quarters": figures.quarters,
            "with_projects": figures.with_projects,
            "min_ranked": MIN_RANKED,
            "comments": figures.comments,
            "rejected": figures.rejected,
            "rejections": rejection_labels(),
            "pending": figures.pending,
            "who": who,
            "mine": mine,
            "can_verify": verifier().sender.accepts("email") or verifier().sender.accepts("phone"),
            "quarter": services().ledger.quarter_now(),
            "form": form or RatingForm(formdata=None),
            "rate_url": rate_url,
            "page": page,
            "just_rated": just_rated,
            "levels": LEVELS,
            "year": int(year),
        }
    }


# Development outbox ---------------------------------------------------------------------------

dev = Blueprint("dev", __name__, url_prefix="/dev")


@dev.get("/outbox")
def outbox() -> str:
    box = services().outbox
    return render_template("ratings/outbox.html", messages=box.latest())


def init_app(app: Flask) -> None:
    """The outbox's page only when the composition root made an outbox (DEV_OUTBOX)."""
    if app.extensions["minsheng"].outbox is not None:
        app.register_blueprint(dev)
    app.register_blueprint(bp)


def rate_limits(app: Flask, limiter: Any) -> None:
    """Codes per address and contact; failed codes per address and per contact (a code is
    six digits: many addresses must not share out the guessing); ratings per address and voter."""

    def per_contact() -> str:
        address = Address.parse(request.form.get("contact", ""))
        value = f"{address.kind}:{address.value}" if address else "none"
        return "contact:" + services().ledger.vault.contact(value)

    def per_pending_contact() -> str:
        pending = unseal(PENDING, session.get(PENDING))
        value = f"{pending['kind']}:{pending['value']}" if pending else "none"
        return "contact:" + services().ledger.vault.contact(value)

    def per_voter() -> str:
        who = verified()
        return "voter:" + (who.voter if who else "none")

    views = app.view_functions
    post = {"methods": ["POST"]}
    view = limiter.limit(app.config["CODE_LIMIT_PER_ADDRESS"], **post)(views["ratings.verify"])
    views["ratings.verify"] = limiter.limit(
        app.config["CODE_LIMIT_PER_CONTACT"], key_func=per_contact, **post
    )(view)
    failed = throttle.on_failure(401)
    view = limiter.limit(app.config["VERIFY_LIMIT"], **failed)(views["ratings.code"])
    views["ratings.code"] = limiter.limit(
        app.config["VERIFY_LIMIT_PER_CONTACT"], key_func=per_pending_contact, **failed
    )(view)
    for name in ("ratings.rate_project", "ratings.rate_item"):
        view = limiter.limit(app.config["RATING_LIMIT_PER_ADDRESS"], **post)(views[name])
        views[name] = limiter.limit(
            app.config["RATING_LIMIT_PER_VOTER"], key_func=per_voter, **post
        )(view)
