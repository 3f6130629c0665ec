"""The application factory."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from flask import Flask, current_app, g, request
from htmx_flask import Htmx
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from application.evaluation_file import load_formula
from application.ledger import system_clock
from domain.cases import ROUTES, TRACKS
from domain.text import xml_safe
from minsheng_site import (
    api,
    auth,
    caching,
    case_staff,
    cases,
    cli,
    errors,
    evaluation,
    health,
    i18n,
    intake,
    journalism,
    moderation,
    open311,
    open_data,
    progress,
    public,
    ratings,
    satisfaction,
    staff,
    users_cli,
)
from minsheng_site.config import ROOT, settings
from minsheng_site.public_base import PublicBase
from minsheng_site.services import Services, services
from minsheng_site.views import keep_as_of
from projections import log_queries, store_chain
from projections import queries as q
from projections.progress_queries import simulated_present

# script-src 'self' only: htmx is served from our own static folder.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def create_app(
    overrides: Mapping[str, Any] | None = None, clock: Callable[[], datetime] = system_clock
) -> Flask:
    """The site. `clock` says when events are recorded: the system's, or a test's."""
    config = settings(overrides or {})
    app = Flask(
        __name__,
        instance_path=config["INSTANCE_PATH"],
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.update(config, TRANSLATIONS=ROOT / "translations", JSON_SORT_KEYS=False)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]

    services = Services.open(
        app.config["DATABASE_URL"],
        app.config["KEY_STORE_URL"],
        app.config["PII_PEPPER"].encode(),
        clock,
    )
    app.extensions["minsheng"] = services
    if app.config["PROJECTOR_THREAD"]:
        services.start_projector_thread(app.config["PROJECTOR_INTERVAL"])

    app.wsgi_app = PublicBase(app, app.wsgi_app)  # type: ignore[method-assign]
    if app.config["TRUSTED_PROXIES"]:
        # Only the client's address (for rate limits): host and scheme come from PublicBase.
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=0, x_host=0)  # type: ignore[method-assign]
    Htmx(app)
    i18n.init_app(app)
    errors.init_app(app)
    app.register_blueprint(public.bp)
    app.register_blueprint(progress.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(cases.bp)
    app.register_blueprint(intake.bp)
    app.register_blueprint(journalism.bp)
    app.register_blueprint(open_data.bp)
    app.register_blueprint(open311.bp)
    app.register_blueprint(satisfaction.bp)
    app.register_blueprint(evaluation.bp)
    ratings.init_app(app)
    auth.init_app(app)
    cases.rate_limits(app, app.extensions["minsheng_limiter"])
    ratings.rate_limits(app, app.extensions["minsheng_limiter"])
    caching.init_app(app, ROOT)
    app.register_blueprint(staff.bp)
    app.register_blueprint(case_staff.bp)
    app.register_blueprint(moderation.bp)
    app.register_blueprint(health.bp)
    cli.init_app(app)
    users_cli.init_app(app)
    app.add_template_global(keep_as_of, "keep_as_of")
    app.add_template_global(ROUTES, "case_routes")
    app.add_template_global(TRACKS, "case_tracks")
    app.add_template_global(lambda year: load_formula(year) is not None, "has_evaluation")
    app.add_template_filter(xml_safe, "xml_safe")
    app.add_template_filter(lambda d, key: {k: v for k, v in d.items() if k != key}, "dict_without")
    app.context_processor(_site_notices)
    app.add_template_global(lambda: _heads()[0], "log_head")
    app.add_template_global(lambda: _heads()[1], "store_head")
    app.after_request(_headers)
    return app


def _site_notices() -> dict[str, Any]:
    """What every page says about the data: whether a simulated year is in it, and the
    latest plan year (the navigation's, on pages that are not about one plan)."""
    with services().read() as c:
        years = q.plan_years(c)
        return {"simulated": simulated_present(c), "nav_year": years[-1] if years else None}


Head = tuple[int, str] | None


def _heads() -> tuple[Head, Head]:
    """The public log's and the store chain's length and head, for every page's footer."""
    if "log_heads" not in g:
        with services().read() as c:
            g.log_heads = (log_queries.head(c), store_chain.head(c))
    return g.log_heads  # type: ignore[no-any-return]


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
