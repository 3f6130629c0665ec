"""The task force (role admin) converts cases, lists candidates and records the congress vote."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from domain.candidates import MAX_CASES, CandidateError
from minsheng_site.cycle.candidate_forms import (
    CandidateCorrectionForm,
    CandidateForm,
    ConversionForm,
    correction_data,
    problem,
    refuse,
    split_refs,
    targets_of,
    vote_data,
    vote_form,
    vote_spec,
)
from minsheng_site.services import services
from minsheng_site.staff.roles import requires
from minsheng_site.views import YEAR, found, today
from projections.cases import case_queries
from projections.cycle import candidate_queries as cq

bp = Blueprint("candidates_staff", __name__, url_prefix="/staff")

Page = str | Response | tuple[str, int]


@bp.get(f"/cycle/{YEAR}/candidates/")
@requires("admin")
def home(year: int) -> str:
    with services().read() as c:
        rows = cq.candidates(c, year)
        conversions = cq.conversions(c, year)
        vote = cq.vote(c, year)
    return render_template(
        "cycle/candidates/staff/home.html",
        cycle_year=year,
        rows=rows,
        conversions=conversions,
        vote=vote,
    )


@bp.route(f"/cycle/{YEAR}/conversions/new", methods=["GET", "POST"])
@requires("admin")
def new_conversion(year: int) -> Page:
    form = ConversionForm()
    if form.validate_on_submit():
        numbers = split_refs(form.numbers.data)
        if form.from_board.data:  # typed and found on the board: each once
            numbers = list(dict.fromkeys([*(n.upper() for n in numbers), *_board_numbers(form)]))
        try:
            ref = services().ledger.convert_cases(
                year, form.title.data, form.problem.data, numbers, current_user.actor
            )
        except CandidateError as error:
            problem(form, error)
        else:
            flash(_("诉求转化%(ref)s已发布。", ref=ref))
            return redirect(
                url_for("cycle.candidates.conversion", year=year, number=int(ref[1:])), 303
            )
    return render_template("cycle/candidates/staff/conversion.html", cycle_year=year, form=form), (
        409 if form.errors or form.form_errors else 200
    )


def _board_numbers(form: ConversionForm) -> list[str]:
    """The case board's cases matching the form's filters (as the public board lists them)."""
    filters = case_queries.Filters(
        year=form.case_year.data,
        district=form.district.data or None,
        unit=(form.unit.data or "").strip() or None,
    )
    with services().read() as c:
        rows, _total = case_queries.board(c, filters, today(), 1, MAX_CASES + 1)
    # oldest first; only those whose citizens agreed to publish their words (see convert_cases)
    return [r.number for r in reversed(rows) if r.consent]


@bp.route(f"/cycle/{YEAR}/candidates/new", methods=["GET", "POST"])
@requires("admin")
def new_candidate(year: int) -> Page:
    form = CandidateForm()
    if form.validate_on_submit() and (targets := targets_of(form)) is not None:
        try:
            ref = services().ledger.list_candidate(
                year,
                title=form.title.data,
                category=form.category.data,
                description=form.description.data,
                sources=split_refs(form.sources.data),
                targets=targets,
                units=[u for u in split_refs(form.units.data)],
                actor=current_user.actor,
            )
        except CandidateError as error:
            problem(form, error)
        else:
            flash(_("候选项目%(ref)s已发布。", ref=ref))
            return redirect(
                url_for("cycle.candidates.candidate", year=year, number=int(ref[1:])), 303
            )
    return render_template("cycle/candidates/staff/candidate.html", cycle_year=year, form=form), (
        409 if form.errors or form.form_errors else 200
    )


@bp.route(
    f"/cycle/{YEAR}/candidates/<int(min=1, max=999999):number>/correct", methods=["GET", "POST"]
)
@requires("admin")
def correct_candidate(year: int, number: int) -> Page:
    """Correct a listed candidate's words, targets or units before the vote (its sources
    stay), with a public reason; the public page and the log say what changed and why."""
    with services().read() as c:
        row = found(cq.candidate(c, year, number))
    form = CandidateCorrectionForm(data=correction_data(row))
    if form.validate_on_submit() and (targets := targets_of(form)) is not None:
        try:
            services().ledger.correct_candidate(
                year,
                f"C{number}",
                title=form.title.data,
                category=form.category.data,
                description=form.description.data,
                targets=targets,
                units=split_refs(form.units.data),
                reason=form.reason.data,
                actor=current_user.actor,
            )
        except CandidateError as error:
            if error.code == "voted":
                refuse(form, None, _("票决结果已经记录，候选项目不能再更正。"))
            elif error.code == "unchanged":
                refuse(form, None, _("更正后的内容与原内容相同。"))
            else:
                problem(form, error)
        else:
            flash(_("候选项目C%(n)s已更正。", n=number))
            return redirect(url_for("cycle.candidates.candidate", year=year, number=number), 303)
    return render_template(
        "cycle/candidates/staff/correct.html", cycle_year=year, form=form, row=row
    ), (409 if form.errors or form.form_errors else 200)


@bp.route(f"/cycle/{YEAR}/vote", methods=["GET", "POST"])
@requires("admin")
def vote(year: int) -> Page:
    """Record the congress's vote; once recorded, the same form corrects it (with a reason)."""
    book = services().ledger.candidate_book(year)
    refs = list(book.candidates) if book else []
    recorded = book.vote if book else None
    correction = recorded is not None
    form = vote_form(refs, correction, data=vote_data(recorded) if recorded else None)
    if form.validate_on_submit():
        try:
            spec = vote_spec(form, refs)
            if correction:
                services().ledger.correct_vote(year, spec, form.reason.data, current_user.actor)
            else:
                services().ledger.record_vote(year, spec, current_user.actor)
        except CandidateError as error:
            problem(form, error)
        else:
            flash(_("票决结果已更正。") if correction else _("票决结果已发布。"))
            return redirect(url_for("cycle.candidates.vote", year=year), 303)
    elif not refs and form.is_submitted():
        refuse(form, None, _("还没有候选项目，不能记录票决结果。"))
    with services().read() as c:
        rows = cq.candidates(c, year)
    return render_template(
        "cycle/candidates/staff/vote.html",
        cycle_year=year,
        form=form,
        rows=rows,
        correction=correction,
    ), (409 if form.errors or form.form_errors else 200)
