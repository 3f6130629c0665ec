"""The notifier's throughput: messages per second against events per second, same store.

    python -m bench.notifier [--cases 500] [--postgres]

Files `--cases` cases and accepts each (two events and two messages per case) on a fresh
store, then measures, in the same run:

- enqueue: the notifier reading those events and recording their messages, in events/s,
  against the projector applying the same events to every read model (a rebuild);
- deliver: claiming, rendering and handing each message to the development outbox and
  recording it, in messages/s, against a bare sqlite3 INSERT and COMMIT per message into
  a table of the same shape (what the outbox itself costs at least).
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from pathlib import Path

from application.case_commands import Intake
from application.notifier import SENT, Rules
from bench.common import machine, save
from domain.wuxi import business_date
from minsheng_site.composition import Services, Settings, compose


def intake(n: int, day) -> Intake:  # type: ignore[no-untyped-def]
    return Intake(
        year=day.year,
        channel="online",
        category="城市管理",
        district="梁溪区",
        title="小区门口路灯不亮",
        content="清扬路某小区门口两盏路灯不亮已两周。",
        name="测试",
        phone=f"1390000{n % 10_000:04d}",
        consent=False,
        received_on=day,
    )


def filed(site: Services, cases: int) -> None:
    day = business_date(site.ledger.clock())
    for n in range(cases):
        receipt = site.ledger.submit_case(intake(n, day), "citizen")
        site.ledger.accept_case(receipt.case_id, "staff:bench")


def bare_outbox(folder: Path, count: int) -> float:
    """Seconds for `count` INSERT + COMMIT of a message row with sqlite3 (WAL, as the site)."""
    db = sqlite3.connect(folder / "bare.sqlite3", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(
        "CREATE TABLE outbox (id INTEGER PRIMARY KEY, key TEXT UNIQUE, address TEXT, text TEXT,"
        " sent_at TEXT)"
    )
    start = time.perf_counter()
    for n in range(count):
        db.execute("BEGIN IMMEDIATE")
        db.execute(
            "INSERT INTO outbox (key, address, text, sent_at) VALUES (?, ?, ?, ?)",
            (f"m{n}", "13900001111", "【无锡民生实事】您的诉求已受理。" * 3, "2026-11-30 10:00"),
        )
        db.execute("COMMIT")
    seconds = time.perf_counter() - start
    db.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--postgres", action="store_true", help="the store on PostgreSQL")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.postgres:
            from tests.postgres import Cluster

            cluster = Cluster()
            cluster.start()
            url = cluster.create_database("bench_notifier")
        else:
            url = f"sqlite:///{folder / 'store.sqlite3'}"
        keys = f"sqlite:///{folder / 'keys.sqlite3'}"
        rules = Rules(quiet=(0, 0), batch=500)
        site = compose(Settings(url, keys, dev_outbox=True, notify_rules=rules))
        filed(site, args.cases)
        events = site.ledger.recorder.max_notification_id() or 0

        start = time.perf_counter()
        site.projector.rebuild()
        projected = time.perf_counter() - start

        start = time.perf_counter()
        while site.notifier.enqueue():
            pass
        enqueued = time.perf_counter() - start
        messages = len(site.notifier.records())

        start = time.perf_counter()
        while site.notifier.deliver(limit=500).delivered:
            pass
        delivering = time.perf_counter() - start
        assert site.notifier.counts() == {SENT: messages}
        bare = bare_outbox(folder, messages)
        site.close()
        if args.postgres:
            cluster.stop()

    store = "PostgreSQL" if args.postgres else "SQLite"
    figures = {
        "machine": machine(),
        "store": store,
        "cases": args.cases,
        "events": events,
        "messages": messages,
        "projector_events_per_s": events / projected,
        "enqueue_events_per_s": events / enqueued,
        "deliver_messages_per_s": messages / delivering,
        "bare_outbox_per_s": messages / bare,
    }
    save(f"notifier-{store.lower()}", figures)
    print(f"{machine()}\n{store}: {args.cases} cases, {events} events, {messages} messages")
    print(
        f"enqueue  {figures['enqueue_events_per_s']:8.0f} events/s   "
        f"projector (all read models) {figures['projector_events_per_s']:8.0f} events/s   "
        f"ratio {figures['enqueue_events_per_s'] / figures['projector_events_per_s']:.2f}"
    )
    print(
        f"deliver  {figures['deliver_messages_per_s']:8.0f} messages/s "
        f"bare sqlite3 insert+commit  {figures['bare_outbox_per_s']:8.0f} rows/s     "
        f"ratio {figures['deliver_messages_per_s'] / figures['bare_outbox_per_s']:.2f}"
    )


if __name__ == "__main__":
    main()
