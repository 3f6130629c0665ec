"""Projection rebuilds and the cost of a write, measured in one run.

python -m bench.rebuild [--years 60] [--writes 300] [--postgres]
python -m bench.rebuild --mix [--postgres]   (the plan and simulated year, every read model)
python -m bench.rebuild --mix --instance DIR (a copy of an instance's store, e.g. a 10x one)
Registers the real plan for N synthetic years (71 events each), then times
(a) reading + decoding every notification (the floor any event projection pays),
(b) reading them raw (the floor of the store chain, which never decodes),
(c) the rebuild of the catalog, of the public log and of the store chain, one at
a time (batches of 500 events per transaction), and
(d) single-event writes (a staff account opened), each followed by the
read-your-writes catch-up of every read model: its one transaction and each
read model's share within it timed.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from application.plan_file import load_plan_file
from bench.common import ROOT, machine, save
from minsheng_site.services import Services
from tests.synthetic_plans import plan_for_year

REBUILT = ("catalog", "public_log", "store_chain")


def read_all(services: Services, decode: bool) -> int:
    recorder, mapper = services.ledger.recorder, services.ledger.mapper
    position, count = 0, 0
    while notes := recorder.select_notifications(position, 500, inclusive_of_start=False):
        if decode:
            for note in notes:
                mapper.to_domain_event(note)
        count += len(notes)
        position = notes[-1].id
    return count


def per_second(events: int, action: Any) -> float:
    start = time.perf_counter()
    action()
    return events / (time.perf_counter() - start)


def writes(services: Services, count: int) -> dict[str, float]:
    """`count` one-event saves, each caught up at once as a request does after a write:
    the one transaction in which every read model behind applies its share and moves,
    and each read model's share within it (the store chain's apart from the others')."""
    projector = services.projector
    shares: dict[str, list[float]] = {name: [] for name in projector.projections}
    rounds: list[float] = []
    share, together = projector._apply_share, projector._apply_together

    def timed_share(projection: Any, *args: Any) -> None:
        start = time.perf_counter()
        try:
            share(projection, *args)
        finally:
            shares[projection.name].append(time.perf_counter() - start)

    def timed_together(*args: Any) -> tuple[int, dict[str, int]]:
        start = time.perf_counter()
        try:
            return together(*args)
        finally:
            rounds.append(time.perf_counter() - start)

    projector._apply_share = timed_share  # type: ignore[method-assign]
    projector._apply_together = timed_together  # type: ignore[method-assign]
    saves, catch_ups = [], []
    for n in range(count):
        start = time.perf_counter()
        services.ledger.open_account(f"bench.{n}", "压测", "bench")
        saved = time.perf_counter()
        services.caught_up()
        saves.append(saved - start)
        catch_ups.append(time.perf_counter() - saved)
    projector._apply_share, projector._apply_together = share, together  # type: ignore[method-assign]
    others = [statistics.fmean(v) for name, v in shares.items() if name != "store_chain" and v]
    chain = shares["store_chain"]
    return {
        "save_ms": statistics.fmean(saves) * 1000,
        "catch_up_ms": statistics.fmean(catch_ups) * 1000,
        "transaction_ms": statistics.fmean(rounds) * 1000 if rounds else 0.0,
        "store_chain_step_ms": statistics.fmean(chain) * 1000 if chain else 0.0,
        "other_step_ms": statistics.fmean(others) * 1000 if others else 0.0,
        "other_step_max_ms": max(others) * 1000 if others else 0.0,
    }


def mix(services: Services, write: bool = True) -> dict[str, float]:
    """The realistic mix: the 2023 plan and the simulated year (reports, supervision,
    cases, ratings), written here unless the store holds it already; every read model
    rebuilt alone, then all together."""
    from application.simulated_cases import SimulatedCases
    from application.simulated_ratings import SimulatedRatings
    from application.simulation import SimulatedYear

    if write:
        spec = load_plan_file(ROOT / "plans" / "2023" / "plan.yaml")
        services.ledger.register_plan(spec, "bench")
        SimulatedYear(services.ledger, spec).write()
        SimulatedCases(services.ledger, spec.year).write()
        SimulatedRatings(services.ledger, spec).write()
    services.caught_up()
    events = services.ledger.recorder.max_notification_id() or 0
    result = {
        "events": events,
        "read_decode_per_s": per_second(events, lambda: read_all(services, decode=True)),
    }
    for name in services.projector.projections:
        result[f"rebuild_{name}_per_s"] = per_second(
            events, lambda name=name: services.projector.rebuild([name])
        )
    result["rebuild_all_per_s"] = per_second(events, services.projector.rebuild)
    return result


