"""Shared fixtures: the real 2023 plan, both stores (SQLite and PostgreSQL), the app."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Protocol
from uuid import uuid4

import pytest
from flask import Flask
from flask.testing import FlaskClient

from application.ledger import system_clock
from application.plan_file import load_plan_file
from domain.plan_spec import PlanSpec
from minsheng_site import create_app
from minsheng_site.services import Services
from tests.postgres import Cluster
from tests.redis_server import RedisServer
from tests.stores import PLAN, Recipe, Templates, shared_folder, year_with

ROOT = Path(__file__).resolve().parent.parent
# Staff passwords at a low scrypt cost (the suite signs in hundreds of times; each costs
# ~0.14 s of CPU at the production cost). Set before any app, CLI or server the tests start
# (they inherit it); tests/staff/test_passwords.py checks the production default itself.
TEST_PASSWORD_HASH = "scrypt:1024:8:1"
os.environ["PASSWORD_HASH"] = TEST_PASSWORD_HASH
PLAN_FILE = ROOT / "plans" / "2023" / "plan.yaml"

# Every store-backed test runs on both stores. PostgreSQL is started by the
# suite itself; MINSHENG_TEST_POSTGRES=0 leaves it out explicitly (never silently).
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)]


@pytest.fixture(scope="session")
def plan_spec() -> PlanSpec:
    return load_plan_file(PLAN_FILE)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    if os.environ.get("MINSHENG_TEST_POSTGRES") == "0":
        pytest.skip("PostgreSQL left out by MINSHENG_TEST_POSTGRES=0")
    cluster = Cluster()
    cluster.start()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    if os.environ.get("MINSHENG_TEST_REDIS") == "0":
        pytest.skip("Redis left out by MINSHENG_TEST_REDIS=0")
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """A real Redis for rate limits (what production uses), emptied for each test."""
    redis_server.flush()
    return redis_server.url


def new_database(backend: str, request: pytest.FixtureRequest, folder: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{folder / f'{uuid4().hex[:8]}.sqlite3'}"
    cluster: Cluster = request.getfixturevalue("pg_cluster")
    return cluster.create_database(f"t_{uuid4().hex[:12]}")


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return new_database(request.param, request, tmp_path)


@pytest.fixture
def clock() -> Callable[[], datetime]:
    """When the `services` fixture's ledger records events: now (a module may override it
    with a tests.clock.Clock stopped on the day it needs)."""
    return system_clock


@pytest.fixture
def services(database_url: str, clock: Callable[[], datetime]) -> Iterator[Services]:
    opened = Services.open(database_url, clock=clock)
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def store_templates(tmp_path_factory: pytest.TempPathFactory, plan_spec: PlanSpec) -> Templates:
    """The plan-only store and the simulated years, written once per session (tests/stores.py)."""
    return Templates(shared_folder(tmp_path_factory), tmp_path_factory.mktemp("own"), plan_spec)


def make_app(
    database_url: str,
    instance: Path,
    clock: Callable[[], datetime] = system_clock,
    **config: object,
) -> Flask:
    return create_app(
        {
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(instance),
            "SECRET_KEY": "test-secret",
            "PUBLIC_BASE_URL": "http://localhost",  # what Flask's test client asks for
            "PROJECTOR_THREAD": False,
            "TESTING": True,
            # no bundle build left running in a thread after a test's app is closed
            "BUNDLE_IN_BACKGROUND": False,
            **config,
        },
        clock,
    )


class AppFactory(Protocol):
    def __call__(
        self, *, clock: Callable[[], datetime] = ..., plan: bool = ..., **config: object
    ) -> Flask: ...


@pytest.fixture
def app_factory(
    database_url: str,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    store_templates: Templates,
) -> Iterator[AppFactory]:
    """Apps on this test's store (`database_url`, instance folder `tmp_path`), recording
    events at `clock`'s time; `plan=True`: the store starts as a copy of the registered and
    projected 2023 plan. Closed after the test."""
    opened: list[Flask] = []

    def build(
        *, clock: Callable[[], datetime] = system_clock, plan: bool = False, **config: object
    ) -> Flask:
        if plan:
            assert not opened, "the plan is copied into a store nobody has opened yet"
            store_templates.restore(PLAN, backend_of(database_url), request, database_url, tmp_path)
        opened.append(make_app(database_url, tmp_path, clock, **config))
        return opened[-1]

    yield build
    for app in opened:
        app.extensions["minsheng"].close()


@pytest.fixture
def app(app_factory: AppFactory) -> Flask:
    """An app on an empty store of each kind."""
    return app_factory()


def backend_of(database_url: str) -> str:
    return "sqlite" if database_url.startswith("sqlite") else "postgresql"


def copied_site(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    recipe: Recipe,
    clock: Callable[[], datetime] = system_clock,
    **config: object,
) -> Iterator[Flask]:
    """For a module-scoped fixture parametrized by BACKENDS: an app on a copy of what
    `recipe` wrote (tests/stores.py), closed when the module is done."""
    templates: Templates = request.getfixturevalue("store_templates")
    folder = tmp_path_factory.mktemp(recipe.name)
    url = templates.copy(recipe, request.param, request, folder)
    app = make_app(url, folder, clock, **config)
    yield app
    app.extensions["minsheng"].close()


@pytest.fixture(scope="module", params=BACKENDS)
def loaded_app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    """An app with the 2023 plan registered and projected; tests only read from it."""
    yield from copied_site(request, tmp_path_factory, PLAN)


def simulated_site(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    cases: int = 0,
    raters: int = 0,
    **config: object,
) -> Iterator[Flask]:
    """For a module-scoped fixture parametrized by BACKENDS: a site with the labelled
    simulated year (smaller than make run's), copied from the session's template."""
    yield from copied_site(
        request, tmp_path_factory, year_with(cases, raters), system_clock, **config
    )


@pytest.fixture
def client(loaded_app: Flask) -> FlaskClient:
    return loaded_app.test_client()
