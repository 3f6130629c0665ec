"""Errors: a clear page for people, valid JSON for the API, never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import (
    BadRequest,
    Forbidden,
    HTTPException,
    InternalServerError,
    NotFound,
)
from werkzeug.wrappers import Response

from domain.errors import NotFound as NotFoundError
from domain.errors import UnstorableText
from domain.progress import NotResponsible
from minsheng_site.opendata.open311 import errors as georeport_errors
from minsheng_site.photos import takes_photos

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(NotResponsible, lambda _e: _http_error(Forbidden()))
    app.register_error_handler(NotFoundError, lambda _e: _http_error(NotFound()))
    app.register_error_handler(UnstorableText, _unstorable)
    app.register_error_handler(Exception, _unexpected)


def wants_json() -> bool:
    return request.path.startswith("/api/")


def wants_georeport() -> bool:
    """GeoReport v2 reports errors as a list of {code, description}."""
    return request.path.startswith("/open311/")


def _http_error(error: HTTPException) -> tuple[Response | str, int]:
    status = error.code or 500
    if wants_georeport():
        return georeport_errors(status, error.description or error.name), status
    if wants_json():
        return _json(status, error.name, error.description or error.name), status
    description = error.description if status in (400, 429) else None
    if status == 413 and takes_photos():  # a form with photos, past its limit
        description = _("上传的内容太大：每张照片不超过10MB，每次最多3张。请压缩或减少照片后重试。")
    return render_template(
        "error.html", status=status, name=error.name, description=description
    ), status


def _unstorable(error: UnstorableText) -> tuple[Response | str, int]:
    """Text that slipped past the boundary's cleaning: refused, never half-saved."""
    log.warning("refused unstorable text in %s (%s)", error.event, ", ".join(error.fields))
    return _http_error(
        BadRequest(description=_("文字中含有无法保存的控制字符，已拒绝。请删除后重试。"))
    )


def _unexpected(error: Exception) -> tuple[Response | str, int]:
    log.exception("unhandled error on %s %s", request.method, request.path)
    return _http_error(InternalServerError())


def _json(status: int, name: str, message: str) -> Response:
    code = name.lower().replace(" ", "_").replace("'", "")
    response = jsonify({"error": {"status": status, "code": code, "message": message}})
    response.status_code = status
    return response
