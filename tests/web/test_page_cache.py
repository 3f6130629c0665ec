"""The page cache (site/caching.py): a public page is built once per key and replayed.

The key is the ETag's: the log head and every read model's position, the Wuxi day,
the language, htmx, the host and the path, and the site's code. What is observed
here: whether a request renders a template (Flask's template_rendered signal), what
bytes and headers come back, and what the next reader gets after a change.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import brotli
import pytest
from backports import zstd
from flask import Flask, template_rendered
from flask.testing import FlaskClient

from domain.plan_spec import PlanSpec
from minsheng_site.caching import KEPT_PAGES, pages
from tests.clock import Clock
from tests.conftest import AppFactory
from tests.synthetic_plans import plan_for_year
from tests.web.staff_helpers import add_staff, sign_in

PROJECT = "/plans/2023/projects/9.1"


@contextmanager
def renders(app: Flask) -> Iterator[list[str]]:
    """The names of the templates rendered meanwhile."""
    seen: list[str] = []

    def record(_sender: Flask, template: object, **_: object) -> None:
        seen.append(getattr(template, "name", "?"))

    template_rendered.connect(record, app)
    try:
        yield seen
    finally:
        template_rendered.disconnect(record, app)


@pytest.fixture
def clock() -> Clock:
    return Clock("2023-07-05T10:00")


@pytest.fixture
def app(app_factory: AppFactory, clock: Clock) -> Flask:
    return app_factory(clock=clock, plan=True)


def reader(app: Flask) -> FlaskClient:
    return app.test_client()  # a new visitor: no cookies


def test_a_second_reader_gets_the_same_page_without_it_being_built_again(app: Flask) -> None:
    with renders(app) as first_time:
        first = reader(app).get(PROJECT)
    assert first.status_code == 200 and first_time
    with renders(app) as second_time:
        second = reader(app).get(PROJECT)
    assert second_time == []
    assert second.get_data() == first.get_data()
    assert second.headers["ETag"] == first.headers["ETag"]
    for header in ("Content-Type", "Content-Security-Policy", "Vary", "Cache-Control"):
        assert second.headers.get(header) == first.headers.get(header), header
    assert "Set-Cookie" not in first.headers and "Set-Cookie" not in second.headers


def test_a_new_event_makes_the_next_reader_get_a_new_page(app: Flask, plan_spec: PlanSpec) -> None:
    before = reader(app).get("/")
    services = app.extensions["minsheng"]
    services.ledger.register_plan(plan_for_year(plan_spec, 2024), "test")  # as a CLI would
    lagging = reader(app).get("/")  # the read models have not caught up yet
    assert "2024" not in lagging.get_data(as_text=True)
    services.caught_up()  # the worker's part: a page built while they lagged is not replayed
    with renders(app) as built:
        after = reader(app).get("/")
    assert built, "the home page was replayed after the read models moved"
    assert len({before.headers["ETag"], lagging.headers["ETag"], after.headers["ETag"]}) == 3
    assert "2024" in after.get_data(as_text=True) and "2024" not in before.get_data(as_text=True)


def test_a_new_wuxi_day_builds_the_page_again(app: Flask, clock: Clock) -> None:
    reader(app).get("/plans/2023/progress")
    clock.set("2023-07-05T23:59:59")  # Wuxi time: the same day
    with renders(app) as same_day:
        reader(app).get("/plans/2023/progress")
    clock.set("2023-07-06T00:00:00")  # midnight in Wuxi: statuses may change
    with renders(app) as next_day:
        reader(app).get("/plans/2023/progress")
    assert same_day == [] and next_day


def test_each_language_has_its_own_copy(app: Flask) -> None:
    zh = reader(app).get(PROJECT)
    en = reader(app).get(PROJECT, headers={"Accept-Language": "en"})
    assert zh.get_data() != en.get_data()
    with renders(app) as built:
        again = reader(app).get(PROJECT, headers={"Accept-Language": "en"})
    assert built == [] and again.get_data() == en.get_data()


def large_text_reader(app: Flask) -> FlaskClient:
    client = reader(app)
    client.set_cookie("reading", "large")  # as /reading/large leaves it
    return client


def html_tag(response: Any) -> str:
    found = re.search(r"<html[^>]*>", response.get_data(as_text=True))
    assert found
    return found[0]


@pytest.mark.parametrize("first", ["large", "standard"])
def test_each_reading_mode_has_its_own_copy_and_never_reaches_another_reader(
    app: Flask, first: str
) -> None:
    readers = {"large": lambda: large_text_reader(app), "standard": lambda: reader(app)}
    order = [first, *(mode for mode in readers if mode != first)]
    seen = {}
    for mode in order:  # the first one's page is stored before the other asks
        seen[mode] = readers[mode]().get(PROJECT)
    assert 'class="large-text"' in html_tag(seen["large"])
    assert "large-text" not in html_tag(seen["standard"])
    assert seen["large"].headers["ETag"] != seen["standard"].headers["ETag"]
    assert "Cookie" in seen["large"].headers["Vary"]
    for mode in order:  # and each is kept: the next reader of the same mode gets it as built
        with renders(app) as built:
            again = readers[mode]().get(PROJECT)
        assert built == [] and again.get_data() == seen[mode].get_data(), mode


def test_a_reader_who_changed_mode_gets_the_page_again_not_a_304(app: Flask) -> None:
    large = large_text_reader(app)
    tag = large.get(PROJECT).headers["ETag"]
    assert large.get(PROJECT, headers={"If-None-Match": tag}).status_code == 304
    large.set_cookie("reading", "standard")
    answer = large.get(PROJECT, headers={"If-None-Match": tag})
    assert answer.status_code == 200 and "large-text" not in html_tag(answer)


def test_a_page_with_a_form_is_never_stored_and_each_visitor_keeps_their_own_token(
    app: Flask,
) -> None:
    first, second = reader(app), reader(app)
    one = first.get("/cases/new").get_data(as_text=True)
    with renders(app) as built:
        two = second.get("/cases/new").get_data(as_text=True)
    assert built, "a form page was replayed to another visitor"
    assert one != two  # different CSRF tokens


def test_signed_in_staff_never_get_a_stored_page(app: Flask) -> None:
    add_staff(app, "zjj.li", ("reporter", "市住房城乡建设局"))
    reader(app).get(PROJECT)  # stored for the public
    staff = app.test_client()
    assert sign_in(staff, "zjj.li") == 303
    with renders(app) as built:
        page = staff.get(PROJECT)
    assert built and page.headers["Cache-Control"] == "private, no-store"


def test_an_anonymous_reader_of_a_project_page_gets_no_cookie(app: Flask) -> None:
    response = reader(app).get(PROJECT)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


def test_workers_sharing_a_redis_build_each_page_once(
    app_factory: AppFactory, clock: Clock, redis_url: str
) -> None:
    one = app_factory(clock=clock, plan=True, PAGE_CACHE_URL=redis_url)
    two = app_factory(clock=clock, PAGE_CACHE_URL=redis_url)  # another worker, same store
    built_once = reader(one).get(PROJECT)
    with renders(two) as built:
        replayed = reader(two).get(PROJECT)
    assert built == []
    assert replayed.get_data() == built_once.get_data()


def test_the_cache_can_be_turned_off(app_factory: AppFactory, clock: Clock) -> None:
    app = app_factory(clock=clock, plan=True, PAGE_CACHE_URL="off")
    reader(app).get(PROJECT)
    with renders(app) as built:
        reader(app).get(PROJECT)
    assert built


def test_an_unreachable_cache_only_means_pages_are_built(
    app_factory: AppFactory, clock: Clock, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    nowhere = f"unix://{tmp_path / 'no-redis.sock'}"  # Redis down, or never started
    app = app_factory(clock=clock, plan=True, PAGE_CACHE_URL=nowhere)
    for _ in range(2):
        with renders(app) as built:
            assert reader(app).get(PROJECT).status_code == 200
        assert built
    assert "page cache unreachable" in caplog.text


def test_a_boosted_htmx_request_cannot_leave_a_full_page_where_fragments_are_read(
    app: Flask,
) -> None:
    boosted = {"HX-Request": "true", "HX-Boosted": "true"}
    full = reader(app).get("/plans/2023/progress", headers=boosted).get_data(as_text=True)
    fragment = reader(app).get("/plans/2023/progress", headers={"HX-Request": "true"})
    assert "<html" in full
    assert "<html" not in fragment.get_data(as_text=True)
    assert "<table" in fragment.get_data(as_text=True)


def test_what_a_process_keeps_is_bounded_whatever_urls_are_asked_for(app: Flask) -> None:
    with app.app_context():
        for n in range(KEPT_PAGES + 50):  # junk query strings: a new key each
            reader(app).get(f"/plans/2023/?junk={n}")
        kept = pages.cache  # this app's store (Flask-Caching finds it by current_app)
        assert kept is not None
        stored = len(kept._cache)  # cachelib's SimpleCache: its dict of entries
    assert 0 < stored <= KEPT_PAGES + 1


@contextmanager
def compressions(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The encodings Flask-Compress computed meanwhile (not those it found kept)."""
    import flask_compress.flask_compress as fc

    done: list[str] = []
    real = fc._compress_data

    def counted(app: Flask, data: bytes, algorithm: str) -> bytes:
        done.append(algorithm)
        return real(app, data, algorithm)

    monkeypatch.setattr(fc, "_compress_data", counted)
    yield done


