"""A live server and Debian's Chromium driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import make_server

from tests.clock import Clock
from tests.conftest import make_app
from tests.stores import PLAN, Templates, year_with
from tests.web.staff_helpers import add_staff

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-results" / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def read_whole(app: Flask) -> WSGIApplication:
    """Each answer read whole and closed before Werkzeug's development server writes it.

    When a browser drops a connection (an aborted favicon request), that server can fail while
    draining the request and skip the answer's close(), leaving a static file open until the
    garbage collector warns. Gunicorn, which serves the site, always closes.
    """

    def wsgi(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        answer = app(environ, start_response)
        try:
            return [b"".join(answer)]
        finally:
            close = getattr(answer, "close", None)
            if close is not None:
                close()

    return wsgi


def serve(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, read_whole(app), threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_BASE_URL"] = url  # absolute links lead back to this server
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield url
    server.shutdown()
    app.extensions["minsheng"].close()


@pytest.fixture(scope="session")
def live_server(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    store_templates: Templates,
) -> Iterator[str]:
    """The 2023 plan with the labelled simulated year, as make run serves it (less of it)."""
    folder = tmp_path_factory.mktemp("live")
    url = store_templates.copy(year_with(cases=100, raters=500), "sqlite", request, folder)
    app = make_app(url, folder)
    # one account with every role, so that a browser test can visit every staff page
    add_staff(
        app,
        "gov.chen",
        ("admin", "市政府办公室"),
        ("supervisor", "市政府督查室"),
        ("reporter", "市住房城乡建设局"),
    )
    add_staff(app, "rd.zhang", ("supervisor", "人大督查组"))  # sees cases' public facts only
    yield from serve(app)


@pytest.fixture
def reporting_server(
    request: pytest.FixtureRequest, tmp_path: Path, store_templates: Templates
) -> Iterator[str]:
    """The plan, a reporter of 市住房城乡建设局 and a clock stopped on 5 July 2023."""
    url = store_templates.copy(PLAN, "sqlite", request, tmp_path)
    app = make_app(url, tmp_path, Clock("2023-07-05T10:00"))
    add_staff(app, "zjj.li", ("reporter", "市住房城乡建设局"))
    yield from serve(app)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    # bypass_csp: the tests inject axe-core, which our CSP (rightly) blocks.
    context = browser.new_context(locale="zh-CN", bypass_csp=True)
    opened = context.new_page()
    yield opened
    context.close()


def axe_violations(page: Page) -> list[dict]:  # type: ignore[type-arg]
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
