"""Rating tests: a development site (codes go to the outbox) on 10 August 2023, both stores."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from domain.plan_spec import PlanSpec
from minsheng_site.services import Services
from tests.clock import Clock
from tests.conftest import make_app


def make_app_with_outbox(database_url: str, folder: Path) -> Flask:
    return make_app(database_url, folder, DEV_OUTBOX=True)


@pytest.fixture
def app(database_url: str, tmp_path: Path, plan_spec: PlanSpec) -> Iterator[Flask]:
    created = make_app_with_outbox(database_url, tmp_path)
    services: Services = created.extensions["minsheng"]
    services.ledger.clock = Clock("2023-08-10T10:00")  # type: ignore[method-assign]
    services.ledger.register_plan(plan_spec, "test")
    services.caught_up()
    yield created
    services.close()
