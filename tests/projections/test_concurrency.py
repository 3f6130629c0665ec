"""Several projectors at once — threads and processes — and a projector killed mid-batch.

Exactly once: the category counters are incremented once per event, so any
event applied twice would show as more than 60 items or 118 projects a year.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from domain.plan_spec import PlanSpec
from minsheng_site.services import Services
from projections.plans.catalog import CatalogItem
from projections.publiclog import store_chain
from projections.publiclog.store_verify import verify_store_chain
from tests.projections.helpers import category_totals, dump
from tests.synthetic_plans import plan_for_year

ROOT = Path(__file__).resolve().parents[2]
YEARS = range(2024, 2032)


def register_years(services: Services, plan_spec: PlanSpec) -> None:
    for year in YEARS:
        services.ledger.register_plan(plan_for_year(plan_spec, year), "writer")


def assert_store_chain_is_whole(services: Services) -> None:
    """Every stored record chained exactly once, in order: the chain the projectors wrote
    in their racing batches is the one recomputed from the store."""
    recorder = services.ledger.recorder
    records = recorder.select_notifications(0, 100_000, inclusive_of_start=False)
    with services.read() as c:
        verdict = verify_store_chain(records, store_chain.page(c, 0, 100_000))
        head = store_chain.head(c)
    assert verdict.ok and verdict.pending == 0, verdict.problems[:3]
    assert head == (len(records), verdict.head) and len(records) == recorder.max_notification_id()


def expected_totals() -> dict[int, tuple[int, int]]:
    return {year: (60, 118) for year in YEARS}


@pytest.mark.slow
def test_four_projector_threads_racing_a_writer_apply_each_event_once(
    database_url: str, plan_spec: PlanSpec
) -> None:
    writer = Services.open(database_url)
    projectors = [Services.open(database_url) for _ in range(4)]
    for p in projectors:
        p.projector.batch_size = 13  # many small transactions: many chances to collide
    errors: list[BaseException] = []
    done = threading.Event()

    def project(services: Services) -> None:
        try:
            while not done.is_set():
                services.caught_up()
            services.caught_up()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=project, args=(p,)) for p in projectors]
    for t in threads:
        t.start()
    register_years(writer, plan_spec)
    done.set()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert category_totals(writer.engine) == expected_totals()
    assert writer.projector.positions()["catalog"] == writer.ledger.recorder.max_notification_id()
    assert_store_chain_is_whole(writer)
    for s in [writer, *projectors]:
        s.close()


@pytest.mark.slow
def test_three_projector_processes_apply_each_event_once(
    database_url: str, plan_spec: PlanSpec
) -> None:
    writer = Services.open(database_url)
    register_years(writer, plan_spec)
    head = writer.ledger.recorder.max_notification_id()
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.projections.worker",
                database_url,
                "--batch",
                "9",
                "--until-position",
                str(head),
            ],
            cwd=ROOT,
        )
        for _ in range(3)
    ]
    assert [w.wait(timeout=120) for w in workers] == [0, 0, 0]
    assert category_totals(writer.engine) == expected_totals()
    with writer.read() as c:
        assert c.execute(select(func.count()).select_from(CatalogItem)).scalar_one() == 60 * len(
            YEARS
        )
    writer.close()


@pytest.mark.slow
def test_a_projector_killed_mid_stream_leaves_consistent_rows_and_the_next_one_resumes(
    database_url: str, plan_spec: PlanSpec
) -> None:
    writer = Services.open(database_url)
    register_years(writer, plan_spec)
    head = writer.ledger.recorder.max_notification_id() or 0
    victim = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.projections.worker",
            database_url,
            "--batch",
            "5",
            "--delay",
            "0.01",
            "--until-position",
            str(head),
        ],
        cwd=ROOT,
    )
    position = _wait_for_position(writer, lambda p: p >= 40, victim)
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(timeout=10)
    position = writer.projector.positions()["catalog"]
    assert 0 < position < head, "the kill must land mid-stream"
    with writer.read() as c:
        newest = c.execute(select(func.max(CatalogItem.event_id))).scalar_one()
        items = c.execute(select(func.count()).select_from(CatalogItem)).scalar_one()
    assert newest <= position  # nothing past the committed position survived
    assert items == sum(
        1
        for n in writer.ledger.recorder.select_notifications(1, 10_000, stop=position)
        if n.topic.endswith("Item.Registered")
    )

    assert writer.projector.catch_up(["catalog"]) == head - position - _non_catalog_events(
        writer, position, head
    )
    assert category_totals(writer.engine) == expected_totals()
    resumed = dump(writer.engine)
    writer.projector.rebuild()
    assert dump(writer.engine) == resumed
    writer.close()


def _wait_for_position(services: Services, ready, process: subprocess.Popen) -> int:  # type: ignore[no-untyped-def, type-arg]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        position = services.projector.positions().get("catalog", 0)
        if ready(position):
            return position
        assert process.poll() is None, "the worker finished before it could be killed"
        time.sleep(0.01)
    raise AssertionError("the worker made no progress")


def _non_catalog_events(services: Services, start: int, stop: int) -> int:
    # Every event in the log today is a catalog event; kept explicit for when others exist.
    topics = set(services.projector.projections["catalog"].topics())
    notes = services.ledger.recorder.select_notifications(
        start, 10_000, stop=stop, inclusive_of_start=False
    )
    return sum(1 for n in notes if n.topic not in topics)


def test_projections_moved_together_are_locked_in_one_order_in_every_process(
    database_url: str,
) -> None:
    """Read models with nothing in a batch move in one transaction; two processes moving
    overlapping sets must lock their position rows in the same order, or PostgreSQL
    finds a deadlock (seen under the Procfile soak when the sets came in different
    orders). Whatever order they are handed over in, they are moved by name."""
    from sqlalchemy import event

    services = Services.open(database_url)
    names = list(services.projector.projections)
    moved: list[str] = []

    def record(
        conn: object, clauseelement: Any, multiparams: Any, params: Any, execution_options: object
    ) -> None:
        table = getattr(clauseelement, "table", None)
        if table is not None and table.name == "projection_positions":
            given = multiparams[0] if multiparams else params
            moved.append(given["b_name"])

    event.listen(services.engine, "before_execute", record)
    try:
        services.projector._apply_together({}, {name: 0 for name in reversed(names)}, 0, {})
    finally:
        event.remove(services.engine, "before_execute", record)
        services.close()
    assert moved == sorted(names)
