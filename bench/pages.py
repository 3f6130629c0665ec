"""Page benchmark: public pages vs the same bytes as a static file, same gunicorn, same run.

python -m bench.pages [--seconds 5] [--scale 10]
Each page is loaded under wrk twice: as readers get it (the page cache on: built once per
key, then replayed) and built for every request (PAGE_CACHE_URL=off: what the first
reader after each change pays). Prints requests/s and p99 of both, of the static copy,
and the ratios. --scale multiplies the simulated cases and raters of the same year.
"""

from __future__ import annotations

import argparse

from bench.common import Gunicorn, against_static, loaded_instance, machine, print_against_static

PAGES = {
    "item page (/plans/2023/items/8)": "/plans/2023/items/8",
    "project + timeline (/projects/9.1)": "/plans/2023/projects/9.1",
    "dashboard (/plans/2023/progress)": "/plans/2023/progress",
    "case board (/cases/)": "/cases/",
    "case statistics (/cases/stats)": "/cases/stats",
    "project index (/plans/2023/projects/)": "/plans/2023/projects/",
    "satisfaction (/plans/2023/satisfaction)": "/plans/2023/satisfaction",
    "home (/)": "/",
    "feed (/feeds/all.atom)": "/feeds/all.atom",
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--scale", type=int, default=1)
    args = parser.parse_args()
    env = loaded_instance("pages", ratings=True, scale=args.scale)
    load = f"wrk -t1 -c16 -d{args.seconds}s"
    year = f"the plan and {args.scale}x the simulated year's cases and raters"
    print(f"machine: {machine()}")
    for name, extra, how in (
        ("pages", {}, "page cache on (in each worker)"),
        ("pages-built", {"PAGE_CACHE_URL": "off"}, "page cache off: built for every request"),
    ):
        server = Gunicorn({**env, **extra})
        try:
            rows = against_static(server, PAGES, args.seconds)
            rss = server.worker_rss_mb()
        finally:
            server.stop()
        heading = f"\ngunicorn 2 sync workers, {load}, SQLite, {year}; {how}"
        print_against_static(rows, f"{name}-x{args.scale}", heading)
        print("worker RSS after the run: " + ", ".join(f"{mb:.0f} MiB" for mb in rss))


if __name__ == "__main__":
    main()
