"""The production topology, soaked: the Procfile's processes on PostgreSQL and Redis.

bench/soak.py's scenario, bounded: 8 clients for 40 s of citizens' cases, API
tickets (resent), ratings, monthly reports and page reads over real HTTP,
against the release step, one gunicorn master with 2 workers x 4 threads and
the projections worker, with kill -9 of the worker (restarted) and of one web
worker (respawned) midway. Then: accepted answers = events stored = rows
projected = public-log entries for every kind of write, nothing twice, no 5xx,
every receipt usable, /healthz 200.

PostgreSQL and redis-server are required: a missing one fails the test, unless
MINSHENG_TEST_POSTGRES=0 / MINSHENG_TEST_REDIS=0 leave them out explicitly.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import soak
from tests.postgres import Cluster

SECONDS, CLIENTS = 40, 8


@pytest.mark.slow
def test_the_procfile_topology_under_kill_9_loses_doubles_and_fails_nothing(
    pg_cluster: Cluster, redis_url: str, tmp_path: Path
) -> None:
    result = soak.run(
        SECONDS,
        CLIENTS,
        database_url=pg_cluster.create_database("soak"),
        keys_url=pg_cluster.create_database("soak_keys"),
        redis_url=redis_url,
        folder=tmp_path,
    )
    report = soak.table(result) + f"\nprocess logs: {tmp_path}"
    print(report)
    assert result.problems() == [], report
    # The soak did what it says: every kind of write, both kills, the deliberate resends.
    assert all(result.expected[kind] > 0 for kind in soak.WRITES), report
    assert result.chaos.web_killed_pid and result.chaos.worker_started_after is not None, report
    assert result.tally.retries_same_number > 0, report
    assert not [s for _kind, s, _path in result.tally.unexpected if s >= 500], report
