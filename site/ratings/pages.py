"""Citizens rate projects and items: verify a phone or e-mail once, then rate in one click."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from application.verification import Address, SendFailed
from domain.ratings import COMMENT_MAX, RatingError
from minsheng_site.i18n import local_path
from minsheng_site.ratings.contact import (
    PENDING,
    VERIFIED_FOR,
    VOTER,
    network_of,
    verified,
    verifier,
)
from minsheng_site.ratings.forms import CodeForm, ContactForm, RatingForm
from minsheng_site.ratings.panel import panel
from minsheng_site.sealing import seal, unseal
from minsheng_site.services import services
from projections.plans import queries as q
from projections.ratings import rating_queries as rq

bp = Blueprint("pages", __name__)


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no scheme, no host, no //): never an open redirect."""
    return local_path(target or "") or url_for("plans.pages.home")


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
            return redirect(url_for("ratings.pages.code", next=_safe_next(form.next.data)), 303)
    return render_template("ratings/verify.html", form=form), 400 if form.errors else 200


@bp.route("/ratings/verify/code", methods=["GET", "POST"])
def code() -> str | Response | tuple[str, int]:
    pending = unseal(PENDING, session.get(PENDING))
    if pending is None:
        return redirect(url_for("ratings.pages.verify", next=request.args.get("next", "")), 303)
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
        return redirect(url_for("ratings.pages.verify", next=url_for("ratings.pages.mine")), 303)
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
                "url": url_for("plans.pages.project", year=row.year, ref=row.ref)
                if row.kind == "project"
                else url_for("plans.pages.item", year=row.year, number=int(row.ref)),
                "comment": (opened or {}).get("comment", ""),
            }
        )
    return render_template("ratings/mine.html", ratings=ratings, who=who)


# Rating -------------------------------------------------------------------------------


@bp.post("/plans/<int(min=2000, max=2100):year>/projects/<ref>/rate")
def rate_project(year: int, ref: str) -> str | Response | tuple[str, int]:
    return _rate(f"project:{year}:{ref}", url_for("plans.pages.project", year=year, ref=ref))


@bp.post("/plans/<int(min=2000, max=2100):year>/items/<int(min=1, max=999):number>/rate")
def rate_item(year: int, number: int) -> str | Response | tuple[str, int]:
    return _rate(f"item:{year}:{number}", url_for("plans.pages.item", year=year, number=number))


def _rate(subject: str, page: str) -> str | Response | tuple[str, int]:
    ledger = services().ledger
    if not ledger.subject_exists(subject):
        abort(404)
    who = verified()
    if who is None:
        return redirect(url_for("ratings.pages.verify", next=page), 303)
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


def _htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def _rating_problem(error: RatingError) -> str:
    return {
        "comment": _("意见建议最多%(n)s字。", n=COMMENT_MAX),
        "level": _("请选择满意、基本满意或不满意。"),
        "busy": _("评价未能保存，请再试一次。"),
    }.get(error.code, _("评价未能保存。"))
