"""/healthz: is the store reachable, how far behind is each read model, is any stuck?

503 when a read model stopped on an event it cannot apply, or lags the log by
more than HEALTH_MAX_BEHIND events: a load balancer or monitor sees it at once.
The event is named by its position and class, never by its content.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify
from werkzeug.wrappers import Response

from minsheng_site.services import services

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    head = services().ledger.recorder.max_notification_id() or 0
    positions = services().projector.positions()
    stuck = services().projector.stuck()
    bound = current_app.config["HEALTH_MAX_BEHIND"]
    read_models: dict[str, dict[str, Any]] = {}
    for name, position in positions.items():
        behind = max(head - position, 0)
        model: dict[str, Any] = {"position": position, "behind": behind, "state": "ok"}
        if behind > bound:
            model["state"] = "lagging"
        if name in stuck:
            s = stuck[name]
            model["state"] = "stuck"
            model["stuck"] = {
                "notification_id": s.notification_id,
                "event": s.event,
                "since": s.first_at.isoformat(),
                "attempts": s.attempts,
            }
        read_models[name] = model
    healthy = all(m["state"] == "ok" for m in read_models.values())
    response = jsonify(
        {
            "status": "ok" if healthy else "degraded",
            "log_head": head,
            "max_behind": bound,
            "read_models": read_models,
        }
    )
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if healthy else 503