def measure(url: str, years: int, count: int) -> dict[str, Any]:
    services = Services.open(url)
    spec = load_plan_file(ROOT / "plans" / "2023" / "plan.yaml")
    for year in range(2023, 2023 + years):
        services.ledger.register_plan(plan_for_year(spec, year), "bench")
    events = services.ledger.recorder.max_notification_id() or 0
    result: dict[str, Any] = {
        "events": events,
        "read_decode_per_s": per_second(events, lambda: read_all(services, decode=True)),
        "read_raw_per_s": per_second(events, lambda: read_all(services, decode=False)),
    }
    for name in REBUILT:
        result[f"rebuild_{name}_per_s"] = per_second(
            events, lambda name=name: services.projector.rebuild([name])
        )
    result["writes"] = writes(services, count)
    services.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--years", type=int, default=60)
    parser.add_argument("--writes", type=int, default=300)
    parser.add_argument("--postgres", action="store_true", help="also on a throwaway PostgreSQL")
    parser.add_argument(
        "--mix", action="store_true", help="the plan and simulated year, every read model"
    )
    parser.add_argument(
        "--instance",
        type=Path,
        help="with --mix: rebuild a copy of this instance's SQLite store (e.g. the 10x one"
        " bench.pages --scale 10 leaves in /tmp) instead of writing the simulated year",
    )
    args = parser.parse_args()
    if args.mix:
        main_mix(args.postgres, args.instance)
        return
    results = {}
    folder = Path(tempfile.mkdtemp(prefix="minsheng-rebuild-"))
    results["SQLite"] = measure(f"sqlite:///{folder / 'bench.sqlite3'}", args.years, args.writes)
    if args.postgres:
        from tests.postgres import Cluster

        cluster = Cluster()
        cluster.start()
        try:
            database = cluster.create_database("bench")
            results["PostgreSQL"] = measure(database, args.years, args.writes)
        finally:
            cluster.stop()

    print(f"machine: {machine()}")
    print(f"{args.years} plans x 71 events; rebuilds of 500 events per transaction\n")
    print(
        f"{'store':12} {'events':>7} {'decode/s':>9} {'raw/s':>9} "
        + " ".join(f"{name + '/s':>14}" for name in REBUILT)
    )
    for store, r in results.items():
        rebuilt = " ".join(f"{r[f'rebuild_{name}_per_s']:14.0f}" for name in REBUILT)
        print(
            f"{store:12} {r['events']:7.0f} {r['read_decode_per_s']:9.0f}"
            f" {r['read_raw_per_s']:9.0f} {rebuilt}"
        )
    print(f"\n{args.writes} one-event writes, each caught up at once (mean ms)")
    print(
        f"{'store':12} {'save':>6} {'catch-up':>9} {'transaction':>12} {'chain share':>12}"
        f" {'other shares':>13} {'slowest other':>14}"
    )
    for store, r in results.items():
        w = r["writes"]
        print(
            f"{store:12} {w['save_ms']:6.2f} {w['catch_up_ms']:9.2f} {w['transaction_ms']:12.2f}"
            f" {w['store_chain_step_ms']:12.2f} {w['other_step_ms']:13.2f}"
            f" {w['other_step_max_ms']:14.2f}"
        )
    save("rebuild", {"machine": machine(), "years": args.years, "results": results})


def main_mix(postgres: bool, instance: Path | None) -> None:
    results = {}
    folder = Path(tempfile.mkdtemp(prefix="minsheng-rebuild-mix-"))
    if instance is not None:
        for name in ("minsheng.sqlite3", "keys.sqlite3"):
            with sqlite3.connect(instance / name) as source, sqlite3.connect(folder / name) as to:
                source.backup(to)  # a consistent copy, WAL and all
        services = Services.open(
            f"sqlite:///{folder / 'minsheng.sqlite3'}",
            key_store_url=f"sqlite:///{folder / 'keys.sqlite3'}",
        )
        results["SQLite"] = mix(services, write=False)
        postgres = False
    else:
        services = Services.open(f"sqlite:///{folder / 'bench.sqlite3'}")
        results["SQLite"] = mix(services)
    services.close()
    if postgres:
        from tests.postgres import Cluster

        cluster = Cluster()
        cluster.start()
        try:
            services = Services.open(cluster.create_database("bench"))
            results["PostgreSQL"] = mix(services)
            services.close()
        finally:
            cluster.stop()
    print(f"machine: {machine()}")
    print("the plan and the simulated year; each read model rebuilt alone, then all\n")
    for store, r in results.items():
        decode = r["read_decode_per_s"]
        print(f"{store}: {r['events']:.0f} events, read+decode {decode:,.0f}/s")
        for key, value in r.items():
            if key.startswith("rebuild_"):
                name = key.removeprefix("rebuild_").removesuffix("_per_s")
                print(f"  {name:14} {value:10,.0f} events/s  ratio {value / decode:.3f}")
    save("rebuild-mix", {"machine": machine(), "results": results})


if __name__ == "__main__":
    main()
