"""What routes get from declarations instead of code in every view: the plan of a
/plans/<year>/ page, loaded once before the view, and whether a blueprint's pages
are publicly cacheable."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import uuid4

from flask import Flask
from sqlalchemy import event
from werkzeug.routing import Rule

from domain.plan_spec import PlanSpec
from minsheng_site.services import Services
from tests.conftest import AppFactory
from tests.synthetic_plans import plan_for_year

# Values that fit every /plans/<year>/... rule (the year is what is tested).
VALUES = {
    "number": 1,
    "ref": "31.1",
    "finding_id": uuid4(),
    "name": "市卫生健康委",
    "district": "梁溪区",
}
# /alerts/: every page is a form or opens with a subscription's secret link
PRIVATE = ("/staff/", "/ratings/", "/dev/", "/healthz", "/lang/", "/reading/", "/alerts/")
# Public, but files that never change under their name (a photo's is its SHA-256): they carry
# their own long Cache-Control and ETag, which the page cache's "no-cache" would replace.
# /data/: the open-data bundle, tagged by the public log's head (not every stored event).
OWN_CACHING = ("/photos/", "/data/")


def _plan_pages(app: Flask) -> list[Rule]:
    return [
        rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/plans/<") and "GET" in (rule.methods or ())
    ]


@contextmanager
def _plan_loads(services: Services) -> Iterator[list[str]]:
    """The statements that load a plan's facts (projections.queries.plan) while inside."""
    seen: list[str] = []

    def count(*args: Any) -> None:
        if "catalog_plans.notice_title" in args[2]:
            seen.append(args[2])

    event.listen(services.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(services.engine, "before_cursor_execute", count)


def test_every_plan_page_of_an_unknown_year_is_not_found(loaded_app: Flask) -> None:
    pages = _plan_pages(loaded_app)
    assert len(pages) >= 20
    client = loaded_app.test_client()
    with loaded_app.test_request_context():
        adapter = loaded_app.url_map.bind("localhost")
        for rule in pages:
            known = adapter.build(rule.endpoint, {**VALUES, "year": 2023})
            unknown = adapter.build(rule.endpoint, {**VALUES, "year": 2099})
            assert client.get(unknown).status_code == 404, unknown
            no_finding = "finding_id" in rule.arguments  # none recorded: 404 too
            assert client.get(known).status_code == (404 if no_finding else 200), known


PLAN_PAGES = (
    "/plans/2023/",
    "/plans/2023/projects/31.1",
    "/plans/2023/progress",
    "/plans/2023/satisfaction",
    "/plans/2023/units/市卫生健康委",
)


def test_a_plan_page_loads_its_plan_once_and_again_only_when_the_catalog_moved(
    app_factory: AppFactory, plan_spec: PlanSpec
) -> None:
    app = app_factory(plan=True, PAGE_CACHE_URL="off")  # every page built: the plan is asked
    services: Services = app.extensions["minsheng"]
    client = app.test_client()
    first = []
    for url in PLAN_PAGES:
        with _plan_loads(services) as loads:
            assert client.get(url).status_code == 200, url
        first.append(len(loads))
    assert first == [1, 0, 0, 0, 0]  # kept while the catalog stands still
    services.ledger.register_plan(plan_for_year(plan_spec, 2031), "test")
    services.caught_up()
    for url in PLAN_PAGES[:2]:
        with _plan_loads(services) as loads:
            assert client.get(url).status_code == 200, url
        assert len(loads) == (1 if url == PLAN_PAGES[0] else 0), url


def test_the_blueprints_with_public_pages_are_declared_publicly_cacheable(
    loaded_app: Flask,
) -> None:
    public: dict[str, bool] = {}
    for rule in loaded_app.url_map.iter_rules():
        name = rule.endpoint.rpartition(".")[0]
        if name and "GET" in (rule.methods or ()):
            public[name] = public.get(name, False) or not rule.rule.startswith(
                (*PRIVATE, *OWN_CACHING)
            )
    declared = {
        name: getattr(loaded_app.blueprints[name], "publicly_cacheable", False) for name in public
    }
    assert declared == public
