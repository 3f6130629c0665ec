"""Photos on the web: the upload field every photo form uses, the larger body those forms
may send, and the route that serves public photos.

An upload is cleaned (application.photos) while its form is validated: a file that is not
taken puts a clear message on the field, and the form comes back with everything else
that was typed; nothing is written until the command saves. Public photos (a citizen's
once approved, the units') are served here by hash; the others only through the views of
those who may see them (the citizen's own case, the staff case page).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, abort, current_app, request, send_file
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response
from wtforms import MultipleFileField
from wtforms.validators import ValidationError

from application.photos import MAX_BYTES, MAX_PHOTOS, SHA256, Photo, PhotoError, clean
from minsheng_site.services import services
from projections.cases import photo_queries
from projections.plans import report_photos

bp = Blueprint("photos", __name__)

# The views whose forms carry photos: they alone take a body past MAX_CONTENT_LENGTH.
UPLOADS: set[str] = set()
YEAR = 365 * 24 * 3600


def accepts_photos(endpoint: str) -> None:
    """Let this view's requests carry up to PHOTO_UPLOAD_LIMIT bytes (3 photos and a form)."""
    UPLOADS.add(endpoint)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    # First of all hooks: the CSRF check reads the form, and with it the body.
    app.before_request_funcs.setdefault(None, []).insert(0, _allow_photos)


def _allow_photos() -> None:
    if takes_photos():
        request.max_content_length = current_app.config["PHOTO_UPLOAD_LIMIT"]


def takes_photos() -> bool:
    """This request is a form with photos (a form of another kind keeps the usual limit)."""
    return request.endpoint in UPLOADS and request.mimetype == "multipart/form-data"


def problem(error: PhotoError) -> str:
    """What is wrong with an upload, in the reader's language."""
    name = error.name or _("照片")
    return {
        "too_big": _("“%(name)s”超过10MB，请压缩或换一张。", name=name),
        "empty": _("“%(name)s”是空文件。", name=name),
        "not_image": _(
            "“%(name)s”不是可识别的照片。请上传JPEG、PNG、WebP或HEIC格式的照片。", name=name
        ),
        "wrong_type": _(
            "“%(name)s”的文件名与内容不符（扩展名不是它的真实格式），请用JPEG重新保存后上传。",
            name=name,
        ),
        "bomb": _("“%(name)s”的像素过多，无法处理，请缩小后上传。", name=name),
        "damaged": _("“%(name)s”已损坏或不完整，请重新拍摄或上传。", name=name),
        "off": _("本站暂不接收照片。"),
    }.get(error.code, _("“%(name)s”无法处理，请换一张照片。", name=name))


class PhotosField(MultipleFileField):
    """Up to MAX_PHOTOS photos (a phone offers its camera and gallery: accept="image/*").
    After validation, `cleaned` holds them re-encoded without metadata."""

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        render_kw = {"accept": "image/*", **kwargs.pop("render_kw", {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)
        self.cleaned: list[Photo] = []
        self.room = MAX_PHOTOS  # how many more this form may take (the case may hold some)

    def files(self) -> list[FileStorage]:
        """The files chosen (a form sent without any has one empty part, or none)."""
        return [f for f in self.data or [] if isinstance(f, FileStorage) and f.filename]

    def pre_validate(self, form: Any) -> None:
        self.cleaned = []
        chosen = self.files()
        if chosen and self.room == 0:
            raise ValidationError(_("已有%(n)s张照片，不能再添加。", n=MAX_PHOTOS))
        if len(chosen) > self.room:
            raise ValidationError(_("最多还能上传%(n)s张照片。", n=self.room))
        for upload in chosen:
            data = upload.stream.read(MAX_BYTES + 1)
            try:
                self.cleaned.append(clean(data, upload.filename or ""))
            except PhotoError as error:
                self.cleaned = []
                raise ValidationError(problem(error)) from None


def photo_hint() -> str:
    return _("最多%(n)s张，每张不超过10MB，支持手机拍摄的JPEG、PNG、WebP和HEIC照片。", n=MAX_PHOTOS)


def parse(name: str) -> tuple[str, bool]:
    """`<sha256>.jpg` or `<sha256>.thumb.jpg`: the hash and whether the thumbnail is asked."""
    thumb = name.endswith(".thumb.jpg")
    sha = name.removesuffix(".thumb.jpg") if thumb else name.removesuffix(".jpg")
    if not name.endswith(".jpg") or not SHA256.match(sha):
        abort(404)
    return sha, thumb


def send(path: Path | None, cache: str) -> Response:
    if path is None:
        abort(404)
    try:
        data = path.read_bytes()  # a few hundred KB at most; no file left open behind us
    except FileNotFoundError:  # released (an erasure) since it was looked up
        abort(404)
    response = send_file(io.BytesIO(data), mimetype="image/jpeg", conditional=True, etag=path.name)
    response.headers["Cache-Control"] = cache
    return response


@bp.get("/photos/<name>")
def public(name: str) -> Response:
    """A public photo. The file never changes (its name is its hash); whether it is public
    can (a photo taken down, a person erased), so a case's is kept a day, a report's a year."""
    sha, thumb = parse(name)
    with services().read() as c:
        of_report = report_photos.is_public(c, sha)
        public = of_report or photo_queries.is_public(c, sha)
    if not public:
        abort(404)
    lasts = YEAR if of_report else 24 * 3600
    return send(services().ledger.photo_file(sha, thumb), f"public, max-age={lasts}")


def private(name: str, allowed: Callable[[str], bool]) -> Response:
    """A photo for the eyes of one who may see it (`allowed(sha)`), kept in no cache."""
    sha, thumb = parse(name)
    if not allowed(sha):
        abort(404)
    return send(services().ledger.photo_file(sha, thumb), "private, no-store")
