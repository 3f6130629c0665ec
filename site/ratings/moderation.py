"""Moderating citizens' comments, and seeing bursts of ratings from one network.

The task force (admin of 市政府办公室) reads each pending comment (opened
with the person's key, never stored in the clear until approved), then
approves it or rejects it with a category the public sees counted.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms import HiddenField, SelectChoice, SelectField
from wtforms.validators import DataRequired

from domain.ratings import REJECTIONS, RatingError
from minsheng_site.form_base import Form
from minsheng_site.labels import translated
from minsheng_site.services import services
from minsheng_site.staff.roles import is_task_force
from minsheng_site.views import bounded
from projections.ratings import rating_queries as rq

bp = Blueprint("moderation", __name__, url_prefix="/staff/ratings")
BURST = 20  # new ratings from one network in one day that a moderator should look at
BURST_WINDOW = 366  # days looked back


class ApproveForm(Form):
    version = HiddenField(validators=[DataRequired()])


class RejectForm(Form):
    version = HiddenField(validators=[DataRequired()])
    category = SelectField(
        "理由",
        choices=[SelectChoice(k, k) for k in REJECTIONS],
        validators=[DataRequired()],
    )


def _guard() -> None:
    if not is_task_force():
        abort(403)


@bp.get("/")
@login_required
def queue() -> str:
    _guard()
    ledger = services().ledger
    since = ledger.clock() - timedelta(days=BURST_WINDOW)
    with services().read() as c:
        found = rq.moderation(c, since, BURST)
    comments: list[dict[str, Any]] = []
    for row in found.pending:
        ballot = ledger.ballot(row.ballot_id)
        comments.append(
            {
                "row": row,
                "text": ledger.comment_of(ballot),
                "approve": ApproveForm(formdata=None, prefix=f"a{row.ballot_id[:8]}"),
                "reject": RejectForm(formdata=None, prefix=f"r{row.ballot_id[:8]}"),
            }
        )
    return render_template(
        "ratings/moderation.html",
        comments=comments,
        waiting=found.waiting,
        bursts=found.bursts,
        burst=BURST,
        labels=translated("rejection"),
    )


@bp.post("/<ballot>/approve")
@login_required
def approve(ballot: str) -> Response:
    _guard()
    form = ApproveForm(prefix=f"a{ballot[:8]}")
    version = _version(form)
    if form.validate_on_submit() and version is not None:
        _act(lambda: services().ledger.approve_comment(ballot, version, current_user.actor))
    else:
        flash(_("表单已过期，请重试。"))
    return redirect(url_for("ratings.moderation.queue"), 303)


@bp.post("/<ballot>/reject")
@login_required
def reject(ballot: str) -> Response:
    _guard()
    form = RejectForm(prefix=f"r{ballot[:8]}")
    version = _version(form)
    if form.validate_on_submit() and version is not None:
        _act(
            lambda: services().ledger.reject_comment(
                ballot, version, form.category.data, current_user.actor
            )
        )
    else:
        flash(_("表单已过期，请重试。"))
    return redirect(url_for("ratings.moderation.queue"), 303)


def _version(form: ApproveForm | RejectForm) -> int | None:
    """The ballot version the form was made for (ASCII digits, as the page wrote it)."""
    return bounded(form.version.data or "", 1, 2**31 - 1)


def _act(step: Any) -> None:
    try:
        step()
    except RatingError as error:
        flash(
            {
                "superseded": _("市民已重新评价，这条意见已被替换，请审核新的意见。"),
                "nothing_pending": _("这条意见已经审核过。"),
                "not_found": _("没有这条评价。"),
            }.get(error.code, _("操作未成功。"))
        )
    else:
        flash(_("已记录。"))
