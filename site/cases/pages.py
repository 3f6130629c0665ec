"""Citizens' cases in public: submit, look up one's own, evaluate; the board and its statistics."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from application.case_commands import CaseDetails, Intake
from domain import case_statistics as cs
from domain.cases import (
    CATEGORIES,
    CLOSED,
    DISTRICTS,
    MAX_CITIZEN_PHOTOS,
    OPEN_STATES,
    REPLIED,
    ROUTES,
    STATES,
    SUBMITTED,
    TRACKS,
    CaseError,
    is_overdue,
)
from domain.contacts import normalise_phone
from minsheng_site import throttle
from minsheng_site.caching import publicly_cacheable
from minsheng_site.cases.forms import (
    CaseNoteForm,
    CasePhotosForm,
    CitizenCaseForm,
    CodeAgainForm,
    EvaluationForm,
    FixCheckForm,
    LookupForm,
    WithdrawForm,
)
from minsheng_site.i18n import locale_code
from minsheng_site.messages import case_problem
from minsheng_site.photos import accepts_photos, private
from minsheng_site.sealing import seal, unseal
from minsheng_site.services import services
from minsheng_site.verified import verified
from minsheng_site.views import found, int_arg, render, today
from projections.cases import case_queries as cq
from projections.cases import photo_queries as pq
from projections.cycle import candidate_queries
from projections.publiclog import log_queries

bp = publicly_cacheable(Blueprint("pages", __name__, url_prefix="/cases"))

accepts_photos("cases.pages.new")
accepts_photos("cases.pages.add_photos")
CITIZEN = "citizen_case"  # the case a visitor proved is theirs in this session: number and code
PROOF_LASTS = 8 * 3600  # seconds; sealed (minsheng_site.sealing): the cookie shows neither


@bp.get("/")
def board() -> str:
    filters = cq.Filters(
        year=int_arg("year", low=2000, high=2100),
        state=_choice("state", STATES),
        route=_choice("route", tuple(ROUTES)),
        district=_choice("district", DISTRICTS),
        unit=(request.args.get("unit") or "").strip()[:64] or None,
        track=_choice("track", tuple(TRACKS)),
        key_only=request.args.get("key") == "1",
        overdue_only=request.args.get("overdue") == "1",
    )
    page = int_arg("page", high=10_000) or 1
    with services().read() as c:
        rows, total = cq.board(c, filters, today(), page)
        units = cq.search_units(c)
    return render(
        "cases/board.html",
        "cases/_board.html",
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // cq.PAGE)),
        filters=filters,
        units=units,
        today=today(),
        states=STATES,
        routes=ROUTES,
        districts=DISTRICTS,
        tracks=TRACKS,
    )


@bp.get("/stats")
def stats() -> str:
    year = int_arg("year", low=2000, high=2100)
    now = today()

    def compute() -> dict[str, Any]:
        with services().read() as c:
            rows = cq.fact_rows(c, year)
            return {
                "years": cq.years(c),
                "overall": cs.stats(rows, now, _("全部")),
                "by_unit": cs.grouped(rows, lambda r: r.lead_unit, now),
                "by_district": cs.grouped(rows, lambda r: r.district, now),
                "counters": cs.counters(rows),
            }

    # Derived from every case: computed once per state of the log (and day, and language).
    figures = services().once(("case-stats", year, now, str(get_locale())), compute)
    return render("cases/stats.html", year=year, **figures)


@bp.get("/<number>")
def case(number: str) -> str:
    with services().read() as c:
        row = found(cq.case(c, number.strip().upper()))
        steps = cq.steps(c, row.case_id) if row.consent else []
        permalinks = log_queries.uuids(c, [s.event_id for s in steps])
        photos = pq.public_photos(c, row.case_id) if row.consent else []
        contributions = candidate_queries.candidate_of_case(c, row.number)
    return render(
        "cases/case.html",
        row=row,
        contributions=contributions,
        steps=steps,
        photos=photos,
        permalinks=permalinks,
        overdue=is_overdue(row, today()),
        today=today(),
    )


@bp.route("/new", methods=["GET", "POST"])
def new() -> str | Response | tuple[str, int]:
    form = CitizenCaseForm()
    if form.validate_on_submit():
        if form.website.data:  # the field people never see: a bot
            abort(400)
        try:
            receipt = services().ledger.submit_case(
                _intake(form),
                actor="citizen",
                photos=form.photos.cleaned,
                photo_consent=bool(form.photo_consent.data),
            )
        except CaseError as error:
            form.form_errors.append(case_problem(error))
            return render_template("cases/new.html", form=form, categories=CATEGORIES), 400
        # Committed: from here on the citizen gets their number and code, whatever happens.
        _remember(receipt.number, receipt.query_code or "")
        session["new_case"] = True
        return redirect(url_for("cases.pages.mine"), 303)
    return render_template(
        "cases/new.html", form=form, categories=CATEGORIES
    ), 400 if form.errors else 200


def _intake(form: CitizenCaseForm) -> Intake:
    return Intake(
        year=today().year,
        channel="online",
        category=form.category.data,
        district=form.district.data,
        title=form.title.data,
        content=form.content.data,
        name=form.name.data,
        phone=normalise_phone(form.phone.data) or "",
        consent=bool(form.consent.data),
        received_on=today(),
        submission=form.submission.data or None,
        language=locale_code(),
        address=(form.address.data or "").strip(),
    )


@bp.route("/lookup", methods=["GET", "POST"])
def lookup() -> str | Response | tuple[str, int]:
    form = LookupForm()
    if request.method == "GET" and not form.number.data:  # the link in a message names it
        form.number.data = (request.args.get("number") or "")[:16]
    if form.validate_on_submit():
        number, code = form.number.data.strip().upper(), form.code.data.strip()
        try:
            services().ledger.details_for_citizen(number, code)
        except CaseError:
            form.code.errors = [_("案件编号与查询码不匹配。")]
            return render_template("cases/lookup.html", form=form, can_text=_can_text()), 401
        _remember(number, code)
        return redirect(url_for("cases.pages.mine"), 303)
    return render_template("cases/lookup.html", form=form, can_text=_can_text()), (
        400 if form.errors else 200
    )


@bp.route("/mine", methods=["GET", "POST"])
def mine() -> str | Response | tuple[str, int]:
    """The citizen's own case, with their own details, once they proved it is theirs."""
    found = _proven()
    if isinstance(found, Response):
        return found
    proof, details = found
    form = EvaluationForm()
    if details.case.state == REPLIED and form.validate_on_submit():
        try:
            services().ledger.evaluate_case(
                proof["number"], proof["code"], form.level.data, form.reason.data or ""
            )
        except CaseError as error:
            form.form_errors.append(case_problem(error))
        else:
            return redirect(url_for("cases.pages.mine"), 303)
    return _mine_page(proof, details, {"evaluation": form}), (409 if form.errors else 200)


