"""Feeds, open data and the public log, each against a baseline from the same run.

python -m bench.feeds [--seconds 5]

1. Feeds and API answers vs the same bytes as a static file, same gunicorn.
2. A conditional GET (If-None-Match, the feed reader's poll) answered 304,
   vs a static file's 304 from the same server.
3. Verifying the whole log export (parse, canonical JSON, sha256 chain,
   checkpoints) vs a bare sha256 chain over the same lines, and the time to
   export it over HTTP.
"""

from __future__ import annotations

import argparse
import hashlib
import time
import urllib.request

from bench.common import (
    Gunicorn,
    against_static,
    loaded_instance,
    machine,
    print_against_static,
    save,
    wrk,
)
from projections.publiclog.verify import verify_export

ANSWERS = {
    "everything feed (/feeds/all.atom, 50 entries)": "/feeds/all.atom",
    "item feed (/feeds/plans/2023/items/9.atom)": "/feeds/plans/2023/items/9.atom",
    "case feed (/feeds/cases.rss)": "/feeds/cases.rss",
    "progress API (/api/v1/plans/2023/progress)": "/api/v1/plans/2023/progress",
    "Open311 requests (/open311/v2/requests.json)": "/open311/v2/requests.json",
}


def get(url: str, headers: dict[str, str] | None = None) -> tuple[bytes, dict[str, str]]:
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request) as response:
        return response.read(), dict(response.headers)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=5)
    args = parser.parse_args()
    server = Gunicorn(loaded_instance("feeds"))
    try:
        rows = against_static(server, ANSWERS, args.seconds)
        feed_url = server.url + "/feeds/all.atom"
        _, feed_headers = get(feed_url)
        static_url = f"{server.url}/static/bench/feeds_all.atom.bin"
        _, static_headers = get(static_url)
        not_modified = wrk(feed_url, args.seconds, headers={"If-None-Match": feed_headers["ETag"]})
        static_not_modified = wrk(
            static_url, args.seconds, headers={"If-None-Match": static_headers["ETag"]}
        )
        started = time.perf_counter()
        export, _ = get(server.url + "/api/v1/log.jsonl")
        export_seconds = time.perf_counter() - started
    finally:
        server.stop()

    lines = export.decode().splitlines()
    started = time.perf_counter()
    verdict = verify_export(lines)
    verify_seconds = time.perf_counter() - started
    assert verdict.ok, verdict.first_problem
    started = time.perf_counter()
    previous = "0" * 64
    for line in lines:  # the bare work: one sha256 per line, chained
        previous = hashlib.sha256(f"{previous}\n{line}".encode()).hexdigest()
    bare_seconds = time.perf_counter() - started

    print(f"machine: {machine()}")
    heading = (
        f"gunicorn 2 sync workers, wrk -t1 -c16 -d{args.seconds}s, SQLite, plan + simulated year"
    )
    print_against_static(rows, "feeds-answers", heading)
    feed_304, static_304 = not_modified, static_not_modified
    print(
        f"\nconditional GET answered 304: feed {feed_304.requests_per_second:.0f} req/s "
        f"(p99 {feed_304.p99_ms:.1f} ms) vs static file "
        f"{static_304.requests_per_second:.0f} req/s (p99 {static_304.p99_ms:.1f} ms)"
        f" | ratio {feed_304.requests_per_second / static_304.requests_per_second:.2f}"
    )
    per_second = verdict.entries / verify_seconds
    print(
        f"\nlog export: {verdict.entries} entries, {len(export):,} bytes in {export_seconds:.2f} s"
        f" over HTTP ({verdict.entries / export_seconds:,.0f} entries/s)"
    )
    print(
        f"log verify: {per_second:,.0f} entries/s vs bare sha256 chain "
        f"{len(lines) / bare_seconds:,.0f} lines/s | ratio {bare_seconds / verify_seconds:.2f}"
    )
    save(
        "feeds",
        {
            "machine": machine(),
            "not_modified": not_modified.__dict__,
            "static_not_modified": static_not_modified.__dict__,
            "export": {"entries": verdict.entries, "bytes": len(export), "seconds": export_seconds},
            "verify_seconds": verify_seconds,
            "bare_chain_seconds": bare_seconds,
        },
    )


if __name__ == "__main__":
    main()
