"""The solicitation of proposals for a year's plan (征集), as the public sees it.

/cycle/<year>/ tells the period and the counts; the list and each proposal show what the
task force approved and how it answered. A citizen proves a phone or e-mail first (the
ratings' verification, kept in the session) and then proposes or supports: one support per
person and proposal. Nothing here shows who proposed or supported.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from domain.proposals import ANSWERS, PLACES, ProposalError
from domain.wuxi import business_date
from minsheng_site.caching import publicly_cacheable
from minsheng_site.csv_export import csv_response
from minsheng_site.cycle.proposal_forms import ProposalForm, ProposalSupportForm
from minsheng_site.services import services
from minsheng_site.verified import verified
from minsheng_site.views import YEAR
from projections.cycle import proposal_queries as pq

bp = publicly_cacheable(Blueprint("proposals", __name__, url_prefix="/cycle"))
api = publicly_cacheable(Blueprint("proposals_api", __name__))


@api.get(f"/api/v1/cycle/{YEAR}/proposals")
def proposals_api(year: int) -> Response:
    """The solicitation and its published proposals with their supports and answers, as the
    pages show them (never who proposed or supported)."""
    with services().read() as c:
        solicitation = pq.solicitation(c, year)
        if solicitation is None:
            abort(404)
        rows = pq.proposals(c, year, sort="number")
        counts = pq.counts(c, year)
    return jsonify(
        {
            "year": year,
            "solicitation": {
                "opened_at": solicitation.opened_at.isoformat(),
                "last_day": solicitation.last_day,
                "closed_at": solicitation.closed_at.isoformat() if solicitation.closed_at else None,
                "received": counts.received,
                "published": counts.approved,
                "rejected": counts.rejected,
                "simulated": solicitation.simulated,
            },
            "proposals": [
                {
                    "ref": p.ref,
                    "title": p.title,
                    "description": p.description,
                    "category": p.category,
                    "district": p.district,
                    "edited": p.edited,
                    "submitted_at": p.submitted_at.isoformat(),
                    "supports": p.supports,
                    "total_supports": p.total_supports,
                    "answer": p.answer,
                    "candidate": p.candidate,
                    "merged_into": f"P{p.merged_into}" if p.merged_into else None,
                    "answer_text": p.answer_text,
                    "answered_at": p.answered_at.isoformat() if p.answered_at else None,
                    "simulated": p.simulated,
                }
                for p in rows
            ],
        }
    )


CSV_FIELDS = (
    "year",
    "ref",
    "title",
    "description",
    "category",
    "district",
    "edited",
    "submitted_at",
    "supports",
    "total_supports",
    "answer",
    "candidate",
    "merged_into",
    "answer_text",
    "answered_at",
    "simulated",
)


@api.get(f"/cycle/{YEAR}/proposals.csv")
def proposals_csv(year: int) -> Response:
    """The published proposals as the API gives them, one per line (never who proposed)."""
    with services().read() as c:
        if pq.solicitation(c, year) is None:
            abort(404)
        rows = pq.proposals(c, year, sort="number")
    table: list[list[object]] = [list(CSV_FIELDS)]
    for p in rows:
        table.append(
            [
                year,
                p.ref,
                p.title,
                p.description,
                p.category,
                p.district,
                "1" if p.edited else "0",
                p.submitted_at.isoformat(),
                p.supports,
                p.total_supports,
                p.answer or "",
                p.candidate or "",
                f"P{p.merged_into}" if p.merged_into else "",
                p.answer_text or "",
                p.answered_at.isoformat() if p.answered_at else "",
                "1" if p.simulated else "0",
            ]
        )
    return csv_response(table, f"proposals-{year}.csv")


def _state(solicitation: pq.SolicitationView | None) -> str:
    """not_opened / open / closed, as of the ledger's clock."""
    if solicitation is None:
        return "not_opened"
    today = business_date(services().ledger.clock()).isoformat()
    if solicitation.closed_at is not None or today > solicitation.last_day:
        return "closed"  # not a case state: the solicitation's
    return "open"


@bp.get(f"/{YEAR}/")
def overview(year: int) -> str:
    with services().read() as c:
        solicitation = pq.solicitation(c, year)
        if solicitation is None:
            abort(404)
        counts = pq.counts(c, year)
        rejected = pq.rejected_counts(c, year)
        top = pq.proposals(c, year)[:5]
    return render_template(
        "cycle/overview.html",
        cycle_year=year,
        solicitation=solicitation,
        state=_state(solicitation),
        counts=counts,
        rejected=rejected,
        top=top,
    )


@bp.get("/proposals/mine")
def mine() -> Any:
    """The verified person's own proposals, whatever became of them (their own words, and
    why one was not published): for them only, never cached."""
    who = verified()
    if who is None:
        return redirect(url_for("ratings.pages.verify", next=url_for(".mine")), 303)
    ledger = services().ledger
    rows = [
        {"p": p, "words": ledger.proposal_words(p) or {"title": p.title, "description": ""}}
        for p in ledger.proposals_of(who.address.value)
    ]
    return render_template("cycle/mine.html", rows=rows, who=who)


