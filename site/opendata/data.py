"""/data/: the open-data bundle (SQLite), its datapackage.json and the log verifier.

The bundle is the newest on disk while the log's own is built (see bundle.current).
Each file carries its own ETag (the bundle's key; the verifier's digest) and
Last-Modified, and is asked again each time (no-cache): the page cache's tag would
change with every stored event, the bundle's only when the public log moves or the day turns.
"""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path

from flask import Blueprint, current_app, send_file
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from minsheng_site.opendata import bundle

bp = Blueprint("data", __name__, url_prefix="/data")
VERIFIER = Path(__file__).with_name("verify_log.py")


@bp.get("/minsheng.sqlite")
def sqlite() -> Response:
    return _bundled(bundle.SQLITE, "application/vnd.sqlite3")


@bp.get("/datapackage.json")
def datapackage() -> Response:
    return _bundled(bundle.DATAPACKAGE, "application/json")


def _bundled(name: str, mimetype: str) -> Response:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    for _attempt in range(2):
        built = bundle.current(app)
        if built is None:
            break
        try:
            return _send(built.path(name), mimetype, built.key)
        except FileNotFoundError:  # another worker built a newer one and removed this one
            continue
    # The first build of this site (or the first after an erasure) is under way.
    response = Response(_("开放数据包正在生成，请一分钟后再试。"), 503, mimetype="text/plain")
    response.headers["Retry-After"] = "60"
    return response


@bp.get("/verify_log.py")
def verifier() -> Response:
    digest = hashlib.sha256(VERIFIER.read_bytes()).hexdigest()[:32]
    return _send(VERIFIER, "text/x-python; charset=utf-8", digest)


def _send(path: Path, mimetype: str, tag: str) -> Response:
    # Opened here: a newer build may remove this one's folder; an open file stays readable.
    file = path.open("rb")
    modified = datetime.fromtimestamp(os.fstat(file.fileno()).st_mtime, UTC)
    response = send_file(
        file,
        mimetype=mimetype,
        as_attachment=path.suffix != ".json",
        download_name=path.name,
        conditional=True,
        etag=tag,
        last_modified=modified,
    )
    response.headers["Cache-Control"] = "no-cache"
    return response
