"""Follow every link a reader can follow: no server error, no broken link.

A breadth-first crawl from the home page of a site with a (small) simulated
year — reports, supervision, cases, ratings — through every internal link
of every HTML page, on both stores, up to a bound. Feeds and data files are
fetched but not parsed for links.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Iterator
from html import unescape
from urllib.parse import urldefrag, urlsplit

import pytest
from flask import Flask

from tests.conftest import BACKENDS, simulated_site

pytestmark = pytest.mark.slow
LIMIT = 3000  # pages per store, at most
PER_KIND = 6  # of each kind of page: every kind, not every filter combination
HREF = re.compile(r'(?:href|src)="([^"]+)"')
SKIP = ("/static/", "/lang/", "/reading/", "/staff", "/ratings/verify", "/dev/")


@pytest.fixture(scope="module", params=BACKENDS)
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    yield from simulated_site(request, tmp_path_factory, cases=80, raters=150)


def links(html: str) -> Iterator[str]:
    for raw in HREF.findall(html):
        url = urldefrag(unescape(raw))[0]
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not url.startswith("/"):
            continue  # another site (the document's source, the Open311 spec)
        if url.startswith(SKIP):
            continue
        yield url


def kind_of(url: str) -> str:
    """A page's kind: its path with ids and numbers blanked (/plans/N/items/N, /events/U)."""
    path = re.sub(
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "U", urlsplit(url).path
    )
    path = re.sub(r"\b\d{4}-[0-9A-Z]{6}\b", "C", path)  # a case number, 2023-GQPPNC
    return re.sub(r"[0-9]+", "N", path)


def test_every_link_leads_somewhere_and_nothing_fails(site: Flask) -> None:
    client = site.test_client()
    seen, queue = {"/"}, deque([("/", "(start)")])
    per_kind: Counter[str] = Counter({"/": 1})
    visited = 0
    while queue and visited < LIMIT:
        url, source = queue.popleft()
        visited += 1
        response = client.get(url)
        assert response.status_code < 500, f"{url} (linked from {source}): {response.status}"
        assert response.status_code in (200, 303), f"{url} (linked from {source}) is broken"
        if response.mimetype != "text/html":
            response.close()  # a download (the open-data bundle) is a file: closed unread
            continue
        for target in links(response.get_data(as_text=True)):
            kind = kind_of(target)
            # every kind of page, a few of each (filters and pages multiply otherwise)
            if target not in seen and per_kind[kind] < PER_KIND:
                seen.add(target)
                per_kind[kind] += 1
                queue.append((target, url))
    assert not queue, f"{len(queue)} links left unvisited: raise LIMIT"
    for kind in (
        "/plans/N/items/N",
        "/plans/N/projects/N.N",
        "/plans/N/satisfaction",
        "/plans/N/evaluation",
        "/cases/",
        "/cases/C",
        "/events/U",
        "/journalists",
        "/privacy",
        "/plans/N/document",
        "/plans/N/findings/U",
    ):
        assert kind in per_kind, kind
