"""Public pages: an ETag from the log's head, the day, the language and reading mode — and a
page cache.

A public page is a function of what the log holds, the date (statuses
change at midnight), the reader's language and reading mode (large text), the
address and the site's own code and templates. Readers and feed tools that
send If-None-Match get a 304 without the page being built; anyone else asking
for a page already built under the same key gets the stored bytes (Flask-Caching:
in the process by default, or one Redis shared by every worker and host with
PAGE_CACHE_URL).
A new event, a new day or a new deployment makes a new key, so nothing stale
is ever served; old entries expire.

Signed-in staff, visitors with a case or a verified contact in their session
and pages carrying a one-off message are never tagged nor served from the
cache; a page that put anything in the visitor's session (a form's CSRF token)
is tagged but never stored, nor is anything over LARGEST_STORED bytes.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, current_app, g, request, session
from flask_caching import Cache
from flask_compress import Compress
from flask_login import current_user
from werkzeug.wrappers import Response

from minsheng_site.i18n import locale_code
from minsheng_site.reading import reading_mode
from minsheng_site.services import services
from minsheng_site.views import prefers_html, read_positions, today

log = logging.getLogger(__name__)
# Session keys that make a page this visitor's own (their case, their verified contact).
PERSONAL = ("citizen_case", "voter", "voter_pending")


def publicly_cacheable(blueprint: Blueprint) -> Blueprint:
    """Declare, where the blueprint is made, that its GET pages are the same for every
    reader (tagged with an ETag, answered 304), unless the visitor's session is personal."""
    # a marker of ours on Flask's Blueprint, read back with getattr below
    blueprint.publicly_cacheable = True  # type: ignore[attr-defined]
    return blueprint


def _cacheable() -> bool:
    blueprint = current_app.blueprints.get(request.blueprint or "")
    return getattr(blueprint, "publicly_cacheable", False)


# The stored pages. Headers a replay must not repeat: the cookie and length of the response
# that was stored, and what _tag and the app's own hooks set again on every answer.
pages = Cache()
compress = Compress()
ENCODINGS = ("zstd", "br", "gzip", "deflate")  # Flask-Compress's, in its order of preference
NOT_STORED = {"set-cookie", "content-length", "etag", "cache-control", "vary", "date"}
# Bounds on what a process keeps, whatever URLs are asked for (junk query strings make
# new keys): at most KEPT_PAGES pages of at most LARGEST_STORED bytes, ~50 MB. Pages are
# 10-60 KB; large downloads (the full log, CSV exports) are built each time.
LARGEST_STORED = 256_000
KEPT_PAGES = 200
KEPT_FOR = 600  # seconds an entry lives; a new event or day makes new keys anyway


def init_compression(app: Flask) -> None:
    """zstd, brotli or gzip for text answers, as the reader's browser accepts (Flask-Compress).

    Call it before `init_app`: Flask runs after-request hooks last registered first, so
    the page cache keeps each page as built and compression comes after it. A page the
    cache shares is compressed once per encoding and kept beside it; an answer that is
    this visitor's own (a form token, their case) is compressed for them alone. The ETag
    gets the encoding (Flask-Compress: "tag:gzip"), and such a tag still earns a 304.
    """
    # Set, not defaulted: these are how the page cache and compression work together,
    # not settings a deployment chooses.
    app.config["COMPRESS_CACHE_BACKEND"] = _Encoded
    app.config["COMPRESS_CACHE_KEY"] = _encoded_key
    # Not streams: Flask-Compress would read a static file through without closing it
    # (a file descriptor left to the garbage collector per request); a proxy in front,
    # or the browser's cache, takes care of the styles and scripts.
    app.config["COMPRESS_STREAMS"] = False
    compress.init_app(app)


def _encoded_key(_request: object) -> str:
    return str(g.get("_shared", ""))


class _Encoded:
    """Flask-Compress's cache: a shared page's encodings, by "algorithm;tag", in the page
    cache. Nothing for an answer that is not shared (an empty tag)."""

    def get(self, key: str) -> bytes | None:
        found: bytes | None = _kept(f"encoded:{key}") if not key.endswith(";") else None
        return found

    def set(self, key: str, value: bytes) -> None:
        if not key.endswith(";"):
            _keep(f"encoded:{key}", value)


def init_app(app: Flask, root: Path) -> None:
    app.config["ETAG_SALT"] = _fingerprint(root)
    pages.init_app(app, config=page_cache_config(app.config.get("PAGE_CACHE_URL", "")))
    app.before_request(_not_modified)
    app.after_request(_tag)


