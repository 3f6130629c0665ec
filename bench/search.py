"""Search benchmark: query latency on the simulated year and on N times its cases.

python -m bench.search [--scale 1,10] [--rounds 200] [--seconds 5] [--instance DIR]
For each scale, a fresh SQLite instance with the plan, the simulated year (its cases
multiplied) and its simulated 2024 cycle, then for a set of everyday queries:
- the index query alone (projections.search.search_queries.search), p50/p99 over rounds;
- the whole /search page built in-process (page cache off), p50/p99;
- the baseline, in the same run on the same file: a raw sqlite3 LIKE '%word%' scan of the
  same documents' text (what search costs without an index; it grows with the log);
- /search?q=电梯 under wrk through gunicorn (page cache off) vs its bytes as a static file.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from bench.common import (
    Gunicorn,
    against_static,
    loaded_instance,
    machine,
    print_against_static,
    save,
)

QUERIES = {
    "电梯 (two characters)": "电梯",
    "電梯 (traditional)": "電梯",
    "加梯 (a synonym)": "加梯",
    "加装电梯 (four)": "加装电梯",
    "小区 (common in cases)": "小区",
    "桥 (one character)": "桥",
    "加庄电梯 (a typo: near)": "加庄电梯",
    "改造 kind=project page 2": "改造&kind=project&page=2",
    "楼道漏水 kind=candidate": "楼道漏水&kind=candidate",  # the yearly cycle's kinds
    "路灯 kind=proposal": "路灯&kind=proposal",
}


def _times(run: Callable[[], object], rounds: int) -> tuple[float, float]:
    run()  # warm: first-use caches (OpenCC, the plan) are not what a reader waits for
    taken = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        taken.append((time.perf_counter() - start) * 1000)
    taken.sort()
    return statistics.median(taken), taken[min(len(taken) - 1, int(len(taken) * 0.99))]


def measure(scale: int, rounds: int, seconds: int, instance: str | None) -> dict[str, object]:
    from minsheng_site import create_app
    from projections.search.search_queries import Filters, search
    from projections.search.words import parse, synonyms

    # page cache off (each answer built); no search limit (one address asks everything)
    unlimited = {"PAGE_CACHE_URL": "off", "SEARCH_LIMIT": "1000000 per minute"}
    if instance:  # one loaded before (by this bench), its read models caught up below
        env = {"INSTANCE_PATH": instance, "SECRET_KEY": "bench", "PROJECTOR_THREAD": "0"}
        env.update(unlimited)
    else:
        # the plan, the simulated year and its 2024 cycle, as make run shows them
        env = loaded_instance(f"search-x{scale}", unlimited, scale=scale, cycle=True)
    os.environ.update(env)
    app = create_app()
    services = app.extensions["minsheng"]
    services.caught_up()
    client = app.test_client()
    database = Path(env["INSTANCE_PATH"]) / "minsheng.sqlite3"
    raw = sqlite3.connect(database)
    with services.read() as c:
        docs = c.exec_driver_sql("SELECT count(*) FROM search_docs").scalar()
        term_rows = c.exec_driver_sql("SELECT count(*) FROM search_terms").scalar()
        events = c.exec_driver_sql("SELECT max(position) FROM projection_positions").scalar()
    print(f"\n{scale}x: {events} events, {docs} documents, {term_rows} term rows")
    rows = []
    print(f"{'':30} {'index p50':>9} {'p99':>6} | {'page p50':>8} {'p99':>6} | "
          f"{'LIKE p50':>8} {'p99':>6} | found")  # fmt: skip
    for label, asked in QUERIES.items():
        text, _, rest = asked.partition("&")
        kind = rest.split("kind=")[1].split("&")[0] if "kind=" in rest else None
        filters = Filters(kinds=(kind,) if kind else ())

        def index(text: str = text, filters: Filters = filters) -> object:
            with services.read() as c:
                return search(c, parse(text, synonyms()), filters)

        def page(asked: str = asked, text: str = text) -> object:
            url = f"/search?go=0&q={quote(text)}" + (asked[len(text) :])
            response = client.get(url)
            assert response.status_code == 200, url
            return response

        def like(text: str = text) -> object:
            return raw.execute(
                "SELECT doc_id FROM search_docs WHERE title LIKE ? OR body LIKE ?",
                (f"%{text}%", f"%{text}%"),
            ).fetchall()

        found = index()
        i50, i99 = _times(index, rounds)
        p50, p99 = _times(page, max(20, rounds // 4))
        l50, l99 = _times(like, rounds)
        total = found.total  # type: ignore[attr-defined]
        print(f"{label:30} {i50:9.2f} {i99:6.2f} | {p50:8.1f} {p99:6.1f} | "
              f"{l50:8.2f} {l99:6.2f} | {total}")  # fmt: skip
        rows.append({"query": label, "index_ms": [i50, i99], "page_ms": [p50, p99],
                     "like_ms": [l50, l99], "found": total})  # fmt: skip
    services.close()
    server = Gunicorn(env)
    try:
        answers = {"/search?q=电梯 (built)": "/search?go=0&q=" + quote("电梯")}
        versus = against_static(server, answers, seconds)
    finally:
        server.stop()
    print_against_static(versus, f"search-page-x{scale}", "\n/search under wrk, page cache off")
    return {"scale": scale, "events": events, "documents": docs, "terms": term_rows,
            "rows": rows, "wrk": [v.dynamic.__dict__ for v in versus]}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="1,10")
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--instance", help="an instance folder loaded before (one scale)")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    scales = [int(s) for s in args.scale.split(",")]
    runs = [measure(s, args.rounds, args.seconds, args.instance) for s in scales]
    save("search", {"machine": machine(), "runs": runs})


if __name__ == "__main__":
    main()
