"""The hostile text corpus through every text field, then read back: the figures per store.

python -m bench.hostile [--postgres]
Runs what tests/reliability/test_hostile_text.py runs (in-process, Flask's
test client) on a fresh SQLite file, or on a throwaway PostgreSQL cluster,
and prints tried / accepted / refused (4xx) / 5xx / lost per surface, the
seconds taken, and every problem found (none, when the site is sound).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from application.plan_file import load_plan_file
from bench.common import ROOT, machine
from tests.postgres import Cluster
from tests.reliability.hostile_run import figures_line, figures_table, run_corpus


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="minsheng-bench-hostile-"))
    spec = load_plan_file(ROOT / "plans" / "2023" / "plan.yaml")
    cluster = Cluster() if args.postgres else None
    if cluster:
        cluster.start()
    try:
        url = cluster.create_database("hostile") if cluster else f"sqlite:///{folder}/h.sqlite3"
        started, cpu = time.monotonic(), time.process_time()
        run = run_corpus("postgresql" if cluster else "sqlite", url, folder, spec)
        wall, cpu = time.monotonic() - started, time.process_time() - cpu
        problems = [
            *run.site.errors,
            *run.site.unsafe,
            *run.trials.where("lost"),
            *run.trials.unexplained(),
            *(f"{kind}: {p}" for kind, found in run.reader.problems.items() for p in found),
        ]
        run.site.services.close()
    finally:
        if cluster:
            cluster.stop()
    print(machine())
    print(figures_line(run))
    print(
        f"{wall:.0f} s ({cpu:.0f} s of this process's CPU): "
        + ", ".join(f"{step} {seconds:.0f} s" for step, seconds in run.seconds.items())
    )
    print(figures_table(run))
    print(f"{len(problems)} problems" + "".join(f"\n  {p[:300]}" for p in problems))


if __name__ == "__main__":
    main()