def page_cache_config(url: str) -> dict[str, object]:
    """Flask-Caching's settings for PAGE_CACHE_URL: empty, in this process; redis://... or
    unix://... (or redis+unix://..., as RATELIMIT_STORAGE_URI spells the socket of `make
    run`'s Redis), one store for every worker; off, none."""
    if url == "off":
        return {"CACHE_TYPE": "NullCache", "CACHE_NO_NULL_WARNING": True}
    if url.startswith("redis+unix://"):  # the rate limits' spelling of the same socket
        url = "unix://" + url.removeprefix("redis+unix://")
    if url.startswith(("redis://", "rediss://", "unix://")):
        return {
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_URL": url,
            "CACHE_KEY_PREFIX": "minsheng-page:",
            "CACHE_DEFAULT_TIMEOUT": KEPT_FOR,
        }
    return {
        "CACHE_TYPE": "SimpleCache",
        "CACHE_THRESHOLD": KEPT_PAGES,
        "CACHE_DEFAULT_TIMEOUT": KEPT_FOR,
    }


@functools.cache  # once per process (it runs one version of the code): ~12 ms of reading
def _fingerprint(root: Path) -> str:
    """Changes when the code, templates, styles or translations change (same for every
    worker): a new deployment never answers with a page an older one built."""
    digest = hashlib.sha256()
    code = ("site", "domain", "application", "projections")
    for folder in ("templates", "static/css", "translations", *code):
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and path.suffix in (".html", ".css", ".po", ".py"):
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _etag(salt: str) -> str | None:
    if request.method not in ("GET", "HEAD") or not _cacheable():
        return None
    if session.get("_flashes") or _personal():  # the page shows this visitor's own state
        return None
    head = services().ledger.recorder.max_notification_id() or 0
    # and where each read model stands: a page built while one lagged is not kept for later
    positions = ",".join(str(p) for _, p in sorted(read_positions().items()))
    # htmx asks for a fragment, unless it boosts a link (views.render): both in the key, so
    # no request can leave the other kind of answer under a key the other kind reads
    htmx = f"{request.headers.get('HX-Request', '')}|{request.headers.get('HX-Boosted', '')}"
    # host_url: feeds and links are absolute where no PUBLIC_BASE_URL fixes the address
    where = f"{request.host_url}|{request.full_path}"
    # the reader's language and reading mode (large text): both are rendered into the page
    reader = f"{locale_code()}|{reading_mode()}"
    # a browser and a feed reader get a feed's same bytes under different types (Vary: Accept)
    browser = "html" if prefers_html() else ""
    key = f"{salt}|{head}|{positions}|{today()}|{reader}|{htmx}|{where}|{browser}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _not_modified() -> Response | None:
    tag = g._etag = _etag(current_app.config["ETAG_SALT"])
    if not tag:
        return None
    for sent in (tag, *(f"{tag}:{encoding}" for encoding in ENCODINGS)):
        if request.if_none_match.contains(sent):
            response = Response(status=304)
            response.set_etag(sent)
            return response
    stored = _kept(tag)
    if stored is not None:
        g._replayed = g._shared = tag
        body, headers = stored
        return Response(body, headers=headers)
    return None


def _tag(response: Response) -> Response:
    tag = g.get("_etag")
    if tag and response.status_code == 200:
        if not g.get("_replayed") and _storable(response):
            headers = [(k, v) for k, v in response.headers if k.lower() not in NOT_STORED]
            _keep(tag, (response.get_data(), headers))
            g._shared = tag
        response.set_etag(tag)
        response.headers["Cache-Control"] = "no-cache"  # keep it, but ask each time
    elif request.endpoint != "static" and _personal():
        # their own case, ratings or staff work: no shared cache, no disk copy
        response.headers["Cache-Control"] = "private, no-store"
    return response


def _kept(tag: str) -> Any:
    """The stored page, if any. A cache that cannot be reached (Redis down) only costs
    the page being built: logged, never an error for the reader."""
    try:
        return pages.get(tag)
    except Exception:
        log.warning("page cache unreachable: building the page", exc_info=True)
        return None


def _keep(tag: str, page: object) -> None:
    try:
        pages.set(tag, page)
    except Exception:
        log.warning("page cache unreachable: page not kept", exc_info=True)


def _storable(response: Response) -> bool:
    """Only what is the same for every reader: not a page that gave this visitor a form
    token (Flask-WTF keeps it in g) or otherwise wrote to their session; not a stream."""
    if response.is_streamed or response.direct_passthrough:
        return False
    if "csrf_token" in g or session.modified:
        return False
    length = response.calculate_content_length()
    return length is not None and length <= LARGEST_STORED


def _personal() -> bool:
    return bool(current_user.is_authenticated or any(session.get(key) for key in PERSONAL))
