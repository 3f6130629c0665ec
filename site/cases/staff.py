"""Staff handling of cases: the case task force (市政府办公室) runs the loop; units reply.

The original words and contact details are opened only here, for the task
force and the units the case is assigned to, through the ledger's
`open_case_for_staff`, which records each reading (the PIPL access log).
Supervisors open a case to 督办 it and see its public facts only; everyone
else is refused. Nothing personal is written to a read model or log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from application.access_commands import StaffCase
from application.case_commands import Intake
from domain.access import Viewer
from domain.cases import CaseError
from domain.contacts import normalise_phone
from minsheng_site.cases import forms as f
from minsheng_site.labels import translated
from minsheng_site.messages import case_problem
from minsheng_site.photos import accepts_photos
from minsheng_site.services import at_head, services
from minsheng_site.staff.roles import is_task_force
from minsheng_site.views import int_arg, today
from projections.cases import case_queries as cq
from projections.cases import photo_queries as pq
from projections.cases.access_log import PAGE, accesses

bp = Blueprint("staff", __name__, url_prefix="/staff/cases")
accepts_photos("cases.staff.act")  # the reply carries the unit's photos


def viewer() -> Viewer:
    member = current_user.member
    return Viewer(current_user.actor, member.unit, is_task_force(), member.has("supervisor"))


@dataclass(frozen=True)
class Action:
    form: type[Any]
    allowed: Callable[[Any], bool]  # given the case aggregate
    run: Callable[[Any, Any], None]  # given the case (aggregate) and the validated form


def _ledger() -> Any:
    return services().ledger


def _units(text: str) -> list[str]:
    return [
        u.strip()
        for u in (text or "").replace("，", ",").replace("、", ",").split(",")
        if u.strip()
    ]


ACTIONS: dict[str, Action] = {
    "accept": Action(
        f.EmptyForm,
        lambda c: is_task_force(),
        lambda c, form: _ledger().accept_case(str(c.id), current_user.actor),
    ),
    "decline": Action(
        f.DeclineForm,
        lambda c: is_task_force(),
        lambda c, form: _ledger().decline_case(str(c.id), form.reason.data, current_user.actor),
    ),
    "assign": Action(
        f.AssignForm,
        lambda c: is_task_force(),
        lambda c, form: _ledger().assign_case(
            str(c.id),
            form.route.data,
            form.lead_unit.data.strip(),
            _units(form.co_units.data),
            form.working_days.data,
            current_user.actor,
        ),
    ),
    "track": Action(
        f.TrackForm,
        lambda c: is_task_force(),
        lambda c, form: _ledger().supervise_case_key(
            str(c.id), form.track.data, current_user.actor
        ),
    ),
    "reply": Action(
        f.ReplyForm,
        lambda c: c.lead_unit is not None and current_user.member.unit == c.lead_unit,
        lambda c, form: _ledger().reply_case(
            str(c.id),
            form.text.data,
            current_user.member.unit,
            current_user.actor,
            form.photos.cleaned,
            form.photo_source.data,
        ),
    ),
    "note": Action(
        f.NoteForm,
        lambda c: is_task_force() or current_user.member.has("supervisor"),
        lambda c, form: _ledger().note_case_supervision(
            str(c.id), form.text.data, form.within_days.data, current_user.actor
        ),
    ),
    "merge": Action(
        f.MergeForm,
        lambda c: is_task_force(),
        lambda c, form: _ledger().merge_case(
            str(c.id), form.into.data.strip().upper(), current_user.actor
        ),
    ),
    "close": Action(
        f.EmptyForm,
        lambda c: is_task_force(),
        lambda c, form: _ledger().close_case(str(c.id), current_user.actor),
    ),
    "link": Action(
        f.LinkForm,
        lambda c: is_task_force(),
        lambda c, form: _ledger().link_case_to_project(
            str(c.id), c.year, form.project.data.strip(), form.note.data or "", current_user.actor
        ),
    ),
    "redact": Action(
        f.RedactForm,
        lambda c: is_task_force(),
        lambda c, form: _ledger().redact_case(
            str(c.id), form.title.data, form.text.data or "", form.reason.data, current_user.actor
        ),
    ),
}


@bp.get("/")
@login_required
def queue() -> str:
    """定期梳理: open cases, oldest first, with their age and time limit."""
    who = viewer()
    if not (who.task_force or who.supervisor or who.unit):
        abort(403)
    unit = None if who.task_force or who.supervisor else who.unit  # all cases, or the unit's
    with services().read() as c:
        rows = cq.open_cases(c, unit)
    return render_template(
        "cases/staff/queue.html", rows=rows, today=today(), task_force=is_task_force()
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def hotline() -> str | Response | tuple[str, int]:
    """A call to the 12345 hotline, entered by the task force."""
    if not is_task_force():
        abort(403)
    form = f.HotlineCaseForm()
    if form.validate_on_submit():
        try:
            receipt = _hotline_intake(form)
        except CaseError as error:
            form.form_errors.append(case_problem(error))
            return render_template("cases/staff/new.html", form=form), 400
        if receipt.created:
            flash(
                _(
                    "已登记为%(number)s。请告知来电人查询码：%(code)s",
                    number=receipt.number,
                    code=receipt.query_code,
                )
            )
        else:
            flash(_("该工单已登记为%(number)s，未重复登记。", number=receipt.number))
        return redirect(url_for("cases.staff.case", case_id=receipt.case_id), 303)
    return render_template("cases/staff/new.html", form=form), 400 if form.errors else 200


def _hotline_intake(form: Any) -> Any:
    return _ledger().submit_case(
        Intake(
            year=form.received_on.data.year,
            channel="hotline",
            category=form.category.data,
            district=form.district.data,
            title=form.title.data.strip(),
            content=form.content.data.strip(),
            name=form.name.data.strip(),
            phone=normalise_phone(form.phone.data) or "",
            consent=bool(form.consent.data),
            received_on=form.received_on.data,
            external_id=(form.external_id.data or "").strip() or None,
            submission=form.submission.data or None,
            address=(form.address.data or "").strip(),
        ),
        actor=current_user.actor,
    )


@bp.get("/access-log")
@login_required
@at_head  # an audit log shows every reading up to this moment
def access_log() -> str:
    """Who was shown which case's personal data, newest first: for the task force only."""
    if not is_task_force():
        abort(403)
    number = (request.args.get("case") or "").strip().upper()[:16]
    username = (request.args.get("staff") or "").strip().lower()[:32]
    page = int_arg("page", high=100_000) or 1
    with services().read() as c:
        rows, total = accesses(c, number or None, f"staff:{username}" if username else None, page)
    return render_template(
        "cases/staff/access_log.html",
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE)),
        number=number,
        username=username,
    )


