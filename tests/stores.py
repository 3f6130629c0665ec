"""Stores written once per test session and copied for each module or test that needs them.

Writing the simulated year through the real commands takes long; copying what was written
takes milliseconds. A recipe's store is written once (on top of a copy of its base recipe's
store), closed, and kept as a template: on SQLite its files, on PostgreSQL a database that
`CREATE DATABASE … TEMPLATE` copies. Every copy is a database and an instance folder of its
own (the key store and the personal-data pepper go with it), so what one test writes no
other test sees.

SQLite templates are shared by the xdist workers of a run: the first to need one writes it
while the others wait on a file lock. Each worker has a PostgreSQL cluster of its own, so it
writes its own PostgreSQL templates (once each).
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask

from application.store import store_settings
from domain.plan_spec import PlanSpec
from minsheng_site import create_app
from tests.postgres import Cluster

TEMPLATE_DB = "template.sqlite3"  # a SQLite template's event store and read models
SQLITE_SUFFIXES = ("", "-wal")  # a closed store has no -wal; copied if a reader left one


@dataclass(frozen=True)
class Recipe:
    """What is written into a store, on top of a copy of `base` (None: an empty store)."""

    name: str
    base: Recipe | None
    write: Callable[[Flask, PlanSpec], None]


def register(app: Flask, spec: PlanSpec) -> None:
    app.extensions["minsheng"].ledger.register_plan(spec, "test")


def simulate_year(app: Flask, spec: PlanSpec) -> None:
    from application.simulation import SimulatedYear

    SimulatedYear(app.extensions["minsheng"].ledger, spec).write()


PLAN = Recipe("plan", None, register)
YEAR = Recipe("year", PLAN, simulate_year)


def year_with(cases: int = 0, raters: int = 0) -> Recipe:
    """The simulated year with `cases` simulated cases and `raters` simulated people's ratings
    (smaller than make run's), written in the same order as `flask simulation load`."""
    if not cases and not raters:
        return YEAR

    def write(app: Flask, spec: PlanSpec) -> None:
        from application.simulated_cases import SimulatedCases
        from application.simulated_ratings import SimulatedRatings

        ledger = app.extensions["minsheng"].ledger
        if cases:
            SimulatedCases(ledger, spec.year, count=cases).write()
        if raters:
            SimulatedRatings(ledger, spec, people=raters).write()

    return Recipe(f"year-c{cases}-r{raters}", YEAR, write)


def cycle_with(cases: int) -> Recipe:
    """`year_with(cases)` and what `flask simulation load` writes after it: the simulated
    amendments of 2023's plan and the simulated 2024 cycle (proposals, conversions,
    candidates, the vote, the labelled simulated 2024 plan)."""

    def write(app: Flask, spec: PlanSpec) -> None:
        from application.plan_file import load_plan_file
        from application.simulated_amendments import write_simulated_amendments
        from application.simulated_cycle import write_simulated_cycle
        from minsheng_site.config import ROOT

        ledger = app.extensions["minsheng"].ledger
        write_simulated_amendments(ledger, year=spec.year)
        following = load_plan_file(ROOT / "plans" / str(spec.year + 1) / "plan.yaml")
        write_simulated_cycle(ledger, spec.year + 1, following, 7)

    return Recipe(f"cycle-c{cases}", year_with(cases), write)


class Templates:
    """The session's templates; `restore` and `copy` make a store from one."""

    def __init__(self, shared: Path, own: Path, spec: PlanSpec) -> None:
        self.shared = shared  # SQLite templates: one folder for every worker of the run
        self.own = own  # this worker's PostgreSQL templates' instance folders
        self.spec = spec
        self.postgres: set[str] = set()  # PostgreSQL templates this worker has written

    def copy(
        self, recipe: Recipe, backend: str, request: pytest.FixtureRequest, folder: Path
    ) -> str:
        """A new store (database and instance files in `folder`) holding what `recipe` wrote."""
        if backend == "sqlite":
            url = f"sqlite:///{folder / 'minsheng.sqlite3'}"
        else:
            url = _cluster(request).url(f"t_{os.urandom(6).hex()}")
        self.restore(recipe, backend, request, url, folder, fresh=True)
        return url

    def restore(
        self,
        recipe: Recipe,
        backend: str,
        request: pytest.FixtureRequest,
        database_url: str,
        folder: Path,
        fresh: bool = False,
    ) -> None:
        """Make the store at `database_url` (empty, unopened, or `fresh`: not there yet) and
        the instance files in `folder` a copy of what `recipe` wrote."""
        folder.mkdir(parents=True, exist_ok=True)
        if backend == "sqlite":
            template = self._sqlite(recipe, request)
            path = Path(database_url.split(":///", 1)[1])
            for suffix in SQLITE_SUFFIXES:
                if (template / f"{TEMPLATE_DB}{suffix}").exists():
                    shutil.copy2(template / f"{TEMPLATE_DB}{suffix}", f"{path}{suffix}")
        else:
            template = self._postgres(recipe, request)
            name = store_settings(database_url).event_store_env["POSTGRES_DBNAME"]
            _cluster(request).clone_database(_postgres_name(recipe), name, replace=not fresh)
        _copy_instance_files(template, folder)

    def _sqlite(self, recipe: Recipe, request: pytest.FixtureRequest) -> Path:
        template = self.shared / f"sqlite-{recipe.name}"
        with _locked(self.shared / f"sqlite-{recipe.name}.lock"):
            if not (template / "ready").exists():
                shutil.rmtree(template, ignore_errors=True)  # a writer that died half-way
                url = f"sqlite:///{template / TEMPLATE_DB}"
                self._write(recipe, "sqlite", request, url, template)
                (template / "ready").touch()
        return template

    def _postgres(self, recipe: Recipe, request: pytest.FixtureRequest) -> Path:
        template = self.own / f"postgresql-{recipe.name}"
        if recipe.name not in self.postgres:
            url = _cluster(request).url(_postgres_name(recipe))
            self._write(recipe, "postgresql", request, url, template)
            self.postgres.add(recipe.name)
        return template

    def _write(
        self, recipe: Recipe, backend: str, request: pytest.FixtureRequest, url: str, folder: Path
    ) -> None:
        if recipe.base is None:
            folder.mkdir(parents=True)
            if backend == "postgresql":
                _cluster(request).create_database(_postgres_name(recipe))
        else:
            self.restore(recipe.base, backend, request, url, folder, fresh=True)
        app = create_app(
            {"DATABASE_URL": url, "INSTANCE_PATH": str(folder), "SECRET_KEY": "template"}
        )
        services = app.extensions["minsheng"]
        try:
            recipe.write(app, self.spec)
            services.caught_up()
        finally:
            services.close()  # no connection left: a template database must have none


def _cluster(request: pytest.FixtureRequest) -> Cluster:
    return request.getfixturevalue("pg_cluster")  # type: ignore[no-any-return]


def _postgres_name(recipe: Recipe) -> str:
    return "tpl_" + recipe.name.replace("-", "_")


def _copy_instance_files(template: Path, folder: Path) -> None:
    """The key store (and its WAL, if any) and the secrets kept in the instance folder."""
    for path in template.iterdir():
        if path.is_file() and not path.name.startswith(TEMPLATE_DB) and path.name != "ready":
            shutil.copy2(path, folder / path.name)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file is closed
        yield


def shared_folder(factory: pytest.TempPathFactory) -> Path:
    """A folder every xdist worker of this run sees (each worker has its own base temp)."""
    base = factory.getbasetemp()
    return (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "store-templates"
