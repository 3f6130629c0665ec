"""What-changed benchmark: /changes at 1x and 10x the simulated year, against a full scan.

python -m bench.changes [--scale 1,10] [--rounds 30] [--instance DIR]
For each scale, a fresh SQLite instance with the plan and the simulated year with its
ratings (cases and raters multiplied; --instance: one loaded before, e.g. by bench.pages
--scale 10, caught up here), then, in-process with the page cache off and the process's
memo emptied before every round (so nothing is reused: what the first reader after a
change pays), p50/p99 of:
- /changes for a week and for a quarter of the simulated year, and the week's Atom feed;
- the baseline, in the same run on the same store: what the page would cost read the
  naive way, every public-log entry in log order filtered by recorded day and kind in
  Python (the recomputation a reader makes from /api/v1/log; it grows with the log).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from datetime import date

from bench.common import loaded_instance, machine, save

WEEK = ("2023-06-05", "2023-06-11")
QUARTER = ("2023-04-01", "2023-06-30")
ANSWERS = {
    "/changes, a week": f"/changes?from={WEEK[0]}&to={WEEK[1]}",
    "/changes, a quarter (92 days: the most)": f"/changes?from={QUARTER[0]}&to={QUARTER[1]}",
    "/feeds/changes.atom, a week": f"/feeds/changes.atom?from={WEEK[0]}&to={WEEK[1]}",
}


def _times(run: Callable[[], object], rounds: int) -> tuple[float, float]:
    run()  # warm: first-use caches (translations, compiled templates) are not the cost
    taken = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        taken.append((time.perf_counter() - start) * 1000)
    taken.sort()
    return statistics.median(taken), taken[min(len(taken) - 1, int(len(taken) * 0.99))]


def measure(scale: int, rounds: int, instance: str | None) -> dict[str, object]:
    from domain.wuxi import business_date
    from minsheng_site import create_app
    from projections.changes.changes_queries import KINDS

    if instance:  # loaded before; its read models are caught up (rebuilt if older) below
        env = {"INSTANCE_PATH": instance, "SECRET_KEY": "bench", "PROJECTOR_THREAD": "0"}
    else:
        env = loaded_instance(f"changes-x{scale}", ratings=True, scale=scale)
    env["PAGE_CACHE_URL"] = "off"
    os.environ.update(env)
    app = create_app()
    services = app.extensions["minsheng"]
    started = time.perf_counter()
    services.caught_up()
    print(f"\n{scale}x: read models caught up in {time.perf_counter() - started:.0f} s")
    client = app.test_client()
    with services.read() as c:
        entries = c.exec_driver_sql("SELECT count(*) FROM public_log").scalar()
        events = c.exec_driver_sql("SELECT max(position) FROM projection_positions").scalar()

    def built(path: str) -> Callable[[], object]:
        def run() -> object:
            services._memo.clear()  # nothing kept from an earlier round
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            return response.data

        return run

    first, last = (date.fromisoformat(d) for d in WEEK)

    def full_scan() -> int:
        with services.read() as c:
            rows = c.exec_driver_sql(
                "SELECT kind, recorded_at, payload FROM public_log ORDER BY seq"
            ).all()
        kinds = set(KINDS)
        return sum(
            1
            for kind, recorded, _payload in rows
            if kind in kinds and first <= business_date(_instant(recorded)) <= last
        )

    print(f"{scale}x: {events} events, {entries} public-log entries")
    rows = []
    for label, path in ANSWERS.items():
        p50, p99 = _times(built(path), rounds)
        size = len(client.get(path).data)
        rows.append({"answer": label, "path": path, "bytes": size, "p50": p50, "p99": p99})
    found = full_scan()
    p50, p99 = _times(full_scan, max(3, rounds // 10))
    rows.append(
        {"answer": f"baseline: full log scan for the week ({found} entries)", "path": "",
         "bytes": 0, "p50": p50, "p99": p99}
    )  # fmt: skip
    for row in rows:
        print(f"  {row['answer']:<60} p50 {row['p50']:8.1f} ms  p99 {row['p99']:8.1f} ms")
    services.close()
    return {"scale": scale, "events": events, "entries": entries, "rows": rows}


def _instant(value: object) -> object:
    """recorded_at as SQLite stores it (text), as an aware instant."""
    from datetime import UTC, datetime

    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="1,10")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--instance", help="for a single scale: a loaded instance folder")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    results = [measure(int(n), args.rounds, args.instance) for n in args.scale.split(",")]
    save("changes", {"machine": machine(), "results": results})


if __name__ == "__main__":
    main()
