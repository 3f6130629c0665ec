"""Writes under contention: every committed write is answered, with what the citizen needs.

Before: 8 parallel clients got 11 answers of 500 in 480 ("Timed out waiting for
return of writer / pool semaphore"); when the failure came after the commit, in
the read-your-writes catch-up, the case was saved but its query code was lost.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from pathlib import Path

import pytest
from flask import Flask

from domain.plan_spec import PlanSpec
from minsheng_site.services import Services
from projections.cases import case_queries as cq
from tests.clock import Clock
from tests.conftest import make_app
from tests.web.staff_helpers import csrf

CLIENTS, EACH = 8, 12
LIMITS = {
    "CASE_LIMIT_PER_ADDRESS": "10000 per hour",
    "CASE_LIMIT_PER_PHONE": "10000 per day",
    "LOOKUP_LIMIT": "10000 per hour",
}


@pytest.mark.slow
def test_eight_writers_at_once_are_all_answered_and_all_receipts_work(
    database_url: str, tmp_path: Path, plan_spec: PlanSpec
) -> None:
    app: Flask = make_app(database_url, tmp_path, Clock("2023-09-04T09:00"), **LIMITS)
    services: Services = app.extensions["minsheng"]
    services.ledger.register_plan(plan_spec, "test")
    services.caught_up()
    statuses: Counter[int] = Counter()
    receipts: list[tuple[str, str]] = []
    lock = threading.Lock()

    def citizen(n: int) -> None:
        client = app.test_client()
        for i in range(EACH):
            token = csrf(client, "/cases/new")
            response = client.post(
                "/cases/new",
                data={
                    "csrf_token": token,
                    "title": f"并发测试{n}-{i}",
                    "category": "城市管理",
                    "district": "梁溪区",
                    "content": "路灯不亮已经两周了，请尽快修复。",
                    "name": "并发",
                    "phone": f"139{n:04d}{i:04d}",
                },
            )
            mine = client.get("/cases/mine").get_data(as_text=True)
            found = re.search(r"(\d{4}-[2-9A-Z]{6}).*?(\d{8})", mine, re.S)
            with lock:
                statuses[response.status_code] += 1
                if found:
                    receipts.append((found[1], found[2]))

    threads = [threading.Thread(target=citizen, args=(n,)) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert statuses == Counter({303: CLIENTS * EACH})
        assert len(receipts) == CLIENTS * EACH == len(set(receipts))
        services.caught_up()
        with services.read() as c:
            assert len(cq.all_rows(c, None)) == CLIENTS * EACH
        for number, code in receipts[::CLIENTS]:  # a sample: each receipt opens its own case
            assert services.ledger.details_for_citizen(number, code).case.number == number
    finally:
        services.close()
