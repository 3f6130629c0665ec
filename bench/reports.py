"""Report submission over HTTP vs a bare sqlite3 POST on the same gunicorn, same run.

python -m bench.reports [--clients 4] [--reports 400]
Each client is a signed-in reporter of a different unit filing real monthly
reports (form POST with CSRF token: validation, the event store, the
projections caught up for read-your-writes, the 303). The baseline posts the
same form size to an endpoint that only inserts one row with sqlite3.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import statistics
import tempfile
import threading
import time
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from urllib.parse import urlencode

from application.plan_file import load_plan_file
from bench.common import ROOT, Gunicorn, report_posts
from domain.plan_spec import PlanSpec
from domain.progress import Period
from minsheng_site import create_app
from tests.synthetic_plans import plan_for_year
from tests.web.staff_helpers import PASSWORD, add_staff

YEARS = range(2023, 2027)


class Client:
    """One keep-alive connection with its own session cookie."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookie = ""

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = urlencode(form) if form is not None else None
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for cookie in response.headers.get_all("Set-Cookie") or []:
            if cookie.startswith("session="):
                self.cookie = cookie.split(";", 1)[0]
        return response.status, text

    def sign_in(self, username: str) -> str:
        _, html = self.request("GET", "/staff/login")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)[1]  # type: ignore[index]
        status, _ = self.request(
            "POST",
            "/staff/login",
            {"csrf_token": token, "username": username, "password": PASSWORD},
        )
        assert status == 303, f"sign-in failed: {status}"
        return token


def filings(plan: PlanSpec, items: list[int]) -> list[tuple[str, dict[str, str]]]:
    """Valid monthly reports for these items, every year, every month, in order."""
    out = []
    for year in YEARS:
        for number in items:
            item = plan.items[number - 1]
            for month in range(3, 12):
                form = {"period": str(Period(year, month))}
                for project in item.projects:
                    for i, target in enumerate(project.targets):
                        share = Decimal(month) / 12
                        amount = (target.amount * share).quantize(
                            Decimal("0.01"), rounding=ROUND_DOWN
                        )
                        form[f"amount-{project.number}-{i}"] = str(amount)
                out.append((f"/staff/plans/{year}/items/{number}/report", form))
    return out


def run(
    clients: list[Client], work: list[list[tuple[str, dict[str, str]]]], expect: int
) -> dict[str, float]:
    latencies: list[float] = []
    failures: list[int] = []
    lock = threading.Lock()

    def worker(client: Client, jobs: list[tuple[str, dict[str, str]]]) -> None:
        for path, form in jobs:
            start = time.perf_counter()
            status, _ = client.request("POST", path, form)
            took = time.perf_counter() - start
            with lock:
                latencies.append(took)
                if status != expect:
                    failures.append(status)
                    if len(failures) == 1:
                        print(f"first failure: {status} {path}")

    threads = [
        threading.Thread(target=worker, args=pair) for pair in zip(clients, work, strict=True)
    ]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    latencies.sort()
    return {
        "requests": len(latencies),
        "per_second": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "failures": len(failures),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--reports", type=int, default=400, help="in all, spread over the clients")
    args = parser.parse_args()
    instance = Path(tempfile.mkdtemp(prefix="minsheng-bench-reports-"))
    env = {
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": "bench",
        "PROJECTOR_THREAD": "0",
        "BENCH_BASELINE": "1",
        "LOGIN_LIMIT_PER_ADDRESS": "1000 per minute",
    }
    os.environ.update(env)
    plan = load_plan_file(ROOT / "plans" / "2023" / "plan.yaml")
    app = create_app()
    services = app.extensions["minsheng"]
    for year in YEARS:
        services.ledger.register_plan(
            plan_for_year(plan, year) if year != plan.year else plan, "bench"
        )
    leads: dict[str, list[int]] = {}
    for item in plan.items:
        leads.setdefault(item.units[0], []).append(item.number)
    units = sorted(leads, key=lambda u: -len(leads[u]))[: args.clients]
    for index, unit in enumerate(units):
        add_staff(app, f"bench{index}", ("reporter", unit))
    services.close()

    server = Gunicorn(env)
    try:
        clients = [Client(server.port) for _ in units]
        tokens = [c.sign_in(f"bench{i}") for i, c in enumerate(clients)]
        per_client = args.reports // len(clients)
        work = []
        for token, unit in zip(tokens, units, strict=True):
            jobs = filings(plan, leads[unit])[:per_client]
            work.append([(path, {"csrf_token": token, **form}) for path, form in jobs])
        reports = run(clients, work, expect=303)
        baseline_work = [[("/bench/baseline", form) for _path, form in jobs] for jobs in work]
        baseline = run([Client(server.port) for _ in units], baseline_work, expect=204)
    finally:
        server.stop()

    report_posts("report submission", len(clients), reports, baseline)


if __name__ == "__main__":
    main()
