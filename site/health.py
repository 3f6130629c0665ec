"""/healthz: is the store reachable, and how far behind is each read model?"""

from __future__ import annotations

from flask import Blueprint, jsonify
from werkzeug.wrappers import Response

from minsheng_site.services import services

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    head = services().ledger.recorder.max_notification_id() or 0
    positions = services().projector.positions()
    read_models = {
        name: {"position": p, "behind": max(head - p, 0)} for name, p in positions.items()
    }
    response = jsonify({"status": "ok", "log_head": head, "read_models": read_models})
    response.headers["Cache-Control"] = "no-store"
    return response, 200
