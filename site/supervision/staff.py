"""Supervisors record visits and findings; units report rectification; supervisors close."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from domain.supervision import KINDS, SupervisionError
from domain.wuxi import end_of_day
from minsheng_site.messages import supervision_problem
from minsheng_site.services import services
from minsheng_site.staff.roles import requires
from minsheng_site.supervision.forms import StepForm, findings_of, supervision_form
from minsheng_site.views import YEAR, found, today
from projections.plans import queries as q
from projections.supervision.supervision_queries import findings

bp = Blueprint("staff", __name__, url_prefix="/staff")

Page = str | Response | tuple[str, int]


@bp.route(f"/plans/{YEAR}/supervision/new", methods=["GET", "POST"])
@requires("supervisor")
def record_supervision(year: int) -> Page:
    with services().read() as c:
        plan = found(q.plan(c, year))
    form = supervision_form()
    kinds = _kinds_for(current_user.member)
    form.kind.choices = [c for c in form.kind.choices if c.value in kinds]
    if form.validate_on_submit():
        try:
            receipt = services().ledger.record_supervision(
                year=year,
                kind=form.kind.data,
                held_on=form.held_on.data,
                title=form.title.data,
                summary=form.summary.data or "",
                findings=findings_of(form),
                actor=current_user.actor,
            )
        except SupervisionError as error:
            form.form_errors.append(supervision_problem(error))
        else:
            flash(_("督查记录已发布。"))
            target = url_for("supervision.pages.supervision", year=year) + f"#record-{receipt.id}"
            return redirect(target, 303)
    return render_template(
        "supervision/record.html", plan=plan, form=form
    ), 409 if form.errors else 200


@bp.route(
    "/findings/<uuid:finding_id>/<any(rectify, close, reopen):action>", methods=["GET", "POST"]
)
@login_required
def finding_step(finding_id: UUID, action: str) -> Page:
    member = current_user.member
    if (action == "rectify" and not member.unit) or (
        action != "rectify" and not member.has("supervisor")
    ):
        abort(403)
    with services().read() as c:
        years = q.plan_years(c)
        finding = next(
            iter(f for y in years for f in findings(c, y, _now(), finding_id=str(finding_id))), None
        )
    finding = found(finding)
    if action == "rectify" and finding.unit != member.unit:
        abort(403)  # each unit reports on its own findings
    form = StepForm()
    if form.validate_on_submit():
        ledger, text = services().ledger, form.text.data
        try:
            if action == "rectify":
                ledger.report_rectification(finding_id, text, member.unit, current_user.actor)
            elif action == "close":
                ledger.close_finding(finding_id, text, current_user.actor)
            else:
                ledger.reopen_finding(finding_id, text, current_user.actor)
        except SupervisionError as error:
            form.form_errors.append(supervision_problem(error))
        else:
            flash(_("已记录。"))
            year = finding.record.held_on.year
            return redirect(
                url_for("supervision.pages.finding", year=year, finding_id=finding_id), 303
            )
    return render_template(
        "supervision/finding_step.html", finding=finding, form=form, action=action
    ), (409 if form.errors else 200)


def _now() -> datetime:
    """Everything recorded so far (to the end of today, so a frozen test clock sees it too)."""
    return end_of_day(today())


def _kinds_for(member: Any) -> set[str]:
    bodies = set(member.scopes("supervisor"))
    return {kind for kind, (body, _name) in KINDS.items() if body in bodies}