def _proven() -> tuple[dict[str, str], CaseDetails] | Response:
    """The case this visitor proved is theirs, with what they may read; or to the lookup."""
    proof = unseal(CITIZEN, session.get(CITIZEN))
    if not proof:
        return redirect(url_for("cases.pages.lookup"))
    try:
        details = services().ledger.details_for_citizen(proof["number"], proof["code"])
    except CaseError:
        session.pop(CITIZEN, None)
        return redirect(url_for("cases.pages.lookup"))
    return proof, details


def _mine_page(proof: dict[str, str], details: CaseDetails, forms: dict[str, Any]) -> str:
    """The citizen's page, with each of its forms (those given: as they were sent)."""
    with services().read() as c:
        row = cq.case(c, proof["number"])
        steps = cq.steps(c, row.case_id) if row else []
    case = details.case
    blank: dict[str, Any] = {
        "evaluation": EvaluationForm(formdata=None),
        "note": CaseNoteForm(formdata=None, prefix="note"),
        "photos": CasePhotosForm(formdata=None, prefix="photos"),
        "withdraw": WithdrawForm(formdata=None, prefix="withdraw"),
    }
    forms = {**blank, **forms}
    return render_template(
        "cases/mine.html",
        details=details,
        row=row,
        steps=steps,
        form=forms["evaluation"],
        forms=forms,
        room=MAX_CITIZEN_PHOTOS - len(case.citizen_photos),
        waiting=case.state == SUBMITTED,
        open=case.state in OPEN_STATES,
        code=proof["code"],
        new=session.pop("new_case", False),
    )


