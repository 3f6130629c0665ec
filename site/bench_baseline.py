"""A bare POST that inserts one row with sqlite3: the baseline of bench/reports.py.

Registered only when BENCH_BASELINE=1 (never in production): it shows what
one form POST costs this server with no application behind it.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from flask import Blueprint, Flask, current_app, request
from flask_wtf.csrf import CSRFProtect

bp = Blueprint("bench_baseline", __name__)
_local = threading.local()


def init_app(app: Flask, csrf: CSRFProtect) -> None:
    path = Path(app.instance_path) / "bench-baseline.sqlite3"
    app.config["BENCH_BASELINE_DB"] = str(path)
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(
            "CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, period TEXT, amount TEXT)"
        )
    csrf.exempt(bp)
    app.register_blueprint(bp)


@bp.post("/bench/baseline")
def baseline() -> tuple[str, int]:
    db = getattr(_local, "db", None)
    if db is None:
        db = _local.db = sqlite3.connect(current_app.config["BENCH_BASELINE_DB"], timeout=30)
    with db:
        db.execute(
            "INSERT INTO rows (period, amount) VALUES (?, ?)",
            (request.form.get("period", ""), request.form.get("amount", "")),
        )
    return "", 204
