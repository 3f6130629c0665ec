"""Citizens' case submission over HTTP vs a bare sqlite3 POST on the same gunicorn, same run.

python -m bench.cases [--clients 4] [--cases 400]
Each client fetches the form once (CSRF token), then posts real messages
(validation, sealing the personal data with the person's key, the event
store, the projections caught up, the 303). The baseline posts the same
forms to an endpoint that only inserts one row with sqlite3.
"""

from __future__ import annotations

import argparse
import os
import re
import tempfile
from pathlib import Path

from application.plan_file import load_plan_file
from bench.common import ROOT, Gunicorn, report_posts
from bench.reports import Client, run
from minsheng_site import create_app


def form(n: int, token: str) -> dict[str, str]:
    return {
        "csrf_token": token,
        "title": "公园健身器材损坏",
        "category": "文体旅游",
        "district": "滨湖区",
        "content": f"公园内健身器材损坏多日无人维修（第{n}件）。",
        "name": "测试市民",
        "phone": f"139{n:08d}",
        "consent": "y",
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--cases", type=int, default=400)
    args = parser.parse_args()
    instance = Path(tempfile.mkdtemp(prefix="minsheng-bench-cases-"))
    env = {
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": "bench",
        "PROJECTOR_THREAD": "0",
        "BENCH_BASELINE": "1",
        "CASE_LIMIT_PER_ADDRESS": "100000 per hour",
    }
    os.environ.update(env)
    app = create_app()
    services = app.extensions["minsheng"]
    services.ledger.register_plan(load_plan_file(ROOT / "plans" / "2023" / "plan.yaml"), "bench")
    services.close()
    server = Gunicorn(env)
    try:
        clients = [Client(server.port) for _ in range(args.clients)]
        work = []
        for i, client in enumerate(clients):
            _, html = client.request("GET", "/cases/new")
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)[1]  # type: ignore[index]
            per = args.cases // len(clients)
            work.append([("/cases/new", form(i * per + n, token)) for n in range(per)])
        cases = run(clients, work, expect=303)
        baseline_work = [[("/bench/baseline", f) for _p, f in jobs] for jobs in work]
        baseline = run([Client(server.port) for _ in clients], baseline_work, expect=204)
    finally:
        server.stop()
    report_posts("case submission", len(clients), cases, baseline)


if __name__ == "__main__":
    main()