@pytest.mark.parametrize(
    ("accepted", "encoding", "decode"),
    [
        ("gzip", "gzip", gzip.decompress),
        ("gzip, deflate, br", "br", brotli.decompress),
        ("gzip, deflate, br, zstd", "zstd", zstd.decompress),
    ],
)
def test_a_page_is_compressed_as_the_reader_accepts_once_per_encoding(
    app: Flask, monkeypatch: pytest.MonkeyPatch, accepted: str, encoding: str, decode: Any
) -> None:
    plain = reader(app).get(PROJECT)
    assert "Content-Encoding" not in plain.headers  # a reader that asks for none
    with compressions(monkeypatch) as computed:
        first = reader(app).get(PROJECT, headers={"Accept-Encoding": accepted})
        second = reader(app).get(PROJECT, headers={"Accept-Encoding": accepted})
    assert computed == [encoding]  # the second reader got the kept encoding
    for response in (first, second):
        assert response.headers["Content-Encoding"] == encoding
        assert decode(response.get_data()) == plain.get_data()
        assert len(response.get_data()) < len(plain.get_data()) / 2
        assert "Accept-Encoding" in response.headers["Vary"]
        assert response.headers["ETag"] == plain.headers["ETag"][:-1] + f':{encoding}"'
    # The encoded tag earns a 304, as the plain one does.
    again = reader(app).get(
        PROJECT, headers={"Accept-Encoding": accepted, "If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304 and again.get_data() == b""


def test_a_compressed_form_page_keeps_each_visitors_own_token(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    gzipped = {"Accept-Encoding": "gzip"}
    with compressions(monkeypatch) as computed:
        one = gzip.decompress(reader(app).get("/cases/new", headers=gzipped).get_data())
        two = gzip.decompress(reader(app).get("/cases/new", headers=gzipped).get_data())
    assert computed == ["gzip", "gzip"]  # each compressed for its visitor, never shared
    token = re.compile(rb'name="csrf_token" type="hidden" value="([^"]+)"')
    found_one, found_two = token.search(one), token.search(two)
    assert found_one and found_two and found_one[1] != found_two[1]


def test_a_staff_page_is_compressed_but_never_kept(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_staff(app, "zjj.li", ("reporter", "市住房城乡建设局"))
    staff = app.test_client()
    assert sign_in(staff, "zjj.li") == 303
    with compressions(monkeypatch) as computed:
        for _ in range(2):
            page = staff.get(PROJECT, headers={"Accept-Encoding": "gzip"})
            assert page.headers["Content-Encoding"] == "gzip"
            assert page.headers["Cache-Control"] == "private, no-store"
    assert computed == ["gzip", "gzip"]


def test_static_files_are_sent_as_they_are_and_closed(app: Flask) -> None:
    """Flask-Compress would read a static file through without closing it (pytest turns
    the unclosed file into an error here); styles and scripts go out as stored."""
    accepts = {"Accept-Encoding": "gzip, deflate, br, zstd"}
    response = reader(app).get("/static/css/site.css", headers=accepts)
    assert response.status_code == 200 and "Content-Encoding" not in response.headers
    assert b"{" in response.get_data()
    response.close()
