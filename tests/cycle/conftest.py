"""Proposal tests: a development site with the 2023 plan (its categories), both stores."""

from __future__ import annotations

import pytest
from flask import Flask

from minsheng_site.services import Services
from tests.clock import Clock
from tests.conftest import AppFactory


@pytest.fixture
def wuxi() -> Clock:
    """The site's clock, in Wuxi wall-clock time: 1 September 2023, the 2024 cycle's start."""
    return Clock("2023-09-01T09:00")


@pytest.fixture
def app(app_factory: AppFactory, wuxi: Clock) -> Flask:
    return app_factory(clock=wuxi, plan=True, DEV_OUTBOX=True)


@pytest.fixture
def site(app: Flask) -> Services:
    services: Services = app.extensions["minsheng"]
    return services
