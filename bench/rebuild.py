"""Projection rebuild: events/s vs reading and decoding the same notifications, same run.

python -m bench.rebuild [--years 60] [--postgres]
Registers the real plan for N synthetic years (71 events each), then times
(a) reading + decoding every notification (the floor any projection pays) and
(b) `flask projections rebuild` of the catalog (batches of 500 events per transaction).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from application.plan_file import load_plan_file
from bench.common import ROOT, machine, save
from minsheng_site.services import Services
from tests.plans import plan_for_year


def read_and_decode(services: Services) -> int:
    recorder, mapper = services.ledger.recorder, services.ledger.mapper
    position, count = 0, 0
    while notes := recorder.select_notifications(position, 500, inclusive_of_start=False):
        for note in notes:
            mapper.to_domain_event(note)
        count += len(notes)
        position = notes[-1].id
    return count


def measure(url: str, years: int) -> dict[str, float]:
    services = Services.open(url)
    spec = load_plan_file(ROOT / "plans" / "2023" / "plan.yaml")
    for year in range(2023, 2023 + years):
        services.ledger.register_plan(plan_for_year(spec, year), "bench")
    events = services.ledger.recorder.max_notification_id() or 0

    start = time.perf_counter()
    assert read_and_decode(services) == events
    read_seconds = time.perf_counter() - start

    start = time.perf_counter()
    assert services.projector.rebuild() == events
    rebuild_seconds = time.perf_counter() - start
    services.close()
    return {
        "events": events,
        "read_decode_per_s": events / read_seconds,
        "rebuild_per_s": events / rebuild_seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--years", type=int, default=60)
    parser.add_argument("--postgres", action="store_true", help="also on a throwaway PostgreSQL")
    args = parser.parse_args()
    results = {}
    folder = Path(tempfile.mkdtemp(prefix="minsheng-rebuild-"))
    results["SQLite"] = measure(f"sqlite:///{folder / 'bench.sqlite3'}", args.years)
    if args.postgres:
        from tests.postgres import Cluster

        cluster = Cluster()
        cluster.start()
        try:
            results["PostgreSQL"] = measure(cluster.create_database("bench"), args.years)
        finally:
            cluster.stop()

    print(f"machine: {machine()}")
    print(f"{args.years} plans x 71 events; catalog projection, 500 events per transaction\n")
    print(f"{'store':12} {'events':>7} {'read+decode/s':>14} {'rebuild/s':>10} {'ratio':>6}")
    for store, r in results.items():
        ratio = r["rebuild_per_s"] / r["read_decode_per_s"]
        read, rebuilt = r["read_decode_per_s"], r["rebuild_per_s"]
        print(f"{store:12} {r['events']:7.0f} {read:14.0f} {rebuilt:10.0f} {ratio:6.3f}")
    save("rebuild", {"machine": machine(), "years": args.years, "results": results})


if __name__ == "__main__":
    main()
