"""Rating submission end to end, and the satisfaction pages, each against a same-run baseline.

python -m bench.ratings [--clients 4] [--ratings 400] [--seconds 5]

1. Each client verifies a phone number over HTTP (code request, the code read
   from the development outbox, code check: a sealed session cookie), then
   posts real ratings of different projects and items through the form
   (CSRF, rate limits, sealing the contact and comment with the person's key,
   the event store, the projections caught up, the 303). The baseline posts
   the same forms to /bench/baseline, which only inserts one row with sqlite3,
   on the same gunicorn.
2. The satisfaction page, its chart, its API and the evaluation page, with
   the simulated year's ~8,300 ratings loaded, vs the same bytes as a static
   file from the same gunicorn (wrk).
"""

from __future__ import annotations

import argparse
import html
import re

from application.plan_file import load_plan_file
from bench.common import (
    ROOT,
    Gunicorn,
    against_static,
    loaded_instance,
    print_against_static,
    report_posts,
)
from bench.reports import Client, run

PAGES = {
    "satisfaction page (/plans/2023/satisfaction)": "/plans/2023/satisfaction",
    "its chart (/plans/2023/satisfaction/chart.svg)": "/plans/2023/satisfaction/chart.svg",
    "satisfaction API (/api/v1/plans/2023/satisfaction)": "/api/v1/plans/2023/satisfaction",
    "evaluation page (/plans/2023/evaluation)": "/plans/2023/evaluation",
}
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def verify(client: Client, phone: str) -> str:
    """Verify a phone number through the real forms; returns a CSRF token of the session."""
    _, page = client.request("GET", "/ratings/verify")
    token = TOKEN.search(page)[1]  # type: ignore[index]
    status, _ = client.request(
        "POST", "/ratings/verify", {"csrf_token": token, "contact": phone, "next": "/"}
    )
    assert status == 303, f"code request: {status}"
    _, outbox = client.request("GET", "/dev/outbox")
    row = next(r for r in outbox.split("<tr>") if phone[-4:] in r and "验证码是" in r)
    code = re.search(r"验证码是 (\d{6})", html.unescape(row))[1]  # type: ignore[index]
    _, page = client.request("GET", "/ratings/verify/code?next=/")
    token = TOKEN.search(page)[1]  # type: ignore[index]
    status, _ = client.request(
        "POST", "/ratings/verify/code", {"csrf_token": token, "code": code, "next": "/"}
    )
    assert status == 303, f"code check: {status}"
    _, page = client.request("GET", "/plans/2023/projects/9.1")
    return TOKEN.search(page)[1]  # type: ignore[index]


def subjects() -> list[str]:
    plan = load_plan_file(ROOT / "plans" / "2023" / "plan.yaml")
    projects = [f"/plans/2023/projects/{p.number}/rate" for i in plan.items for p in i.projects]
    return projects + [f"/plans/2023/items/{i.number}/rate" for i in plan.items]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--ratings", type=int, default=400)
    parser.add_argument("--seconds", type=int, default=5)
    args = parser.parse_args()
    limits = {
        "BENCH_BASELINE": "1",
        "DEV_OUTBOX": "1",
        "RATING_LIMIT_PER_ADDRESS": "100000 per hour",
        "RATING_LIMIT_PER_VOTER": "100000 per hour",
        "CODE_LIMIT_PER_ADDRESS": "1000 per hour",
    }
    server = Gunicorn(loaded_instance("ratings", limits, ratings=True))
    try:
        clients = [Client(server.port) for _ in range(args.clients)]
        tokens = [verify(c, f"1390000{n:04d}") for n, c in enumerate(clients)]
        targets = subjects()
        per = min(args.ratings // len(clients), len(targets))  # one per subject: no re-rating
        levels = ("satisfied", "basically", "unsatisfied")
        work = [
            [
                (path, {"csrf_token": token, "level": levels[n % 3], "comment": ""})
                for n, path in enumerate(targets[:per])
            ]
            for token in tokens
        ]
        ratings = run(clients, work, expect=303)
        baseline_work = [[("/bench/baseline", form) for _p, form in jobs] for jobs in work]
        baseline = run([Client(server.port) for _ in clients], baseline_work, expect=204)

        rows = against_static(server, PAGES, args.seconds)
    finally:
        server.stop()

    report_posts("rating submission", len(clients), ratings, baseline)
    print()
    heading = f"wrk -t1 -c16 -d{args.seconds}s, SQLite, plan + simulated year with its ratings"
    print_against_static(rows, "ratings-pages", heading)


if __name__ == "__main__":
    main()
