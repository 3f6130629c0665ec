"""Rating tests: a development site (codes go to the outbox) on 10 August 2023, both stores."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.clock import Clock
from tests.conftest import AppFactory


@pytest.fixture
def app(app_factory: AppFactory) -> Flask:
    return app_factory(clock=Clock("2023-08-10T10:00"), plan=True, DEV_OUTBOX=True)
