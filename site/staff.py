"""Staff pages: reporters file and correct monthly reports; supervisors record and follow up."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from domain.plan import item_id
from domain.plan_spec import Schedule
from domain.progress import AlreadyReported, InvalidReport, Period, StaleReport
from domain.schedule import reporting_periods
from domain.supervision import KINDS, SupervisionError
from domain.wuxi import end_of_day
from minsheng_site.auth import requires
from minsheng_site.case_staff import TASK_FORCE
from minsheng_site.forms import (
    Correction,
    NewReport,
    StepForm,
    filing_form,
    findings_of,
    form_field,
    prefill,
    supervision_form,
    values_of,
)
from minsheng_site.messages import report_problem, supervision_problem
from minsheng_site.services import services
from minsheng_site.views import NUMBER, YEAR, found, today
from projections import queries as q
from projections.progress_queries import item_progress, schedule_of
from projections.supervision_queries import findings

bp = Blueprint("staff", __name__, url_prefix="/staff")
ITEM = f"/plans/{YEAR}/items/{NUMBER}"

Page = str | Response | tuple[str, int]


@bp.get("/")
@login_required
def home() -> str:
    member = current_user.member
    with services().read() as c:
        years = q.plan_years(c)
        plan = q.plan(c, years[-1]) if years else None
        mine, to_rectify, open_findings = [], [], []
        if plan and member.unit:
            unit = q.unit(c, plan.year, member.unit)
            led = unit.items_led if unit else ()
            mine = [item_progress(c, plan, item, today()) for item in led]
            to_rectify = [f for f in findings(c, plan.year, _now(), unit=member.unit) if f.is_open]
        if plan and member.has("supervisor"):
            open_findings = [f for f in findings(c, plan.year, _now()) if f.is_open]
    return render_template(
        "staff/home.html",
        plan=plan,
        member=member,
        mine=mine,
        to_rectify=to_rectify,
        open_findings=open_findings,
        today=today(),
        is_task_force=TASK_FORCE in member.scopes("admin"),
    )


@bp.route(
    "/plans/<int(min=2000, max=2100):year>/items/<int(min=1, max=999):number>/report",
    methods=["GET", "POST"],
)
@requires("reporter")
def report(year: int, number: int) -> Page:
    with services().read() as c:
        plan = found(q.plan(c, year))
        item = found(q.item(c, year, number))
        progress = item_progress(c, plan, item, today())
    _must_lead(item)
    open_periods = [
        str(p)
        for p in reporting_periods(Period.of(plan.document_date), _schedule(plan))
        if p not in progress.in_force and p <= Period.of(today())
    ]
    latest = next(reversed(progress.in_force.values()), None)
    form = filing_form(
        NewReport,
        item.projects,
        # Defaults only for a fresh form: a posted form carries its own values.
        data=None
        if request.method == "POST"
        else {
            **prefill(latest.values if latest else ()),
            "expected_version": _version(year, number),
        },
    )
    form.period.choices = [SelectChoice(p, p) for p in open_periods]
    if form.validate_on_submit():
        try:
            receipt = services().ledger.report_progress(
                year=year,
                item=number,
                period=form.period.data,
                unit=current_user.member.unit,
                values=values_of(form, item.projects),
                narrative=form.narrative.data or "",
                evidence=form.links(),
                actor=current_user.actor,
                expected_version=form.version(),
            )
        except AlreadyReported as error:
            form.period.errors = [_("该月已有报告，请用“更正”修改。")]
            del error
        except (InvalidReport, StaleReport) as error:
            _explain(form, error, year, number)
        else:
            return _done(
                year, number, receipt.id, _("已提交%(period)s的报告。", period=form.period.data)
            )
    status = 409 if form.errors else 200
    return render_template(
        "staff/report.html", plan=plan, item=item, form=form, progress=progress, correcting=None
    ), status


@bp.route(f"{ITEM}/reports/<report_id>/correct", methods=["GET", "POST"])
@requires("reporter")
def correct(year: int, number: int, report_id: str) -> Page:
    with services().read() as c:
        plan = found(q.plan(c, year))
        item = found(q.item(c, year, number))
        progress = item_progress(c, plan, item, today())
    _must_lead(item)
    original = next((r for r in progress.reports if r.report_id == report_id), None)
    original = found(original)
    form = filing_form(
        Correction,
        item.projects,
        data=None
        if request.method == "POST"
        else {
            **prefill(original.values),
            "narrative": original.narrative,
            "evidence": "\n".join(original.evidence),
            "expected_version": _version(year, number),
        },
    )
    if form.validate_on_submit():
        try:
            receipt = services().ledger.correct_report(
                year=year,
                item=number,
                corrects=report_id,
                reason=form.reason.data,
                unit=current_user.member.unit,
                values=values_of(form, item.projects),
                narrative=form.narrative.data or "",
                evidence=form.links(),
                actor=current_user.actor,
                expected_version=form.version(),
            )
        except (InvalidReport, StaleReport) as error:
            _explain(form, error, year, number)
        else:
            return _done(
                year,
                number,
                receipt.id,
                _("已提交%(period)s报告的更正。", period=str(original.period)),
            )
    status = 409 if form.errors else 200
    return render_template(
        "staff/report.html", plan=plan, item=item, form=form, progress=progress, correcting=original
    ), status


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
            target = url_for("progress.supervision", year=year) + f"#record-{receipt.id}"
            return redirect(target, 303)
    return render_template(
        "staff/supervision.html", plan=plan, form=form
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
            return redirect(url_for("progress.finding", year=year, finding_id=finding_id), 303)
    return render_template("staff/finding_step.html", finding=finding, form=form, action=action), (
        409 if form.errors else 200
    )


def _must_lead(item: q.ItemView) -> None:
    if current_user.member.unit != item.lead_unit:
        abort(403)


def _version(year: int, number: int) -> int:
    return services().ledger.repository.get(item_id(year, number)).version


def _schedule(plan: q.PlanView) -> Schedule:
    return schedule_of(plan)


def _now() -> datetime:
    """Everything recorded so far (to the end of today, so a frozen test clock sees it too)."""
    return end_of_day(today())


def _kinds_for(member: Any) -> set[str]:
    bodies = set(member.scopes("supervisor"))
    return {kind for kind, (body, _name) in KINDS.items() if body in bodies}


def _explain(form: Any, error: InvalidReport | StaleReport, year: int, number: int) -> None:
    """Put the domain's objections on the fields they concern; keep what was typed."""
    if isinstance(error, StaleReport):
        form.form_errors.append(
            _(
                "在您填写期间，本条目已有新的报告或更正。请核对下方最新记录后再提交；您填写的内容已保留。"
            )
        )
        form.expected_version.data = str(_version(year, number))
        form.expected_version.raw_data = None
        return
    for problem in error.problems:
        name = form_field(problem.field)
        message = report_problem(problem)
        if name and name in form:
            form[name].errors = [*form[name].errors, message]
        else:
            form.form_errors.append(message)


def _done(year: int, number: int, report_id: str, message: str) -> Response:
    flash(message)
    return redirect(url_for("public.item", year=year, number=number) + f"#report-{report_id}", 303)
