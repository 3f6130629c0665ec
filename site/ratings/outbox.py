"""The development outbox: the codes that would have been sent, on a page (DEV_OUTBOX only)."""

from __future__ import annotations

from flask import Blueprint, render_template

from minsheng_site.services import services

bp = Blueprint("outbox", __name__, url_prefix="/dev")


@bp.get("/outbox")
def outbox() -> str:
    box = services().outbox
    assert box is not None  # the page is registered only with an outbox
    return render_template("ratings/outbox.html", messages=box.latest())
