"""Every absolute URL the site writes starts with PUBLIC_BASE_URL, whatever Host was sent.

Feeds, the OPML list, OpenAPI's servers, Open311, canonical links and the API's
`url` fields are built by Flask from the request's host and scheme. A client
(or a proxy passing on X-Forwarded-Host) could put any host there and have it
published, cached and followed. This WSGI middleware sets the host, scheme and
script root of every request from the configured base URL instead, before
Flask sees it: nothing downstream can read the forged Host.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from flask import Flask

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class BadBaseUrl(ValueError):
    pass


@lru_cache(maxsize=8)
def parts(base_url: str) -> tuple[str, str, str, str, str]:
    """(scheme, host[:port], server name, port, path) of an http(s) base URL."""
    split = urlsplit(base_url)
    if split.scheme not in ("http", "https") or not split.hostname or split.query:
        raise BadBaseUrl(f"PUBLIC_BASE_URL must be http(s)://host[:port][/path]: {base_url!r}")
    port = str(split.port or (443 if split.scheme == "https" else 80))
    return split.scheme, split.netloc, split.hostname, port, split.path.rstrip("/")


class PublicBase:
    def __init__(self, app: Flask, wsgi_app: WSGIApp) -> None:
        self.app, self.wsgi_app = app, wsgi_app
        parts(app.config["PUBLIC_BASE_URL"])  # a wrong setting stops the start, not a request

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        scheme, host, name, port, path = parts(self.app.config["PUBLIC_BASE_URL"])
        environ["wsgi.url_scheme"] = scheme
        environ["HTTP_HOST"] = host
        environ["SERVER_NAME"], environ["SERVER_PORT"] = name, port
        environ["SCRIPT_NAME"] = path
        return self.wsgi_app(environ, start_response)
