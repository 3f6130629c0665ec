"""The notifier in the projections worker, killed with SIGKILL mid-batch and restarted, with
a rebuild of the read models between: every message arrives once, none is lost (both stores).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from application.notifier import SENT, Rules, messages
from application.verification import outbox
from minsheng_site.composition import Services, Settings, compose
from tests.cases.test_case_lifecycle import intake

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
CASES = 150
PEPPER = "test pepper"


def phone(n: int) -> str:
    return f"1390000{n:04d}"


def worker(database_url: str, keys: str, folder: Path) -> subprocess.Popen[bytes]:
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "KEY_STORE_URL": keys,
        "PII_PEPPER": PEPPER,
        "INSTANCE_PATH": str(folder),
        "DEV_OUTBOX": "1",
        "NOTIFY_QUIET_HOURS": "0-0",  # whatever the hour the tests run at
        "NOTIFY_CLAIM_SECONDS": "2",
        "PROJECTOR_INTERVAL": "0.05",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "minsheng_site.worker"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def delivered(site: Services) -> list[tuple[str | None, str, str]]:
    with site.ledger.vault.engine.connect() as c:
        return [tuple(r) for r in c.execute(select(outbox.c.key, outbox.c.address, outbox.c.text))]


def wait_until(test, process: subprocess.Popen[bytes] | None, seconds: float = 120) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if test():
            return
        assert process is None or process.poll() is None, "the worker stopped by itself"
        time.sleep(0.02)
    raise AssertionError("the worker made no progress")


def test_a_notifier_killed_mid_batch_and_a_rebuild_send_every_message_exactly_once(
    database_url: str, tmp_path: Path
) -> None:
    keys = f"sqlite:///{tmp_path / 'keys.sqlite3'}"
    site = compose(
        Settings(database_url, keys, PEPPER.encode(), dev_outbox=True, notify_rules=Rules()),
    )
    numbers = {}
    for n in range(CASES):
        receipt = site.ledger.submit_case(intake(phone=phone(n)), "citizen")
        site.ledger.accept_case(receipt.case_id, "staff:gov")
        numbers[phone(n)] = receipt.number
    victim = worker(database_url, keys, tmp_path)
    wait_until(lambda: len(delivered(site)) >= 25, victim)
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(timeout=10)
    sent_before = len(delivered(site))
    assert sent_before < 2 * CASES, "the kill must land mid-batch"

    site.projector.rebuild()  # the read models again from the log: no message again
    survivor = worker(database_url, keys, tmp_path)
    try:
        wait_until(lambda: site.notifier.counts().get(SENT, 0) == 2 * CASES, survivor)
        time.sleep(1)  # a few more rounds: nothing more may come
    finally:
        survivor.send_signal(signal.SIGTERM)
        assert survivor.wait(timeout=30) == 0

    arrived = delivered(site)
    assert len(arrived) == 2 * CASES  # every message once: none lost, none doubled
    assert len({key for key, _, _ in arrived}) == 2 * CASES
    per_phone = Counter(address for _, address, _ in arrived)
    assert set(per_phone.values()) == {2} and len(per_phone) == CASES
    for _, address, text in arrived:
        assert numbers[address] in text  # each citizen hears about their own case only
    with site.engine.connect() as c:
        rows = c.execute(select(messages.c.notification_id, messages.c.kind, messages.c.state))
        records = list(rows)
    assert len(records) == 2 * CASES and {r.state for r in records} == {SENT}
    assert Counter(r.kind for r in records) == {"receipt": CASES, "acceptance": CASES}
    site.close()
