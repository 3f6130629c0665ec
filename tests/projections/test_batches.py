"""Read models that hold a transaction's rows and write them together give the same rows
however the log is cut into transactions.

A batch holds rows in memory (cases, steps, the public log's entries and context, the
satisfaction tallies) and reads what it has not seen from the tables. Rebuilt over a
simulated year (reports, supervision, cases, ratings, on both stores) in transactions
of 500 events and of 7 (so a case's or a ballot's events fall into different
transactions, and what one wrote the next reads back), every table is the same; and
the public log's hashes are the ones `log verify` derives on its own.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select

from minsheng_site.services import Services
from tests.conftest import simulated_site

pytestmark = pytest.mark.slow
HOLDING = ("cases", "public_log", "satisfaction")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    yield from simulated_site(request, tmp_path_factory, cases=80, raters=150)


def _tables(services: Services) -> dict[str, list[tuple[object, ...]]]:
    found = {}
    with services.read() as c:
        for name in HOLDING:
            for table in services.projector.projections[name].table_objects():
                rows = c.execute(select(table)).all()
                found[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return found


def test_a_rebuild_in_small_transactions_gives_the_same_rows(site: Flask) -> None:
    services: Services = site.extensions["minsheng"]
    projector = services.projector
    assert set(HOLDING) <= set(projector.projections)
    projector.rebuild(HOLDING)
    whole = _tables(services)
    assert len(whole["cases"]) == 80 and len(whole["case_steps"]) > 80
    assert len(whole["public_log"]) > 1000 and len(whole["ballots"]) > 150

    projector.batch_size = 7
    try:
        projector.rebuild(HOLDING)
    finally:
        projector.batch_size = 500
    assert _tables(services) == whole
    assert projector.stuck() == {}

    result = site.test_cli_runner().invoke(args=["log", "verify"])
    assert result.exit_code == 0, result.output
