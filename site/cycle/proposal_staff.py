"""The task force's side of the solicitation: open and close it, moderate, merge and answer.

Only the task force (admin of 市政府办公室, as for comments) reads what a citizen wrote
before it is approved; approving may edit the words to take out what names a person, and
the approved words are public for good. Every step is an event with the actor recorded.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from domain.proposals import DESCRIPTION_MAX, REASON_MAX, TITLE_MAX, ProposalError, number_of
from minsheng_site.cycle.proposal_forms import (
    ANSWER_FORMS,
    ProposalAdoptForm,
    ProposalApproveForm,
    ProposalDeclineForm,
    ProposalMergeForm,
    ProposalRejectForm,
    SolicitationCloseForm,
    SolicitationOpenForm,
)
from minsheng_site.form_base import Form
from minsheng_site.services import services
from minsheng_site.staff.roles import is_task_force
from minsheng_site.views import YEAR
from projections.cycle import proposal_queries as pq

bp = Blueprint("proposal_staff", __name__, url_prefix="/staff/cycle")
ACTIONS = tuple(ANSWER_FORMS)


def _guard() -> None:
    if not is_task_force():
        abort(403)


@bp.get(f"/{YEAR}/proposals")
@login_required
def queue(year: int) -> str:
    _guard()
    return _queue(year)


def _queue(
    year: int, failed: tuple[int, str, Form] | None = None, opening: Form | None = None
) -> Any:
    ledger = services().ledger
    with services().read() as c:
        solicitation = pq.solicitation(c, year)
        pending = pq.queue(c, year)
        unanswered = pq.proposals(c, year, answer=pq.UNANSWERED, sort="number")
    items: list[dict[str, Any]] = []
    for row in pending:
        words = ledger.proposal_words(ledger.proposal(year, row.number))
        approve = ProposalApproveForm(
            formdata=None, prefix=f"approve{row.number}", data=words or {}
        )
        forms: dict[str, Form] = {
            "approve": approve,
            "reject": ProposalRejectForm(formdata=None, prefix=f"reject{row.number}"),
        }
        items.append({"row": row, "words": words, "forms": forms})
    answers = []
    for p in unanswered:
        forms = {
            "adopt": ProposalAdoptForm(formdata=None, prefix=f"adopt{p.number}"),
            "merge": ProposalMergeForm(formdata=None, prefix=f"merge{p.number}"),
            "decline": ProposalDeclineForm(formdata=None, prefix=f"decline{p.number}"),
        }
        answers.append({"p": p, "forms": forms})
    for entry in (*items, *answers):
        number = entry["row"].number if "row" in entry else entry["p"].number
        if failed and failed[0] == number:
            entry["forms"][failed[1]] = failed[2]
    status = 409 if failed or opening else 200
    return render_template(
        "cycle/staff_proposals.html",
        cycle_year=year,
        solicitation=solicitation,
        pending=items,
        answers=answers,
        open_form=opening or SolicitationOpenForm(formdata=None),
        close_form=SolicitationCloseForm(formdata=None),
        failed=failed[0] if failed else None,
        failed_form=failed[2] if failed else None,
    ), status


@bp.post(f"/{YEAR}/solicitation/open")
@login_required
def open_solicitation(year: int) -> Any:
    _guard()
    form = SolicitationOpenForm()
    if not form.validate_on_submit() or form.last_day.data is None:
        return _queue(year, opening=form)[0], 400
    try:
        services().ledger.open_solicitation(year, form.last_day.data, current_user.actor)
    except ProposalError as error:
        form.last_day.errors = [_problem(error)]
        return _queue(year, opening=form)
    services().caught_up()
    flash(_("已开始征集。"))
    return redirect(url_for(".queue", year=year), 303)


@bp.post(f"/{YEAR}/solicitation/close")
@login_required
def close_solicitation(year: int) -> Any:
    _guard()
    form = SolicitationCloseForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services().ledger.close_solicitation(year, current_user.actor)
    except ProposalError as error:
        if error.code == "not_open":
            abort(404)
        flash(_problem(error))
        return _queue(year)[0], 409
    services().caught_up()
    flash(_("已结束征集。"))
    return redirect(url_for(".queue", year=year), 303)


@bp.post(f"/{YEAR}/proposals/<int(min=1, max=999999):number>/<any({', '.join(ACTIONS)}):action>")
@login_required
def act(year: int, number: int, action: str) -> Any:
    _guard()
    ledger = services().ledger
    try:
        ledger.proposal(year, number)
    except ProposalError:
        abort(404)
    form = ANSWER_FORMS[action](prefix=f"{action}{number}")
    if not form.validate_on_submit():
        return _queue(year, failed=(number, action, form))[0], 400
    actor = current_user.actor
    data = form.data
    try:
        if action == "approve":
            ledger.approve_proposal(
                year, number, actor, data["title"] or None, data["description"] or None
            )
        elif action == "reject":
            ledger.reject_proposal(year, number, data["category"], actor)
        elif action == "adopt":
            ledger.adopt_proposal(year, number, data["candidate"], data["note"] or "", actor)
        elif action == "merge":
            into = number_of(data["into"] or "")
            if into is None:
                raise ProposalError("into", "a proposal's number")
            ledger.merge_proposal(year, number, into, data["reason"], actor)
        else:
            ledger.decline_proposal(year, number, data["reason"], actor)
    except ProposalError as error:
        form.form_errors.append(_problem(error))
        return _queue(year, failed=(number, action, form))
    services().caught_up()
    flash(_("已记录：建议P%(n)s。", n=number))
    return redirect(url_for(".queue", year=year), 303)


def _problem(error: ProposalError) -> str:
    return {
        "opened": _("本年度的征集已经开始过。"),
        "last_day": _("截止日期不能早于今天，也不能晚于该年度。"),
        "closed": _("征集已经结束。"),  # not a case state: the solicitation's
        "moderated": _("这条建议已经审核过。"),
        "erased": _("提出人的信息已按其要求删除，只能不予公开。"),
        "personal": _("公开的内容不能含有手机号码或提出人的联系方式，请修改后再通过。"),
        "title": _("项目名称不能为空，最多%(n)s字。", n=TITLE_MAX),
        "description": _("建议内容不能为空，最多%(n)s字。", n=DESCRIPTION_MAX),
        "not_approved": _("只能答复已公开的建议。"),
        "answered": _("这条建议已经答复过。"),
        "candidate": _("候选项目编号的格式如 C3。"),
        "candidate_unknown": _("本年度没有这个候选项目。"),
        "into": _("请填写同一年度另一条已公开、未被合并的建议编号。"),
        "reason": _("理由不能为空，最多%(n)s字。", n=REASON_MAX),
    }.get(error.code, _("操作未成功。"))
