"""The year-end evaluation (年底考评) in public, and the administrators' award decisions.

The formula comes from plans/<year>/evaluation.yaml and is shown with its
inputs and results; /api/v1/plans/<year>/evaluation publishes all of it, so
that anyone can recompute every score and ranking.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length, Optional

from application.evaluation_file import load_formula
from domain.awards import AwardError, check_nomination
from domain.evaluation import COMPONENTS, Formula
from domain.wuxi import business_date
from minsheng_site.caching import publicly_cacheable
from minsheng_site.csv_export import csv_response
from minsheng_site.form_base import Form
from minsheng_site.messages import CASE_PROBLEMS
from minsheng_site.services import services
from minsheng_site.staff.roles import is_task_force
from minsheng_site.views import YEAR, plan_of, render, simulated_figures
from projections.ratings.evaluation_queries import Evaluation, evaluate

bp = publicly_cacheable(Blueprint("evaluation", __name__))


def formula_of(year: int) -> Formula:
    formula = load_formula(year)
    if formula is None:
        abort(404)
    return formula


def evaluation_of(year: int) -> tuple[Any, Evaluation]:
    formula = formula_of(year)

    plan = plan_of(year)

    def compute() -> tuple[Any, Evaluation]:
        with services().read() as c:
            return plan, evaluate(c, plan, formula)

    return services().once(("evaluation", year), compute)


@bp.get(f"/plans/{YEAR}/evaluation")
def results(year: int) -> str:
    plan, evaluation = evaluation_of(year)
    return render(
        "ratings/evaluation/results.html",
        plan=plan,
        e=evaluation,
        components=COMPONENTS,
        provisional=business_date(services().ledger.clock()) <= evaluation.formula.as_of,
    )


def _inputs(inputs: Any) -> dict[str, Any]:
    return asdict(inputs)


@bp.get(f"/api/v1/plans/{YEAR}/evaluation")
def results_api(year: int) -> Response:
    _plan, e = evaluation_of(year)
    f = e.formula
    return jsonify(
        {
            "year": year,
            "simulated": simulated_figures(),
            "formula": {
                "as_of": f.as_of.isoformat(),
                "weights": f.weights,
                "minimum_ratings": f.minimum_ratings,
                "score": "100 * sum(weight[k] * component[k]) / sum(weight)",
                "components": {
                    "completion": "completion as reported by as_of, 0..1",
                    "timeliness": "reports_on_time / reports_due (1 when none due)",
                    "findings": "1 - findings_open / findings_raised (1 when none raised)",
                    "satisfaction": "lower bound of the Wilson 95% interval of "
                    "ratings_content / ratings_total; 0 below minimum_ratings",
                },
                "ranking": "score descending (rounded to 6 decimals), then key ascending",
                "awards": f.awards,
            },
            "projects": [_row(s) for s in e.projects],
            "units": [_row(s) for s in e.units],
            "awards": {
                key: {
                    **f.awards[key],
                    "candidates": [
                        {"key": c.key, "rank": c.rank, **c.detail} for c in e.candidates[key]
                    ],
                    "nominated": [d.candidate for d in e.decisions[key]],
                    "selected": [d.candidate for d in e.decisions[key] if d.selected_at],
                }
                for key in f.awards
            },
        }
    )


def _row(s: Any) -> dict[str, Any]:
    return {
        "key": s.key,
        "label": s.label,
        "rank": s.rank,
        "score": round(s.score, 6),
        "inputs": _inputs(s.inputs),
        "components": {k: round(v, 6) for k, v in s.parts.items()},
    }


@bp.get(f"/open-data/plans/{YEAR}/evaluation.csv")
def results_csv(year: int) -> Response:
    _plan, e = evaluation_of(year)
    fields = list(_inputs(e.projects[0].inputs)) if e.projects else []
    parts = [f"component_{k}" for k in COMPONENTS]
    header: list[object] = ["level", "rank", "key", "label", "score", *parts, *fields, "simulated"]
    rows: list[list[object]] = [header]
    simulated = simulated_figures()  # the scores draw on the simulated year's facts
    for level, scored in (("project", e.projects), ("unit", e.units)):
        rows.extend(
            [
                level,
                s.rank,
                s.key,
                s.label,
                f"{s.score:.6f}",
                *(f"{s.parts[k]:.6f}" for k in COMPONENTS),
                *_inputs(s.inputs).values(),
                simulated,
            ]
            for s in scored
        )
    return csv_response(rows, f"evaluation-{year}.csv")


# Administrators: nominate and select --------------------------------------------------


class DecisionForm(Form):
    candidate = HiddenField(validators=[DataRequired()])
    note = StringField(_l("说明（公开）"), validators=[Optional(), Length(max=200)])


@bp.route(
    f"/staff/awards/{YEAR}/<award>/<any(nominate, select, withdraw):action>", methods=["POST"]
)
@login_required
def decide(year: int, award: str, action: str) -> Response:
    if not is_task_force():
        abort(403)
    formula = formula_of(year)
    if award not in formula.awards:
        abort(404)
    form = DecisionForm()
    if not form.validate_on_submit():
        flash(_("表单已过期，请重试。"))
        return redirect(url_for("ratings.evaluation.staff_page", year=year), 303)
    details = formula.awards[award]
    command = {
        "nominate": services().ledger.nominate,
        "select": services().ledger.select,
        "withdraw": services().ledger.withdraw,
    }[action]
    try:
        if action == "nominate":  # only nominations need the (whole-plan) evaluation
            keys = {c.key for c in evaluation_of(year)[1].candidates[award]}
            check_nomination(form.candidate.data, keys)
        command(
            year,
            award,
            str(details["name"]),
            # the formula file's award entries are untyped; places is an int there
            int(details["places"]),  # type: ignore[call-overload]
            form.candidate.data,
            form.note.data or "",
            current_user.actor,
        )
    except AwardError as error:
        flash(
            {
                "not_candidate": _("只能提名候选名单中的对象。"),
                "nominated": _("已经提名过。"),
                "not_nominated": _("须先提名，才能评选。"),
                "selected": _("已经评选为获奖。"),
                "full": _("获奖名额已满。"),
                "reason": _("撤回须写明原因（公开）。"),
                "personal": str(CASE_PROBLEMS["personal"]),
                "mobile": str(CASE_PROBLEMS["mobile"]),
            }.get(error.code, _("操作未成功。"))
        )
    else:
        flash(_("已记录。"))
    return redirect(url_for("ratings.evaluation.staff_page", year=year), 303)


@bp.get(f"/staff/awards/{YEAR}")
@login_required
def staff_page(year: int) -> str:
    if not is_task_force():
        abort(403)
    plan, evaluation = evaluation_of(year)
    return render_template(
        "ratings/evaluation/staff.html", plan=plan, e=evaluation, form=DecisionForm(formdata=None)
    )
