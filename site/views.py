"""Small helpers shared by the blueprints."""

from __future__ import annotations

from typing import Any

from flask import abort, render_template, request
from htmx_flask import request as htmx_request


def render(template: str, fragment: str | None = None, **context: Any) -> str:
    """The full page, or only its fragment when htmx asks for it.

    The page template includes the fragment template, so both come from one source.
    """
    if fragment and htmx_request.htmx and not htmx_request.htmx.boosted:
        return render_template(fragment, **context)
    return render_template(template, **context)


def found(value: Any) -> Any:
    """The value, or a 404 page when the read model has nothing for it."""
    if value is None:
        abort(404)
    return value


def int_arg(name: str, low: int = 1, high: int = 9999) -> int | None:
    """An optional integer query parameter; a bad value is a 400, not a guess."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not low <= int(raw) <= high:
        abort(400, description=f"{name}={raw[:20]!r}")
    return int(raw)
