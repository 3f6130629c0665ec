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
import os
import tempfile
import time
import urllib.request
from pathlib import Path

from application.plan_file import load_plan_file
from application.simulated_cases import SimulatedCases
from application.simulation import SimulatedYear
from bench.common import ROOT, Gunicorn, Load, machine, save, wrk
from minsheng_site import create_app
from projections.verify import verify_export

ANSWERS = {
    "everything feed (/feeds/all.atom, 50 entries)": "/feeds/all.atom",
    "item feed (/feeds/plans/2023/items/9.atom)": "/feeds/plans/2023/items/9.atom",
    "case feed (/feeds/cases.rss)": "/feeds/cases.rss",
    "progress API (/api/v1/plans/2023/progress)": "/api/v1/plans/2023/progress",
    "Open311 requests (/open311/v2/requests.json)": "/open311/v2/requests.json",
}
STATIC = ROOT / "static" / "bench"


def loaded_instance() -> dict[str, str]:
    instance = Path(tempfile.mkdtemp(prefix="minsheng-bench-"))
    env = {"INSTANCE_PATH": str(instance), "SECRET_KEY": "bench", "PROJECTOR_THREAD": "0"}
    os.environ.update(env)
    app = create_app()
    with app.app_context():
        services = app.extensions["minsheng"]
        plan = load_plan_file(ROOT / "plans/2023/plan.yaml")
        services.ledger.register_plan(plan, "bench")
        SimulatedYear(services.ledger, plan).write()
        SimulatedCases(services.ledger, plan.year).write()
        services.caught_up()
        services.close()
    return env


def get(url: str, headers: dict[str, str] | None = None) -> tuple[bytes, dict[str, str]]:
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request) as response:
        return response.read(), dict(response.headers)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=5)
    args = parser.parse_args()
    server = Gunicorn(loaded_instance())
    rows: list[tuple[str, int, Load, Load]] = []
    try:
        STATIC.mkdir(parents=True, exist_ok=True)
        for label, path in ANSWERS.items():
            body, _ = get(server.url + path)
            copy = STATIC / (path.strip("/").replace("/", "_") + ".bin")
            copy.write_bytes(body)
            static_url = f"{server.url}/static/bench/{copy.name}"
            wrk(server.url + path, seconds=1)
            rows.append(
                (
                    label,
                    len(body),
                    wrk(server.url + path, args.seconds),
                    wrk(static_url, args.seconds),
                )
            )
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
    print(
        f"gunicorn 2 sync workers, wrk -t1 -c16 -d{args.seconds}s, SQLite, plan + simulated year\n"
    )
    head = f"{'answer':46} {'bytes':>7} {'req/s':>7} {'p99 ms':>7}"
    print(f"{head} | {'static':>7} {'p99 ms':>7} | ratio")
    for label, size, d, s in rows:
        print(
            f"{label:46} {size:7d} {d.requests_per_second:7.0f} {d.p99_ms:7.1f} | "
            f"{s.requests_per_second:7.0f} {s.p99_ms:7.1f} | "
            f"{d.requests_per_second / s.requests_per_second:.2f}"
        )
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
            "rows": [
                {"answer": label, "bytes": size, "dynamic": d.__dict__, "static": s.__dict__}
                for label, size, d, s in rows
            ],
            "not_modified": not_modified.__dict__,
            "static_not_modified": static_not_modified.__dict__,
            "export": {"entries": verdict.entries, "bytes": len(export), "seconds": export_seconds},
            "verify_seconds": verify_seconds,
            "bare_chain_seconds": bare_seconds,
        },
    )


if __name__ == "__main__":
    main()
