"""Page benchmark: public pages vs the same bytes as a static file, same gunicorn, same run.

python -m bench.pages [--seconds 5] [--scale 1,10]
Each page is loaded under wrk twice: as readers get it (the page cache on: built once per
key, then replayed) and built for every request (PAGE_CACHE_URL=off: what the first
reader after each change pays). Prints requests/s and p99 of both, of the static copy,
and the ratios. --scale multiplies the simulated cases and raters of the same year; with
several scales, a growth table ends the run.
"""

from __future__ import annotations

import argparse

from bench.common import (
    Gunicorn,
    Versus,
    against_static,
    loaded_instance,
    machine,
    print_against_static,
)

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
    "cycle (/cycle/2024/)": "/cycle/2024/",
    "proposals (/cycle/2024/proposals/)": "/cycle/2024/proposals/",
    "candidates (/cycle/2024/candidates/)": "/cycle/2024/candidates/",
    "conversion (/cycle/2024/conversions/1)": "/cycle/2024/conversions/1",
    "year over year (/plans/compare)": "/plans/compare",
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--scale", default="1", help="one or more, e.g. 1,10")
    args = parser.parse_args()
    load = f"wrk -t1 -c16 -d{args.seconds}s"
    print(f"machine: {machine()}")
    runs: dict[tuple[int, str], list[Versus]] = {}
    for scale in [int(n) for n in args.scale.split(",")]:
        env = loaded_instance(f"pages-x{scale}", ratings=True, scale=scale, cycle=True)
        year = f"the plan and {scale}x the simulated year's cases and raters"
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
            print_against_static(rows, f"{name}-x{scale}", heading)
            print("worker RSS after the run: " + ", ".join(f"{mb:.0f} MiB" for mb in rss))
            runs[(scale, name)] = rows
    scales = sorted({scale for scale, _ in runs})
    if len(scales) > 1:
        growth(runs, scales[0], scales[-1])


def growth(runs: dict[tuple[int, str], list[Versus]], low: int, high: int) -> None:
    """How each answer's ratio to its static copy moved from `low` to `high` times the data."""
    print(f"\ngrowth, {low}x -> {high}x (ratio to static; 1.00 would be no growth at all)\n")
    print(f"{'':40} {'cached':>15} {'built':>15} {'built p99 ms':>15}")
    for cached_low, cached_high, built_low, built_high in zip(
        runs[(low, "pages")], runs[(high, "pages")],
        runs[(low, "pages-built")], runs[(high, "pages-built")], strict=True,
    ):  # fmt: skip
        print(
            f"{cached_low.label:40} {cached_low.ratio:6.2f} -> {cached_high.ratio:5.2f}"
            f" {built_low.ratio:6.2f} -> {built_high.ratio:5.2f}"
            f" {built_low.dynamic.p99_ms:6.0f} -> {built_high.dynamic.p99_ms:5.0f}"
        )


if __name__ == "__main__":
    main()
