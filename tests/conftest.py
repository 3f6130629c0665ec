"""Shared fixtures: the real 2023 plan, both stores (SQLite and PostgreSQL), the app."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import pytest
from flask import Flask
from flask.testing import FlaskClient

from application.plan_file import load_plan_file
from domain.plan_spec import PlanSpec
from minsheng_site import create_app
from minsheng_site.services import Services
from tests.postgres import Cluster
from tests.redis_server import RedisServer

ROOT = Path(__file__).resolve().parent.parent
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
def services(database_url: str) -> Iterator[Services]:
    opened = Services.open(database_url)
    yield opened
    opened.close()


def make_app(database_url: str, instance: Path, **config: object) -> Flask:
    return create_app(
        {
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(instance),
            "SECRET_KEY": "test-secret",
            "PUBLIC_BASE_URL": "http://localhost",  # what Flask's test client asks for
            "PROJECTOR_THREAD": False,
            "TESTING": True,
            **config,
        }
    )


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """An app on an empty store of each kind."""
    created = make_app(database_url, tmp_path)
    yield created
    created.extensions["minsheng"].close()


@pytest.fixture(scope="module", params=BACKENDS)
def loaded_app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, plan_spec: PlanSpec
) -> Iterator[Flask]:
    """An app with the 2023 plan registered and projected; tests only read from it."""
    folder = tmp_path_factory.mktemp("app")
    app = make_app(new_database(request.param, request, folder), folder)
    services: Services = app.extensions["minsheng"]
    services.ledger.register_plan(plan_spec, "test")
    services.caught_up()
    yield app
    services.close()


def load_simulated(app: Flask, plan_spec: PlanSpec, cases: int = 0, raters: int = 0) -> Flask:
    """Register the plan and write the labelled simulated year (smaller than make run's)."""
    from application.simulated_cases import SimulatedCases
    from application.simulated_ratings import SimulatedRatings
    from application.simulation import SimulatedYear

    services: Services = app.extensions["minsheng"]
    services.ledger.register_plan(plan_spec, "test")
    SimulatedYear(services.ledger, plan_spec).write()
    if cases:
        SimulatedCases(services.ledger, plan_spec.year, count=cases).write()
    if raters:
        SimulatedRatings(services.ledger, plan_spec, people=raters).write()
    services.caught_up()
    return app


def simulated_site(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    plan_spec: PlanSpec,
    cases: int = 0,
    raters: int = 0,
) -> Iterator[Flask]:
    """For a module-scoped fixture parametrized by BACKENDS: a site with a simulated year."""
    folder = tmp_path_factory.mktemp("simulated")
    app = make_app(new_database(request.param, request, folder), folder)
    yield load_simulated(app, plan_spec, cases=cases, raters=raters)
    app.extensions["minsheng"].close()


@pytest.fixture
def client(loaded_app: Flask) -> FlaskClient:
    return loaded_app.test_client()
