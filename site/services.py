"""The web layer's handle on the composition root (minsheng_site.composition), and
read-your-writes for every request in one place.

Each request is a unit of work: whatever it writes through the ledger, its own
reads and the next page show (the read models are caught up before a read and
before the answer leaves). Views never catch up themselves. If the read models
cannot follow, the write still stands and is answered; a redirect carries a
flash saying the pages may lag.
"""

from __future__ import annotations

from flask import Flask, current_app, flash
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from minsheng_site.composition import Services

__all__ = ["Services", "init_app", "services"]


def services() -> Services:
    return current_app.extensions["minsheng"]


def init_app(app: Flask, opened: Services) -> None:
    """Keep `opened` for the app; register first, so every later hook runs inside the unit."""
    app.extensions["minsheng"] = opened
    app.before_request(opened.units.begin)
    app.after_request(_caught_up)
    app.teardown_request(lambda _error: opened.units.end())


def _caught_up(response: Response) -> Response:
    if not services().catch_up_writes() and response.status_code in (301, 302, 303, 307, 308):
        flash(_("已保存。页面可能稍有延迟，请稍后刷新。"))
    return response
