"""Large-text reading mode (适老化): bigger text and line height, stronger contrast, larger
tap targets, chosen with a plain link and remembered in a cookie.

The server renders the mode as a class on <html>, so it works without JavaScript; the
page cache keys every page by it (site/caching.py), so one reader's mode never reaches
another reader's page.
"""

from __future__ import annotations

from flask import Blueprint, Flask, abort, g, request
from werkzeug.wrappers import Response

from minsheng_site.i18n import back_remembering

COOKIE = "reading"
LARGE = "large"
STANDARD = "standard"
MODES = (STANDARD, LARGE)

bp = Blueprint("reading", __name__)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.add_template_global(reading_mode, "reading_mode")


def reading_mode() -> str:
    """The reader's mode: LARGE when they chose it, else STANDARD (any other cookie value)."""
    found = g.get("_reading_mode")
    if found is None:
        found = g._reading_mode = LARGE if request.cookies.get(COOKIE) == LARGE else STANDARD
    return found


@bp.get("/reading/<mode>")
def switch(mode: str) -> Response:
    """Remember the chosen mode and go back to the page the reader was on."""
    if mode not in MODES:
        abort(404)
    return back_remembering(COOKIE, mode)
