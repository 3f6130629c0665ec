"""Page benchmark: dynamic pages vs the same bytes as a static file, same gunicorn, same run.

python -m bench.pages [--seconds 5]
Prints requests/s and p99 for each page and its static copy, and the ratio.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import urllib.request
from pathlib import Path

from application.simulated_cases import SimulatedCases
from application.simulation import SimulatedYear
from bench.common import ROOT, Gunicorn, machine, save, wrk
from minsheng_site import create_app

PAGES = {
    "item page (/plans/2023/items/8)": "/plans/2023/items/8",
    "project + timeline (/projects/9.1)": "/plans/2023/projects/9.1",
    "dashboard (/plans/2023/progress)": "/plans/2023/progress",
    "case board (/cases/, 1,700 cases)": "/cases/",
    "case statistics (/cases/stats)": "/cases/stats",
    "project index (/plans/2023/projects/)": "/plans/2023/projects/",
}
STATIC = ROOT / "static" / "bench"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=5)
    args = parser.parse_args()
    instance = Path(tempfile.mkdtemp(prefix="minsheng-bench-"))
    env = {"INSTANCE_PATH": str(instance), "SECRET_KEY": "bench", "PROJECTOR_THREAD": "0"}
    os.environ.update(env)  # configuration comes from the environment, here as under gunicorn
    app = create_app()
    with app.app_context():
        from application.plan_file import load_plan_file

        services = app.extensions["minsheng"]
        plan = load_plan_file(ROOT / "plans/2023/plan.yaml")
        services.ledger.register_plan(plan, "bench")
        SimulatedYear(services.ledger, plan).write()  # the pages as make run shows them
        SimulatedCases(services.ledger, plan.year).write()
        services.caught_up()
        services.close()

    server = Gunicorn(env)
    rows = []
    try:
        STATIC.mkdir(parents=True, exist_ok=True)
        for label, path in PAGES.items():
            html = urllib.request.urlopen(server.url + path).read()
            copy = STATIC / (path.strip("/").replace("/", "_") + ".html")
            copy.write_bytes(html)
            static_url = f"{server.url}/static/bench/{copy.name}"
            assert urllib.request.urlopen(static_url).read() == html
            wrk(server.url + path, seconds=1)  # warm up
            dynamic = wrk(server.url + path, args.seconds)
            static = wrk(static_url, args.seconds)
            rows.append((label, len(html), dynamic, static))
    finally:
        server.stop()

    print(f"machine: {machine()}")
    load = f"wrk -t1 -c16 -d{args.seconds}s"
    print(f"gunicorn 2 sync workers, {load}, SQLite, the plan and the simulated year\n")
    head = f"{'page':40} {'bytes':>7} {'req/s':>8} {'p99 ms':>8}"
    print(f"{head} | {'static req/s':>12} {'p99 ms':>8} | ratio")
    for label, size, d, s in rows:
        ratio = d.requests_per_second / s.requests_per_second
        print(
            f"{label:40} {size:7d} {d.requests_per_second:8.0f} {d.p99_ms:8.1f} | "
            f"{s.requests_per_second:12.0f} {s.p99_ms:8.1f} | {ratio:.2f}"
        )
        if d.errors or s.errors:
            print(f"  errors: dynamic {d.errors}, static {s.errors}")
    save(
        "pages",
        {
            "machine": machine(),
            "rows": [
                {"page": label, "bytes": size, "dynamic": d.__dict__, "static": s.__dict__}
                for label, size, d, s in rows
            ],
        },
    )


if __name__ == "__main__":
    main()