@bp.get(f"/{YEAR}/proposals/")
def index(year: int) -> str:
    category = request.args.get("category", "")
    district = request.args.get("district", "")
    answer = request.args.get("answer", "")
    sort = request.args.get("sort", "supports")
    if sort not in pq.SORTS:
        sort = "supports"
    if answer not in (*ANSWERS, pq.UNANSWERED):
        answer = ""
    with services().read() as c:
        solicitation = pq.solicitation(c, year)
        if solicitation is None:
            abort(404)
        categories, districts = pq.filters(c, year)
        found = pq.proposals(
            c,
            year,
            category=category if category in categories else None,
            district=district if district in districts else None,
            answer=answer or None,
            sort=sort,
        )
    return render_template(
        "cycle/proposals.html",
        cycle_year=year,
        solicitation=solicitation,
        state=_state(solicitation),
        proposals=found,
        categories=categories,
        districts=districts,
        chosen={"category": category, "district": district, "answer": answer, "sort": sort},
        answers=(*ANSWERS, pq.UNANSWERED),
    )


@bp.get(f"/{YEAR}/proposals/<int(min=1, max=999999):number>")
def proposal(year: int, number: int) -> str:
    return _proposal_page(year, number)


def _proposal_page(
    year: int, number: int, form: ProposalSupportForm | None = None, status: int = 200
) -> Any:
    with services().read() as c:
        found = pq.proposal(c, year, number)
        if found is None:
            abort(404)
        merged = pq.merged_into(c, year, number)
    who = verified()
    supported = who is not None and services().ledger.supports(who, year, number)
    page = render_template(
        "cycle/proposal.html",
        cycle_year=year,
        p=found,
        merged=merged,
        form=form or ProposalSupportForm(),
        verified=who is not None,
        supported=supported,
    )
    return (page, status) if status != 200 else page


@bp.post(f"/{YEAR}/proposals/<int(min=1, max=999999):number>/support")
def support(year: int, number: int) -> Any:
    page = url_for(".proposal", year=year, number=number)
    with services().read() as c:
        if pq.proposal(c, year, number) is None:
            abort(404)
    who = verified()
    if who is None:
        return redirect(url_for("ratings.pages.verify", next=page), 303)
    form = ProposalSupportForm()
    if not form.validate_on_submit():
        form.form_errors.append(_("页面已过期，请重新提交。"))
        return _proposal_page(year, number, form, 400)
    try:
        services().ledger.support_proposal(who, year, number)
    except ProposalError as error:
        form.form_errors.append(_support_problem(error))
        return _proposal_page(year, number, form, 409)
    services().caught_up()
    flash(_("已附议，谢谢。"))
    return redirect(page + "#support", 303)


def _support_problem(error: ProposalError) -> str:
    return {
        "twice": _("您已经附议过这条建议，每人只能附议一次。"),
        "own": _("不能附议自己提出的建议。"),
        "answered": _("这条建议已经答复，不再接受附议。"),
    }.get(error.code, _("附议未能保存。"))


@bp.route(f"/{YEAR}/proposals/new", methods=["GET", "POST"])
def new(year: int) -> Any:
    page = url_for(".new", year=year)
    with services().read() as c:
        solicitation = pq.solicitation(c, year)
    ledger = services().ledger
    categories = ledger.proposal_categories(year)
    if solicitation is None or not categories:
        abort(404)
    who = verified()
    if who is None:
        return redirect(url_for("ratings.pages.verify", next=page), 303)
    form = ProposalForm()
    form.category.choices = [("", _("请选择")), *((name, name) for name in categories)]
    form.district.choices = [("", _("请选择")), *((p, p) for p in PLACES)]
    state = _state(solicitation)
    status = 200
    if request.method == "POST":
        status = 400
        if state != "open":
            form.form_errors.append(_closed_words(state))
            status = 409
        elif form.validate_on_submit():
            try:
                receipt = ledger.propose(
                    who,
                    year,
                    form.title.data or "",
                    form.description.data or "",
                    form.category.data or "",
                    form.district.data or "",
                )
            except ProposalError as error:
                _place_problem(form, error)
                status = 409
            else:
                services().caught_up()
                flash(
                    _(
                        "已收到您的建议%(ref)s，审核通过后公开。",
                        ref=receipt.ref,
                    )
                )
                return redirect(url_for(".overview", year=year), 303)
    return render_template(
        "cycle/new.html", cycle_year=year, form=form, state=state, solicitation=solicitation
    ), status


def _closed_words(state: str) -> str:
    if state == "not_opened":
        return _("征集尚未开始。")
    return _("征集已经结束，不再接受新的建议。")


def _place_problem(form: ProposalForm, error: ProposalError) -> None:
    fields = {
        "title": form.title,
        "description": form.description,
        "category": form.category,
        "district": form.district,
    }
    if error.code == "closed":  # not a case state: the solicitation's
        form.form_errors.append(_closed_words("closed"))  # not a case state
    elif error.code == "not_open":
        form.form_errors.append(_closed_words("not_opened"))
    elif error.code in fields:
        fields[error.code].errors = [_("请检查这一项。")]
    else:
        form.form_errors.append(_("建议未能保存，请再试一次。"))
