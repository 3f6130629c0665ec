"""The application factory."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Flask, current_app, g, request, url_for
from htmx_flask import Htmx
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from application.evaluation_file import load_formula
from application.ledger import system_clock
from domain.cases import ROUTES, TRACKS, is_overdue
from domain.text import xml_safe
from minsheng_site import caching, cli, errors, health, i18n, photos, reading
from minsheng_site.alerts import digest
from minsheng_site.alerts import pages as alert_pages
from minsheng_site.cases import intake
from minsheng_site.cases import moderation as case_moderation
from minsheng_site.cases import pages as case_pages
from minsheng_site.cases import staff as case_staff
from minsheng_site.composition import Clock, Settings, compose
from minsheng_site.config import ROOT, settings
from minsheng_site.cycle import amendment_staff, amendments, proposal_staff, proposals
from minsheng_site.cycle import candidates as cycle_candidates
from minsheng_site.cycle import candidates_staff as cycle_candidates_staff
from minsheng_site.describe import amendment_words
from minsheng_site.opendata import api, changes, data, journalists, open311, open_data
from minsheng_site.plans import compare, districts, progress, reporting
from minsheng_site.plans import pages as plan_pages
from minsheng_site.public_base import PublicBase
from minsheng_site.ratings import evaluation, limits, moderation, outbox, satisfaction
from minsheng_site.ratings import pages as rating_pages
from minsheng_site.search import pages as search_pages
from minsheng_site.services import init_app as init_services
from minsheng_site.services import services
from minsheng_site.staff import auth, home, users_cli
from minsheng_site.supervision import pages as supervision_pages
from minsheng_site.supervision import staff as supervision_staff
from minsheng_site.views import keep_as_of, plan_from_url
from projections.cycle import candidate_queries, proposal_queries
from projections.plans import queries as q
from projections.plans.progress_queries import simulated_present
from projections.publiclog import log_queries, store_chain

# script-src 'self' only: htmx is served from our own static folder.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


class _CompiledTemplates(BytecodeCache):
    """Compiled templates shared by every app of this process (Jinja's documented hook).

    A process serves one app, but the test suite builds hundreds, and each would
    otherwise parse and compile every template it renders again. A bucket is used only
    while its template's source is unchanged (Jinja checks the checksum).
    """

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if (code := self._code.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = _CompiledTemplates()


def create_app(overrides: Mapping[str, Any] | None = None, clock: Clock = system_clock) -> Flask:
    config = settings(overrides or {})
    app = Flask(
        __name__,
        instance_path=config["INSTANCE_PATH"],
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.update(config, TRANSLATIONS=ROOT / "translations", JSON_SORT_KEYS=False)
    app.jinja_options = {**app.jinja_options, "bytecode_cache": COMPILED_TEMPLATES}
    # app.json is typed as the base JSONProvider; Flask's default one has these two
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]

    services = compose(Settings.from_config(app.config), clock)
    init_services(app, services)  # first: every later hook runs in the unit of work
    caching.init_compression(app)  # before the page cache: compresses what it keeps
    if app.config["PROJECTOR_THREAD"]:
        services.start_projector_thread(app.config["PROJECTOR_INTERVAL"])
        # and the e-mail alerts (the Procfile's `alerts` process), in this app's context
        threading.Thread(
            target=digest.run,
            args=(app, services._stop, app.config["ALERTS_INTERVAL"]),
            name="alerts",
            daemon=True,
        ).start()

    # Wrapping wsgi_app is Flask's documented middleware hook; mypy sees a method assigned.
    app.wsgi_app = PublicBase(app, app.wsgi_app)  # type: ignore[method-assign]
    if app.config["TRUSTED_PROXIES"]:
        # Only the client's address (for rate limits): host and scheme come from PublicBase.
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=0, x_host=0
        )
    app.url_value_preprocessor(plan_from_url)
    Htmx(app)
    i18n.init_app(app)
    reading.init_app(app)
    errors.init_app(app)
    auth.init_app(app)
    for feature in _features(app):
        app.register_blueprint(feature)
    limiter = app.extensions["minsheng_limiter"]
    case_pages.rate_limits(app, limiter)
    limits.rate_limits(app, limiter)
    search_pages.rate_limits(app, limiter)
    alert_pages.rate_limits(app, limiter)
    caching.init_app(app, ROOT)
    app.register_blueprint(health.bp)
    photos.init_app(app)  # the public photo route, and the larger body of forms with photos
    cli.init_app(app)
    users_cli.init_app(app)
    app.cli.add_command(digest.alerts_cli)
    app.add_template_global(keep_as_of, "keep_as_of")
    # Values, not functions: straight into the globals (add_template_global takes callables).
    app.jinja_env.globals["case_routes"] = ROUTES
    app.jinja_env.globals["case_tracks"] = TRACKS
    app.add_template_global(is_overdue, "is_overdue")
    app.add_template_global(amendment_words, "amendment_words")  # templates/_amendments.html
    # whether e-mail goes out (SMTP_URL or the dev outbox): pages offer alerts only then
    app.add_template_global(lambda: services.verifier.sender.accepts("email"), "can_email")
    app.add_template_global(photos.photo_hint, "photo_hint")
    app.add_template_global(lambda year: load_formula(year) is not None, "has_evaluation")
    app.add_template_filter(xml_safe, "xml_safe")
    app.add_template_filter(lambda d, key: {k: v for k, v in d.items() if k != key}, "dict_without")
    app.context_processor(_site_notices)
    app.add_template_global(lambda: _heads()[0], "log_head")
    app.add_template_global(lambda: _heads()[1], "store_head")
    app.after_request(_headers)
    return app


def _features(app: Flask) -> list[Blueprint]:
    """One blueprint per feature package; each module's routes nest in it, so an endpoint
    names its module (`plans.pages.item` is minsheng_site.plans.pages.item)."""
    # The codes the development outbox would send, on a page (only when it exists: DEV_OUTBOX).
    dev = [outbox.bp] if app.extensions["minsheng"].outbox is not None else []
    return [
        _feature("plans", plan_pages.bp, progress.bp, reporting.bp, districts.bp, compare.bp),
        _feature("supervision", supervision_pages.bp, supervision_staff.bp),
        _feature("cases", case_pages.bp, intake.bp, case_staff.bp, case_moderation.bp),
        _feature("ratings", rating_pages.bp, satisfaction.bp, evaluation.bp, moderation.bp, *dev),
        _feature("opendata", api.bp, journalists.bp, open_data.bp, open311.bp, data.bp, changes.bp),
        _feature("staff", auth.bp, home.bp),
        _feature("search", search_pages.bp),
        _feature("alerts", alert_pages.bp),
        _feature(
            "cycle",
            proposals.bp,
            proposals.api,
            proposal_staff.bp,
            cycle_candidates.bp,
            cycle_candidates_staff.bp,
            amendments.bp,
            amendment_staff.bp,
        ),
    ]


def _feature(name: str, *modules: Blueprint) -> Blueprint:
    feature = Blueprint(name, __name__)
    for module in modules:
        feature.register_blueprint(module)
    return feature


def _site_notices() -> dict[str, Any]:
    """What every page says about the data: whether a simulated year is in it, the latest
    plan year (the navigation's, on pages that are not about one plan) and the latest
    yearly cycle's page (its solicitation's, or its candidates' when it had none)."""
    with services().read() as c:
        solicited, listed = proposal_queries.years(c), candidate_queries.years(c)
        return {
            "simulated": simulated_present(c),
            "nav_year": q.current_year(c),
            "nav_cycle": _cycle_page(solicited, listed),
        }


def _cycle_page(solicited: list[int], listed: list[int]) -> str | None:
    if not solicited and not listed:
        return None
    if solicited and solicited[-1] >= max(listed, default=0):
        return url_for("cycle.proposals.overview", year=solicited[-1])
    return url_for("cycle.candidates.index", year=listed[-1])


Head = tuple[int, str] | None


def _heads() -> tuple[Head, Head]:
    """The public log's and the store chain's length and head, for every page's footer."""
    if "log_heads" not in g:
        with services().read() as c:
            g.log_heads = (log_queries.head(c), store_chain.head(c))
    return g.log_heads


def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if current_app.config["SESSION_COOKIE_SECURE"]:  # served over HTTPS only: browsers keep to it
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if request.path.startswith(("/api/", "/open311/", "/feeds", "/open-data/")):
        response.headers["Access-Control-Allow-Origin"] = "*"  # open data: readable from any site
    if response.mimetype == "text/html":
        response.vary.add("Cookie")
        response.vary.add("Accept-Language")
        response.vary.add("HX-Request")
    return response
