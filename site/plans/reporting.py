"""Reporters file and correct the monthly reports of the items their unit leads."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from domain.plan import item_id
from domain.plan_spec import Schedule
from domain.progress import AlreadyReported, InvalidReport, Period, StaleReport
from domain.schedule import reporting_periods
from minsheng_site.messages import report_problem
from minsheng_site.photos import accepts_photos
from minsheng_site.plans.forms import (
    Correction,
    NewReport,
    breakdown_layout,
    districts_of,
    filing_form,
    form_field,
    prefill,
    values_of,
)
from minsheng_site.services import services
from minsheng_site.staff.roles import requires
from minsheng_site.views import NUMBER, YEAR, found, today
from projections.plans import queries as q
from projections.plans.district_queries import project_districts
from projections.plans.progress_queries import item_progress, schedule_of

bp = Blueprint("reporting", __name__, url_prefix="/staff")
accepts_photos("plans.reporting.report")
accepts_photos("plans.reporting.correct")
ITEM = f"/plans/{YEAR}/items/{NUMBER}"

Page = str | Response | tuple[str, int]


@bp.route(
    "/plans/<int(min=2000, max=2100):year>/items/<int(min=1, max=999):number>/report",
    methods=["GET", "POST"],
)
@requires("reporter")
def report(year: int, number: int) -> Page:
    with services().read() as c:
        plan = found(q.plan(c, year))
        # The item as amended today: its lead unit reports, on the projects then in force.
        progress = item_progress(c, plan, found(q.item(c, year, number)), today())
        item = progress.item
        scopes = project_districts([item], q.key_projects(c, year))
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
        scopes,
        # Defaults only for a fresh form: a posted form carries its own values.
        data=None
        if request.method == "POST"
        else {
            **(prefill(latest.values, latest.districts) if latest else {}),
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
                districts=districts_of(form, item.projects, scopes),
                photos=form.photos.cleaned,
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
        "plans/report.html",
        plan=plan,
        item=item,
        form=form,
        progress=progress,
        correcting=None,
        layout=breakdown_layout(item.projects, scopes),
    ), status


@bp.route(f"{ITEM}/reports/<report_id>/correct", methods=["GET", "POST"])
@requires("reporter")
def correct(year: int, number: int, report_id: str) -> Page:
    with services().read() as c:
        plan = found(q.plan(c, year))
        # The item as amended today: its lead unit reports, on the projects then in force.
        progress = item_progress(c, plan, found(q.item(c, year, number)), today())
        item = progress.item
        scopes = project_districts([item], q.key_projects(c, year))
    _must_lead(item)
    original = next((r for r in progress.reports if r.report_id == report_id), None)
    original = found(original)
    form = filing_form(
        Correction,
        item.projects,
        scopes,
        data=None
        if request.method == "POST"
        else {
            **prefill(original.values, original.districts),
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
                districts=districts_of(form, item.projects, scopes),
                photos=form.photos.cleaned,
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
        "plans/report.html",
        plan=plan,
        item=item,
        form=form,
        progress=progress,
        correcting=original,
        layout=breakdown_layout(item.projects, scopes),
    ), status


def _must_lead(item: q.ItemView) -> None:
    if current_user.member.unit != item.lead_unit:
        abort(403)


def _version(year: int, number: int) -> int:
    return services().ledger.repository.get(item_id(year, number)).version


def _schedule(plan: q.PlanView) -> Schedule:
    return schedule_of(plan)


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
    return redirect(
        url_for("plans.pages.item", year=year, number=number) + f"#report-{report_id}", 303
    )
