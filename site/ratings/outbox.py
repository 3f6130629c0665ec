"""The development outbox: the codes that would have been sent, on a page (DEV_OUTBOX only)."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

bp = Blueprint("outbox", __name__, url_prefix="/dev")


@bp.get("/outbox")
def outbox() -> str:
    box = current_app.extensions["minsheng_outbox"]
    return render_template("ratings/outbox.html", messages=box.latest())
