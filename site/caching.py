"""Conditional GET for public pages: an ETag from the log's head, the day, the language.

A public page is a function of what the log holds, the date (statuses
change at midnight), the reader's language and the address. Readers and
feed tools that send If-None-Match get a 304 without the page being built.
Signed-in staff, visitors with a case or a verified contact in their session
and pages carrying a one-off message are never tagged.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Blueprint, Flask, current_app, g, request, session
from flask_login import current_user
from werkzeug.wrappers import Response

from minsheng_site.i18n import locale_code
from minsheng_site.services import services
from minsheng_site.views import today

# Session keys that make a page this visitor's own (their case, their verified contact).
PERSONAL = ("citizen_case", "voter", "voter_pending")


def publicly_cacheable(blueprint: Blueprint) -> Blueprint:
    """Declare, where the blueprint is made, that its GET pages are the same for every
    reader (tagged with an ETag, answered 304), unless the visitor's session is personal."""
    # a marker of ours on Flask's Blueprint, read back with getattr below
    blueprint.publicly_cacheable = True  # type: ignore[attr-defined]
    return blueprint


def _cacheable() -> bool:
    blueprint = current_app.blueprints.get(request.blueprint or "")
    return getattr(blueprint, "publicly_cacheable", False)


def init_app(app: Flask, root: Path) -> None:
    app.config["ETAG_SALT"] = _fingerprint(root)
    app.before_request(_not_modified)
    app.after_request(_tag)


def _fingerprint(root: Path) -> str:
    """Changes when the templates, styles or translations change (same for every worker)."""
    digest = hashlib.sha256()
    for folder in ("templates", "static/css", "translations"):
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and path.suffix in (".html", ".css", ".po"):
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _etag(salt: str) -> str | None:
    if request.method not in ("GET", "HEAD") or not _cacheable():
        return None
    if session.get("_flashes") or _personal():  # the page shows this visitor's own state
        return None
    head = services().ledger.recorder.max_notification_id() or 0
    htmx = request.headers.get("HX-Request", "")
    key = f"{salt}|{head}|{today()}|{locale_code()}|{htmx}|{request.full_path}"
    return hashlib.sha256(key.encode()).hexdigest()[:24]


def _not_modified() -> Response | None:
    tag = g._etag = _etag(current_app.config["ETAG_SALT"])
    if tag and request.if_none_match.contains(tag):
        response = Response(status=304)
        response.set_etag(tag)
        return response
    return None


def _tag(response: Response) -> Response:
    tag = g.get("_etag")
    if tag and response.status_code == 200:
        response.set_etag(tag)
        response.headers["Cache-Control"] = "no-cache"  # keep it, but ask each time
    elif request.endpoint != "static" and _personal():
        # their own case, ratings or staff work: no shared cache, no disk copy
        response.headers["Cache-Control"] = "private, no-store"
    return response


def _personal() -> bool:
    return bool(current_user.is_authenticated or any(session.get(key) for key in PERSONAL))
