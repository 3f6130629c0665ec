"""The web layer's handle on the composition root (minsheng_site.composition), and
read-your-writes for every request in one place.

Each request is a unit of work: whatever a POST writes through the ledger, its
own reads and the next page show (the read models are caught up before a read
and before the answer leaves). Views never catch up themselves; a page that
shows what GETs recorded on the side (the access log) says so with `at_head`.
If the read models cannot follow, the write still stands and is answered; a
redirect carries a flash saying the pages may lag.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import Flask, current_app, flash, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from minsheng_site.composition import Services

__all__ = ["Services", "at_head", "init_app", "services"]
P = ParamSpec("P")
R = TypeVar("R")


def services() -> Services:
    return current_app.extensions["minsheng"]


def init_app(app: Flask, opened: Services) -> None:
    """Keep `opened` for the app; register first, so every later hook runs inside the unit."""
    app.extensions["minsheng"] = opened
    app.before_request(_begin)
    app.after_request(_caught_up)
    app.teardown_request(lambda _error: opened.units.end())


def _begin() -> None:
    # What a GET writes is a record on the side (opening a case records the reading):
    # its reader does not read it next, and a catch-up would cost more than the page.
    services().units.begin(follow=request.method not in ("GET", "HEAD", "OPTIONS"))


def at_head(view: Callable[P, R]) -> Callable[P, R]:
    """The view shows what other requests recorded on the side, up to this moment (the
    access log: every reading). Its read models are caught up first; never raises."""

    @wraps(view)
    def caught_up_first(*args: P.args, **kwargs: P.kwargs) -> R:
        services().caught_up()
        return view(*args, **kwargs)

    return caught_up_first


def _caught_up(response: Response) -> Response:
    if not services().catch_up_writes() and response.status_code in (301, 302, 303, 307, 308):
        flash(_("已保存。页面可能稍有延迟，请稍后刷新。"))
    return response
