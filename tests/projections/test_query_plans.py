"""What every page asks of the growing read models is looked up through an index.

The rating panel of each item and project page, the case board's first page and
the simulated-year banner of every page run here against a real SQLite store;
each statement they send is explained (EXPLAIN QUERY PLAN), and none may read a
growing table from end to end (unless in an index's order up to a LIMIT) or
sort or group it in a temporary B-tree. (The board's total is a count: SQLite
counts over the smallest covering index.)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Connection, event, text

from projections.cases import case_queries as cq
from projections.plans.progress_queries import simulated_present
from projections.ratings import rating_queries as rq
from tests.conftest import AppFactory

GROWING = ("ballots", "cases", "progress_reports")


@contextmanager
def statements(connection: Connection) -> Iterator[list[tuple[str, Any]]]:
    sent: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        sent.append((statement, parameters))

    event.listen(connection, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(connection, "before_cursor_execute", record)


def full_reads(connection: Connection, sent: list[tuple[str, Any]]) -> list[str]:
    found = []
    for statement, parameters in sent:
        plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
        for row in plan:
            detail = row[-1]
            # reading in an index's order up to a LIMIT stops early (the board's page)
            early = "USING INDEX" in detail and " LIMIT " in statement
            scans_growing = any(
                detail.startswith(f"SCAN {t}") and "COVERING INDEX" not in detail and not early
                for t in GROWING
            )
            if scans_growing or "TEMP B-TREE" in detail:
                found.append(f"{detail}  <-  {statement.split(chr(10))[0][:120]}")
    return found


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_pages_look_up_the_growing_read_models_by_index(app_factory: AppFactory) -> None:
    app = app_factory(plan=True)
    services = app.extensions["minsheng"]
    with services.engine.connect() as c:
        with statements(c) as sent:
            rq.subject_ratings(c, "project", 2023, "9.1")
            rq.subject_ratings(c, "item", 2023, "9")
            simulated_present(c)
            cq.board(c, cq.Filters(), date(2023, 7, 5))
        assert len(sent) >= 8
        found = full_reads(c, sent)
        assert found == [], "\n".join(found)
        # and the check itself sees a full read when there is one
        with statements(c) as unindexed:
            c.execute(text("SELECT * FROM cases ORDER BY category"))
        assert full_reads(c, unindexed)
