"""Citizens' photos before they are public: the task force's moderation queue, and the
staff case page's photos.

A citizen's photo is published only with their consent (and the case's) and once the
task force has looked at it for faces, number plates and other personal data (approve,
or reject with a reason; an approved photo can be taken down again). Photos not public
are served only here, to those who may open the case's personal data (the task force,
the lead unit and co-units; a supervisor sees the public ones), and never cached.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms import SelectChoice, SelectField
from wtforms.validators import DataRequired

from application.photos import SHA256
from domain.access import reads_personal_data
from domain.cases import PHOTO_REJECTIONS, CaseError
from minsheng_site.cases.staff import viewer
from minsheng_site.form_base import Form
from minsheng_site.labels import translated
from minsheng_site.messages import case_problem
from minsheng_site.photos import private
from minsheng_site.services import services
from minsheng_site.staff.roles import is_task_force
from projections.cases import photo_queries as pq

bp = Blueprint("moderation", __name__, url_prefix="/staff/cases")


class DecideForm(Form):
    reason = SelectField(
        "reason",
        choices=[SelectChoice(k, k) for k in PHOTO_REJECTIONS],
        validators=[DataRequired()],
    )


@bp.get("/photos/")
@login_required
def queue() -> str:
    """The oldest photos waiting first; each can be opened whole before deciding."""
    if not is_task_force():
        abort(403)
    with services().read() as c:
        rows, waiting = pq.moderation_queue(c)
    return render_template(
        "cases/staff/photos.html",
        rows=rows,
        waiting=waiting,
        form=DecideForm(formdata=None),
        reasons=translated("photo_rejection"),
    )


@bp.post("/photos/<uuid:case_id>/<sha>/<any(approve, reject):decision>")
@login_required
def decide(case_id: Any, sha: str, decision: str) -> Response:
    if not is_task_force():
        abort(403)
    if not SHA256.match(sha):
        abort(404)
    form = DecideForm()
    ledger = services().ledger
    if not form.validate_on_submit() and (decision == "reject" or form.csrf_token.errors):
        flash(_("表单已过期，请重试。"))
        return redirect(url_for("cases.moderation.queue"), 303)
    try:
        if decision == "approve":
            ledger.approve_case_photo(str(case_id), sha, current_user.actor)
        else:
            ledger.reject_case_photo(str(case_id), sha, form.reason.data, current_user.actor)
    except CaseError as error:
        if error.code == "not_found":
            abort(404)
        flash(case_problem(error))
    else:
        flash(_("已记录。"))
    return redirect(url_for("cases.moderation.queue"), 303)


@bp.get("/<uuid:case_id>/photos/<name>")
@login_required
def staff_photo(case_id: Any, name: str) -> Response:
    """A photo of the case, for staff who may see the case's personal data (any of its
    photos) or only its public facts (its public photos)."""
    try:
        reached = services().ledger.case_for_staff(str(case_id), viewer())
    except CaseError as error:
        abort(404 if error.code == "not_found" else 403)
    case = reached.case
    if reads_personal_data(reached.basis):
        with services().read() as c:
            held = {r.sha256 for r in pq.photos_of(c, str(case.id))}
        return private(name, lambda sha: sha in held)
    with services().read() as c:
        public = {r.sha256 for r in pq.public_photos(c, str(case.id))}
    return private(name, lambda sha: sha in public)
