"""Processes that start together on one new PostgreSQL database all come up.

The Procfile starts several web processes and the projections worker at once. Each opens the
store, and eventsourcing creates its tables and functions as it does (CREATE TABLE IF NOT
EXISTS, CREATE OR REPLACE FUNCTION), which PostgreSQL does not serialise: two processes doing
it at the same moment can fail with "tuple concurrently updated" and die at start.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from uuid import uuid4

import pytest

from tests.postgres import Cluster

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = 6
ROUNDS = 4

# Each process waits for the same instant, then builds its services from the composition root.
START = """
import sys, time
from minsheng_site.composition import Settings, compose
deadline = float(sys.argv[2])
time.sleep(max(0.0, deadline - time.time()))
compose(Settings(sys.argv[1], None, b"pepper")).close()
"""


@pytest.mark.slow
def test_processes_starting_together_on_a_new_postgresql_store_all_come_up(
    pg_cluster: Cluster,
) -> None:
    failures = []
    for _ in range(ROUNDS):
        url = pg_cluster.create_database(f"start_{uuid4().hex[:10]}")
        at = str(time.time() + 5)  # after every process has imported what it needs
        started = [
            subprocess.Popen(
                [sys.executable, "-c", START, url, at], cwd=ROOT, stderr=subprocess.PIPE, text=True
            )
            for _ in range(PROCESSES)
        ]
        for process in started:
            _, err = process.communicate(timeout=120)
            if process.returncode:
                failures.append(_error(err))
    assert failures == []


def _error(stderr: str) -> str:
    """The exception a process died of (its type and message), not SQLAlchemy's footer."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    said = [line for line in lines if not line.startswith((" ", "(Background", "["))]
    return said[-1] if said else "no output"