def _citizen_step(
    name: str,
    form: Any,
    act: Callable[[dict[str, str], Any], None],
    done: str,
    too_late: str = "",
) -> str | Response | tuple[str, int]:
    """One of the citizen's own steps (add a note or photos, withdraw): done and back to
    their page, or their page again with the form as they sent it and what was wrong."""
    found = _proven()
    if isinstance(found, Response):
        return found
    proof, details = found
    if form.validate_on_submit():
        try:
            act(proof, form)
        except CaseError as error:
            late = error.code == "transition" and too_late
            form.form_errors.append(too_late if late else case_problem(error))
        else:
            flash(done)
            return redirect(url_for("cases.pages.mine"), 303)
        details = services().ledger.details_for_citizen(proof["number"], proof["code"])
    return _mine_page(proof, details, {name: form}), 409 if form.form_errors else 400


@bp.post("/mine/note")
def add_note() -> str | Response | tuple[str, int]:
    """Before acceptance the note joins the case; after it, it goes to the unit handling it."""
    return _citizen_step(
        "note",
        CaseNoteForm(prefix="note"),
        lambda proof, form: services().ledger.add_case_note(
            proof["number"], proof["code"], form.note.data or ""
        ),
        _("已补充。"),
        _("诉求已办结，不能再补充。"),
    )


@bp.post("/mine/photos")
def add_photos() -> str | Response | tuple[str, int]:
    found = _proven()
    form = CasePhotosForm(prefix="photos")
    if not isinstance(found, Response):
        form.photos.room = max(0, MAX_CITIZEN_PHOTOS - len(found[1].case.citizen_photos))
    return _citizen_step(
        "photos",
        form,
        lambda proof, form: services().ledger.add_case_photos(
            proof["number"], proof["code"], form.photos.cleaned, bool(form.photo_consent.data)
        ),
        _("已添加照片。"),
        _("诉求已受理，不能再添加照片。您可以向办理单位补充情况。"),
    )


@bp.post("/mine/withdraw")
def withdraw() -> str | Response | tuple[str, int]:
    return _citizen_step(
        "withdraw",
        WithdrawForm(prefix="withdraw"),
        lambda proof, form: services().ledger.withdraw_case(
            proof["number"], proof["code"], form.reason.data or ""
        ),
        _("诉求已撤回。"),
        _("诉求已受理或已办结，不能撤回。您可以向办理单位补充情况。"),
    )


@bp.get("/mine/photos/<name>")
def my_photo(name: str) -> Response:
    """A photo of the citizen's own case (theirs, not yet public, or the unit's)."""
    found = _proven()
    if isinstance(found, Response):
        abort(404)
    shown = {p.sha256 for p in found[1].photos}
    return private(name, lambda sha: sha in shown)


@bp.post("/mine/forget")
def forget() -> Response:
    session.pop(CITIZEN, None)
    return redirect(url_for("cases.pages.board"), 303)


# Hearing back: a lost code, all of one's cases by phone, no more messages ---------------


@bp.route("/code", methods=["GET", "POST"])
def code_again() -> str | tuple[str, int]:
    """A lost query code, sent again to the phone that filed the case (and only there).

    The answer is the same whether or not the number and phone match: it tells no one
    whose case a number is. Limited per address, per case and per phone."""
    form = CodeAgainForm()
    if not _can_text():
        return render_template("cases/code.html", form=form, unavailable=True), 503
    if form.validate_on_submit():
        number = form.number.data.strip().upper()
        phone = normalise_phone(form.phone.data) or ""
        ledger = services().ledger
        if ledger.citizen_code(number, phone):
            case_id = str(ledger.case_by_number(number).id)
            services().notifier.send_now(case_id, "code", {})
        return render_template("cases/code.html", form=form, sent=True)
    return render_template("cases/code.html", form=form), 400 if form.errors else 200


@bp.get("/by-phone")
def by_phone() -> str:
    """Every case filed with the phone this visitor proved (the one-time code of ratings)."""
    who = verified()
    rows: list[Any] = []
    if who is not None and who.address.kind == "phone":
        ledger = services().ledger
        with services().read() as c:
            rows = list(cq.by_ids(c, ledger.cases_of_phone(who.address.value)))
    return render_template("cases/by_phone.html", who=who, rows=rows, can_text=_can_text())


def _can_text() -> bool:
    """Whether this site sends text messages (an SMS gateway, or the development outbox)."""
    return services().notifier.sender.accepts("phone")


@bp.get("/by-phone/<number>")
def open_by_phone(number: str) -> Response:
    """One of them, opened as the number and query code would open it."""
    who = verified()
    if who is None or who.address.kind != "phone":
        return redirect(url_for("cases.pages.by_phone"), 303)
    code = services().ledger.citizen_code(number.strip().upper(), who.address.value)
    if code is None:
        abort(404)
    _remember(number.strip().upper(), code)
    return redirect(url_for("cases.pages.mine"), 303)


