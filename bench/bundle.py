"""Open-data bundle benchmark: the SQLite bundle's build time at 1x and 10x the simulated year.

python -m bench.bundle [--scale 1,10] [--instance DIR]
For each scale, a fresh SQLite instance with the plan, the simulated year, its cases and
its ratings (cases and raters multiplied by the scale), then, in the same run:
- the bundle built from the site's public answers (bundle.write), as the first download
  after the log moved does it, and the datapackage.json with it;
- a GET /data/minsheng.sqlite of the kept file once it is built (what every later
  download costs until the log moves);
- the baseline: sqlite3's own backup API copying the built bundle (a file of the same size)
  to a new file, what it costs to write that many bytes as SQLite pages.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import tempfile
import time
from pathlib import Path

from bench.common import loaded_instance, machine, save


def _timed(run: object) -> float:
    start = time.perf_counter()
    run()  # type: ignore[operator]
    return time.perf_counter() - start


def measure(scale: int, instance: str | None = None) -> dict[str, object]:
    from minsheng_site import create_app
    from minsheng_site.opendata import bundle

    started = time.perf_counter()
    if instance:  # one this bench loaded before (at this scale)
        env = {"INSTANCE_PATH": instance, "SECRET_KEY": "bench", "PROJECTOR_THREAD": "0"}
        env["PAGE_CACHE_URL"] = "off"
    else:
        env = loaded_instance(f"bundle-x{scale}", {"PAGE_CACHE_URL": "off"}, True, scale)
    loaded = time.perf_counter() - started
    os.environ.update(env)
    app = create_app()
    services = app.extensions["minsheng"]
    services.caught_up()
    work = Path(tempfile.mkdtemp(prefix="minsheng-bench-bundle-"))
    target = work / "minsheng.sqlite"
    build = _timed(lambda: bundle.write(app, target))
    size = target.stat().st_size
    copy = work / "copy.sqlite"

    def backup() -> None:
        source, dest = sqlite3.connect(target), sqlite3.connect(copy)
        source.backup(dest)
        dest.close()
        source.close()

    baseline = min(_timed(backup) for _ in range(3))
    with app.app_context():
        bundle.build_now(app)  # what the first download starts in the background
    client = app.test_client()
    again = min(_timed(lambda: client.get("/data/minsheng.sqlite").close()) for _ in range(3))
    db = sqlite3.connect(target)
    counts = {
        table: db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    db.close()
    with services.read() as c:
        events = c.exec_driver_sql("SELECT max(position) FROM projection_positions").scalar()
    services.close()
    return {
        "scale": scale,
        "events": events,
        "load_seconds": round(loaded, 1),
        "build_seconds": round(build, 2),
        "bytes": size,
        "rows": counts,
        "backup_seconds": round(baseline, 3),
        "kept_get_seconds": round(again, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="1,10")
    parser.add_argument("--instance", help="an instance this bench loaded (one scale)")
    args = parser.parse_args()
    print(f"machine: {machine()}\n")
    print(
        f"{'scale':>5} {'events':>8} {'MB':>6} {'build s':>8} {'backup s':>9} {'ratio':>6}"
        f" {'kept GET s':>10}",
        flush=True,
    )
    results = []
    for scale in args.scale.split(","):
        r = measure(int(scale), args.instance)
        results.append(r)
        ratio = float(r["build_seconds"]) / max(float(r["backup_seconds"]), 1e-6)  # type: ignore[arg-type]
        print(
            f"{r['scale']:>4}x {r['events']:>8} {int(r['bytes']) / 1e6:6.1f}"  # type: ignore[call-overload]
            f" {r['build_seconds']:>8} {r['backup_seconds']:>9} {ratio:6.0f}"
            f" {r['kept_get_seconds']:>10}"
        )
        print(f"      rows: {r['rows']}; loaded in {r['load_seconds']} s", flush=True)
    save("bundle", {"machine": machine(), "results": results})


if __name__ == "__main__":
    main()