@bp.get("/<uuid:case_id>")
@login_required
def case(case_id: Any) -> str:
    shown = _open(str(case_id), "case")
    return _page(shown, _forms(shown))


@bp.post(f"/<uuid:case_id>/<any({', '.join(ACTIONS)}):action>")
@login_required
def act(case_id: Any, action: str) -> str | Response | tuple[str, int]:
    step = ACTIONS[action]
    reached = _reach(str(case_id))
    if not step.allowed(reached.case):
        abort(403)
    form = step.form(prefix=action)
    if form.validate_on_submit():
        try:
            step.run(reached.case, form)
        except CaseError as error:
            form.form_errors.append(case_problem(error))
        else:
            flash(_("已记录。"))
            return redirect(url_for("cases.staff.case", case_id=case_id), 303)
    shown = _open(str(case_id), f"action:{action}")  # the page again, with what was refused
    return _page(shown, {**_forms(shown), action: form}, failed=action), 409


def _forms(shown: StaffCase) -> dict[str, Any]:
    return {
        name: action.form(prefix=name)
        for name, action in ACTIONS.items()
        if action.allowed(shown.case)
    }


def _page(shown: StaffCase, forms: dict[str, Any], failed: str | None = None) -> str:
    with services().read() as c:
        steps = cq.steps(c, str(shown.case.id))
        row = cq.case(c, shown.case.number)  # what the public sees (e.g. words withheld)
        public_photos = pq.public_photos(c, str(shown.case.id))  # all a supervisor sees
    return render_template(
        "cases/staff/case.html",
        case=shown.case,
        details=shown.details,
        row=row,
        steps=steps,
        public_photos=public_photos,
        photo_rejections=translated("photo_rejection"),
        forms=forms,
        today=today(),
        failed=failed,
        task_force=is_task_force(),
    )


def _reach(case_id: str) -> StaffCase:
    """The case, if this viewer may open it at all (no personal data, nothing recorded)."""
    try:
        return _ledger().case_for_staff(case_id, viewer())
    except CaseError as error:
        abort(404 if error.code == "not_found" else 403)


def _open(case_id: str, view: str) -> StaffCase:
    """The case as this viewer may see it; showing personal data records the access."""
    try:
        return _ledger().open_case_for_staff(case_id, viewer(), view)
    except CaseError as error:
        abort(404 if error.code == "not_found" else 403)
