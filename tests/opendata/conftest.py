"""A live server with the plan, the simulated progress and some simulated cases, on both stores."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.conftest import BACKENDS, simulated_site


@pytest.fixture(scope="module", params=BACKENDS)
def year_app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    # the bundle as production builds it: in the background (tests/opendata/test_bundle.py)
    yield from simulated_site(request, tmp_path_factory, cases=120, BUNDLE_IN_BACKGROUND=True)


@pytest.fixture(scope="module")
def server(year_app: Flask) -> Iterator[str]:
    """Served over real HTTP, for real clients (feedparser, georeport)."""
    http = make_server("127.0.0.1", 0, year_app, threaded=True)
    url = f"http://127.0.0.1:{http.server_port}"
    year_app.config["PUBLIC_BASE_URL"] = url  # absolute links lead back to this server
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield url
    http.shutdown()