@bp.route("/<number>/stop/<token>", methods=["GET", "POST"])
def stop(number: str, token: str) -> str:
    """The link in every message: no more messages about this case. A GET only asks (link
    previews and mail scanners open links); the button says it."""
    with services().read() as c:
        row = found(cq.case(c, number.strip().upper()))
    ledger = services().ledger
    if not ledger.vault.is_case_token("stop", row.case_id, token):
        abort(404)
    notifier = services().notifier
    if request.method == "POST":
        notifier.stop(row.case_id)
    return render_template("cases/stop.html", row=row, stopped=notifier.stopped(row.case_id))


@bp.route("/<number>/fixed/<token>", methods=["GET", "POST"])
def fixed(number: str, token: str) -> str | tuple[str, int]:
    """ "Is it fixed?": the link in the message sent some days after 销号 proves who answers."""
    with services().read() as c:
        row = found(cq.case(c, number.strip().upper()))
    ledger = services().ledger
    if not ledger.vault.is_case_token("fixed", row.case_id, token):
        abort(404)
    form = FixCheckForm()
    if row.state == CLOSED and row.fix_answer is None and form.validate_on_submit():
        try:
            ledger.check_case_fix(row.case_id, form.answer.data, form.words.data or "")
        except CaseError as error:
            form.form_errors.append(case_problem(error))
        else:
            with services().read() as c:
                row = found(cq.case(c, row.number))
            return render_template("cases/fixed.html", row=row, form=form, thanks=True)
    status = 409 if form.form_errors else 400 if form.errors else 200
    return render_template("cases/fixed.html", row=row, form=form), status


def _remember(number: str, code: str) -> None:
    session[CITIZEN] = seal(CITIZEN, {"number": number, "code": code}, PROOF_LASTS)


def _choice(name: str, allowed: tuple[str, ...]) -> str | None:
    value = (request.args.get(name) or "").strip()
    if not value:
        return None
    if value not in allowed:
        abort(400, description=f"{name}={value[:20]!r}")
    return value


def rate_limits(app: Any, limiter: Any) -> None:
    """New messages per address and per phone (its keyed hash), and the citizen's additions
    per address; failed lookups per address and per case number, so that many addresses
    cannot share out the guessing of one code."""

    def per_phone() -> str:
        phone = normalise_phone(request.form.get("phone", "")) or "none"
        return "phone:" + services().ledger.vault.contact(phone)

    def per_case() -> str:
        return throttle.hashed("case", request.form.get("number", "").strip().upper()[:32])

    view = app.view_functions["cases.pages.new"]
    view = limiter.limit(app.config["CASE_LIMIT_PER_ADDRESS"], methods=["POST"])(view)
    view = limiter.limit(app.config["CASE_LIMIT_PER_PHONE"], key_func=per_phone, methods=["POST"])(
        view
    )
    app.view_functions["cases.pages.new"] = view
    # The citizen's own steps (photos cost a quarter of a second each to clean): as many
    # per address as new messages.
    for step in ("add_note", "add_photos", "withdraw"):
        endpoint = f"cases.pages.{step}"
        app.view_functions[endpoint] = limiter.limit(
            app.config["CASE_LIMIT_PER_ADDRESS"], methods=["POST"]
        )(app.view_functions[endpoint])
    failed = throttle.on_failure(401)
    view = limiter.limit(app.config["LOOKUP_LIMIT"], **failed)(
        app.view_functions["cases.pages.lookup"]
    )
    view = limiter.limit(app.config["LOOKUP_LIMIT_PER_CASE"], key_func=per_case, **failed)(view)
    app.view_functions["cases.pages.lookup"] = view
    # A lost code sent again: as the one-time codes, per address and per phone and per case
    # (the same phone asked through many addresses; many phones tried against one case).
    view = app.view_functions["cases.pages.code_again"]
    view = limiter.limit(app.config["CODE_LIMIT_PER_ADDRESS"], methods=["POST"])(view)
    view = limiter.limit(
        app.config["CODE_LIMIT_PER_CONTACT"], key_func=per_phone, methods=["POST"]
    )(view)
    view = limiter.limit(app.config["CODE_LIMIT_PER_CONTACT"], key_func=per_case, methods=["POST"])(
        view
    )
    app.view_functions["cases.pages.code_again"] = view
