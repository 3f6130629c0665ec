"""Page benchmark: dynamic pages vs the same bytes as a static file, same gunicorn, same run.

python -m bench.pages [--seconds 5]
Prints requests/s and p99 for each page and its static copy, and the ratio.
"""

from __future__ import annotations

import argparse

from bench.common import Gunicorn, against_static, loaded_instance, machine, print_against_static

PAGES = {
    "item page (/plans/2023/items/8)": "/plans/2023/items/8",
    "project + timeline (/projects/9.1)": "/plans/2023/projects/9.1",
    "dashboard (/plans/2023/progress)": "/plans/2023/progress",
    "case board (/cases/, 1,700 cases)": "/cases/",
    "case statistics (/cases/stats)": "/cases/stats",
    "project index (/plans/2023/projects/)": "/plans/2023/projects/",
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=5)
    args = parser.parse_args()
    server = Gunicorn(loaded_instance("pages"))
    try:
        rows = against_static(server, PAGES, args.seconds)
    finally:
        server.stop()
    print(f"machine: {machine()}")
    load = f"wrk -t1 -c16 -d{args.seconds}s"
    heading = f"gunicorn 2 sync workers, {load}, SQLite, the plan and the simulated year"
    print_against_static(rows, "pages", heading)


if __name__ == "__main__":
    main()
