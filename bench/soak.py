"""The production topology under mixed load, with kill -9 midway: nothing lost, nothing doubled.

python -m bench.soak [--seconds 60] [--clients 8]

The Procfile's processes run as real processes (bench/topology.py) on a
throwaway PostgreSQL (events and read models in one database, personal-data
keys in another) with a throwaway Redis for the rate limits: the release step,
one gunicorn master with 2 workers of 4 threads, one `projections` worker.
Each client has its own loopback address (127.0.0.N) and, mixed in turn:

- submits a citizen's case through the form (CSRF token, the 303, the number
  and query code read from /cases/mine);
- posts a 12345 ticket to the intake API (bearer token), and every other time
  sends the same ticket again (one case; `created: false` the second time);
- rates projects and items, each once, as a person verified through the
  development outbox (a new person when one has rated everything);
- files monthly reports through the staff form, signed in as the reporter of
  the items' lead unit, month after month;
- reads pages (home, the case board, item and project pages, its own case)
  and feeds.

Midway the projections worker is killed with -9 and started again (as a
supervisor would), and then one gunicorn worker is killed with -9 (its master
starts another). A request cut off by a kill gets no answer: it is counted
apart, and its write is looked for afterwards. It must be saved at most once;
an API ticket and a report are sent again until answered, and must be saved
exactly once.

At the end the worker catches up, and for each kind of write:
accepted answers (+ unanswered writes that were saved) = events stored =
rows projected = public-log entries, with no case number, ticket or public-log
event twice, no 5xx, every receipt usable, and /healthz 200.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from application.plan_file import load_plan_file
from bench.common import machine, save
from bench.soak_traffic import PASSWORD, PLAN, TOKEN, Client, Http, Tally, csrf, reporters
from bench.topology import Topology
from domain.plan_spec import PlanSpec
from domain.staff import Role
from minsheng_site.services import Services
from projections.cases.cases import CaseRow
from projections.plans.progress import ProgressReport
from projections.publiclog.public_log import LogEntry
from projections.ratings.satisfaction import BallotRow
from projections.staff.staff import StaffRow

PEPPER = "soak-pepper"
# Generous: the limits are tested elsewhere; here they must not refuse the soak's own traffic.
LIMITS = {
    name: "100000 per hour"
    for name in (
        "CASE_LIMIT_PER_ADDRESS",
        "CASE_LIMIT_PER_PHONE",
        "LOOKUP_LIMIT",
        "LOOKUP_LIMIT_PER_CASE",
        "CODE_LIMIT_PER_ADDRESS",
        "CODE_LIMIT_PER_CONTACT",
        "VERIFY_LIMIT",
        "VERIFY_LIMIT_PER_CONTACT",
        "RATING_LIMIT_PER_ADDRESS",
        "RATING_LIMIT_PER_VOTER",
        "LOGIN_LIMIT_PER_ADDRESS",
    )
}
WRITES = ("case", "ticket", "rating", "report")
PUBLIC_KINDS = {"rating.cast": "rating", "report.filed": "report"}  # public-log kind -> write

# The run ------------------------------------------------------------------------------------


@dataclass
class Chaos:
    """What the kills did and how the processes recovered."""

    worker_killed_at: float = 0.0
    worker_behind_at_restart: int = 0
    worker_caught_up_after: float | None = None  # seconds from restart to positions >= head
    worker_started_after: float | None = None  # seconds until the new worker said it runs
    worker_projects_after: float | None = None  # an event written without catch-up, at the end
    web_killed_pid: int = 0
    web_killed_at: float = 0.0
    web_respawned_after: float | None = None


@dataclass
class Result:
    seconds: float
    clients: int
    tally: Tally
    chaos: Chaos
    events: Counter[str]  # by kind, from the event store
    rows: Counter[str]  # by kind, from the read models
    public: Counter[str]  # by kind, from the public log
    expected: Counter[str]  # accepted answers + unanswered writes that were saved, by kind
    saved_unanswered: Counter[str]
    duplicates: Counter[str]  # what was found twice, by what
    missing: list[str]  # accepted writes not found exactly once
    receipts: tuple[int, int]  # usable, all
    lookups: tuple[int, int]  # /cases/lookup over HTTP: usable, tried
    events_written: int
    drain_seconds: float | None
    healthz: int
    tracebacks: int

    def problems(self) -> list[str]:
        out = []
        for kind in (*WRITES, "staff"):
            figures = [self.expected[kind], self.events[kind], self.rows[kind]]
            if kind != "staff":
                figures.append(self.public[kind])
            if len(set(figures)) != 1:
                out.append(f"{kind}: accepted / events / rows / public log = {figures}")
        if self.events["rating recast"]:
            out.append(f"{self.events['rating recast']} ratings saved twice (Recast)")
        out += [f"{what} found twice: {n}" for what, n in self.duplicates.items() if n]
        out += self.missing
        statuses = Counter(status for _k, status, _p in self.tally.unexpected)
        if statuses:
            out.append(f"unexpected answers by status: {dict(statuses)}")
        if self.receipts[0] != self.receipts[1] or self.lookups[0] != self.lookups[1]:
            out.append(f"receipts usable {self.receipts}, lookups {self.lookups}")
        if self.tally.codes_lost:
            out.append(f"{self.tally.codes_lost} tickets answered without their query code")
        if self.tally.retries_same_number == 0:
            out.append("no resend of a ticket was answered created: false, same number and code")
        if self.drain_seconds is None:
            out.append("the read models did not catch up with the log")
        if self.healthz != 200:
            out.append(f"/healthz answered {self.healthz} at the end")
        if self.chaos.web_respawned_after is None:
            out.append("the killed gunicorn worker was not replaced")
        if self.chaos.worker_caught_up_after is None:
            out.append("the read models did not catch up after the worker's restart")
        if self.chaos.worker_projects_after is None:
            out.append("the restarted projections worker did not project a new event")
        if self.tracebacks:
            out.append(f"{self.tracebacks} tracebacks in the processes' logs")
        return out


@contextmanager
def stores(
    database_url: str | None, keys_url: str | None, redis_url: str | None
) -> Iterator[tuple[str, str, str]]:
    """The given stores, or a throwaway PostgreSQL cluster and redis-server of our own."""
    from tests.postgres import Cluster
    from tests.redis_server import RedisServer

    cluster = server = None
    try:
        if database_url is None or keys_url is None:
            cluster = Cluster()
            cluster.start()
            database_url = cluster.create_database("soak")
            keys_url = cluster.create_database("soak_keys")
        if redis_url is None:
            server = RedisServer()
            server.start()
            redis_url = server.url
        yield database_url, keys_url, redis_url
    finally:
        if server is not None:
            server.stop()
        if cluster is not None:
            cluster.stop()


def run(
    seconds: float = 60,
    clients: int = 8,
    database_url: str | None = None,
    keys_url: str | None = None,
    redis_url: str | None = None,
    folder: Path | None = None,
) -> Result:
    folder = folder or Path(tempfile.mkdtemp(prefix="minsheng-soak-"))
    with stores(database_url, keys_url, redis_url) as (database, keys, limits):
        env = {
            "DATABASE_URL": database,
            "KEY_STORE_URL": keys,
            "RATELIMIT_STORAGE_URI": limits,
            "INSTANCE_PATH": str(folder / "instance"),
            "SECRET_KEY": "soak-secret",
            "PII_PEPPER": PEPPER,
            "DEV_OUTBOX": "1",
            "INTAKE_API_TOKEN": TOKEN,
            **LIMITS,
        }
        topology = Topology(env, folder)
        topology.env["PUBLIC_BASE_URL"] = topology.url
        topology.release()
        plan = load_plan_file(PLAN)
        services = Services.open(database, keys, PEPPER.encode())
        try:
            add_reporters(services, plan)
            baseline = services.ledger.recorder.max_notification_id() or 0
            topology.start()
            try:
                return soak(topology, services, plan, seconds, clients, baseline)
            finally:
                topology.stop()
        finally:
            services.close()


def add_reporters(services: Services, plan: PlanSpec) -> None:
    """What `flask users create` and `users grant` do, for each lead unit's reporter."""
    for unit, name in reporters(plan).items():
        services.ledger.open_account(name, f"{unit}填报员", "cli:soak")
        services.ledger.grant_role(name, Role("reporter", unit), "cli:soak")
        services.credentials.set(name, PASSWORD)
        services.ledger.record_password_change(name, "cli:soak")
    services.caught_up()


def soak(
    topology: Topology,
    services: Services,
    plan: PlanSpec,
    seconds: float,
    clients: int,
    baseline: int,
) -> Result:
    tally = Tally()
    start = time.monotonic()
    end = start + seconds
    workers = [Client(n, clients, topology.port, plan, tally, end) for n in range(clients)]
    threads = [threading.Thread(target=w.run, name=f"client-{w.n}") for w in workers]
    for t in threads:
        t.start()
    chaos = make_chaos(topology, services, start, seconds)
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    head = services.ledger.recorder.max_notification_id() or 0  # what the traffic wrote
    drain = wait_until_caught_up(services, timeout=120)
    # Now only the restarted worker projects: an account opened as `flask users create`
    # would be, but without its catch-up, must reach the read models through it.
    services.ledger.open_account("soak-last", "压测之后", "cli:soak")
    chaos.worker_projects_after = wait_until_caught_up(services, timeout=60)
    monitor = Http(topology.port, "127.0.0.9", Tally())
    health = monitor.call("healthz", "GET", "/healthz")
    monitor.close()
    result = count(services, tally, chaos, (baseline, head), elapsed, clients)
    result.drain_seconds = drain
    result.healthz = health.status
    result.lookups = lookups(topology.port, tally.receipts[:: max(1, len(tally.receipts) // 10)])
    time.sleep(0.5)  # let the processes flush their logs
    result.tracebacks = topology.tracebacks()
    return result


def make_chaos(topology: Topology, services: Services, start: float, seconds: float) -> Chaos:
    """kill -9 the projections worker at 35% (restarted 2 s later), a web worker at 60%."""
    chaos = Chaos()
    sleep_until(start + 0.35 * seconds)
    topology.kill_worker()
    chaos.worker_killed_at = time.monotonic() - start
    time.sleep(2)  # a supervisor's restart delay
    restarted = time.monotonic()
    topology.restart_worker()
    head = services.ledger.recorder.max_notification_id() or 0
    chaos.worker_behind_at_restart = head - min(services.projector.positions().values())
    log = topology.worker_log
    while time.monotonic() < start + 0.6 * seconds or chaos.worker_started_after is None:
        if (
            chaos.worker_caught_up_after is None
            and min(services.projector.positions().values()) >= head
        ):
            chaos.worker_caught_up_after = time.monotonic() - restarted
        if chaos.worker_started_after is None and "running" in log.read_text():
            chaos.worker_started_after = time.monotonic() - restarted
        if time.monotonic() > restarted + 60:
            break
        time.sleep(0.05)
    before = set(topology.web_pids())
    chaos.web_killed_pid = topology.kill_web_worker()
    killed = time.monotonic()
    chaos.web_killed_at = killed - start
    while time.monotonic() < killed + 30:
        now = set(topology.web_pids())
        if len(now) == topology.web_workers and now != before:
            chaos.web_respawned_after = time.monotonic() - killed
            break
        time.sleep(0.05)
    return chaos


def sleep_until(moment: float) -> None:
    time.sleep(max(0.0, moment - time.monotonic()))


def wait_until_caught_up(services: Services, timeout: float) -> float | None:
    """Seconds until every read model is at the head of the log (the worker's doing)."""
    start = time.monotonic()
    while time.monotonic() < start + timeout:
        head = services.ledger.recorder.max_notification_id() or 0
        if min(services.projector.positions().values()) >= head:
            return time.monotonic() - start
        time.sleep(0.05)
    return None


# Counting -----------------------------------------------------------------------------------


def count(
    services: Services,
    tally: Tally,
    chaos: Chaos,
    traffic: tuple[int, int],
    elapsed: float,
    clients: int,
) -> Result:
    events, submitted, numbers, external_ids, written = stored_events(services, traffic)
    rows: Counter[str] = Counter()
    public: Counter[str] = Counter()
    duplicates: Counter[str] = Counter()
    with services.read() as c:
        by_channel = select(CaseRow.channel, func.count()).group_by(CaseRow.channel)
        for channel, n in c.execute(by_channel):
            rows[{"online": "case", "api": "ticket"}.get(channel, channel)] += n
        rows["rating"] = c.execute(select(func.count()).select_from(BallotRow)).scalar_one()
        casts = c.execute(select(func.coalesce(func.sum(BallotRow.casts), 0))).scalar_one()
        duplicates["rating cast twice"] = casts - rows["rating"]
        rows["report"] = c.execute(
            select(func.count())
            .select_from(ProgressReport)
            .where(ProgressReport.corrects.is_(None))
        ).scalar_one()
        rows["staff"] = c.execute(select(func.count()).select_from(StaffRow)).scalar_one()
        reported = Counter(c.execute(select(ProgressReport.item, ProgressReport.period)).all())
        titles = Counter(
            t for (t,) in c.execute(select(CaseRow.public_title)) if t and t.startswith("压测")
        )
        for kind, event_id in c.execute(select(LogEntry.kind, LogEntry.event_id)):
            # Without consent a case's entry does not say its channel: the event does.
            public[submitted.get(event_id) or PUBLIC_KINDS.get(kind, kind)] += 1
            public["event ids"] += 1
        public["distinct event ids"] = c.execute(
            select(func.count(func.distinct(LogEntry.event_id)))
        ).scalar_one()
        ballots = {(r.kind, r.ref, r.key_id) for r in c.execute(select(BallotRow))}
    duplicates["case number"] = sum(n - 1 for n in numbers.values())
    duplicates["ticket"] = sum(n - 1 for n in external_ids.values())
    duplicates["case title"] = sum(n - 1 for n in titles.values())
    duplicates["report month"] = sum(n - 1 for n in reported.values())
    duplicates["public-log event"] = public.pop("event ids") - public.pop("distinct event ids")

    vault = services.ledger.vault
    stored: dict[str, Callable[[Any], bool]] = {
        "case": lambda title: titles[title] == 1,
        "ticket": lambda external_id: external_ids[external_id] == 1,
        "rating": lambda who: rated(ballots, vault, *who),
        "report": lambda month: reported[month] == 1,
    }
    # A write without an answer counts once it is found in the store (a resend may have
    # been answered for it too: a set of what was written, not a sum).
    saved = Counter({k: sum(map(stored[k], tally.unanswered[k])) for k in WRITES})
    expected = Counter(
        {
            kind: len(set(tally.accepted[kind]) | set(filter(stored[kind], tally.unanswered[kind])))
            for kind in WRITES
        }
    )
    expected["staff"] = len(reporters(load_plan_file(PLAN))) + 1  # and soak-last

    # Every accepted write is in the store exactly once (at most once is also checked above).
    missing = [f"{k} {x!r} accepted but not stored once" for k in WRITES
               for x in tally.accepted[k] if not stored[k](x)]  # fmt: skip
    usable = sum(1 for number, code in tally.receipts if receipt_works(services, number, code))
    return Result(
        seconds=elapsed,
        clients=clients,
        tally=tally,
        chaos=chaos,
        events=events,
        rows=rows,
        public=public,
        expected=expected,
        saved_unanswered=saved,
        duplicates=duplicates,
        missing=missing,
        receipts=(usable, len(tally.receipts)),
        lookups=(0, 0),
        events_written=written,
        drain_seconds=None,
        healthz=0,
        tracebacks=0,
    )


def stored_events(
    services: Services, traffic: tuple[int, int]
) -> tuple[Counter[str], dict[int, str], Counter[str], Counter[str], int]:
    """Events by kind; the kind of each case submitted (by notification id); case numbers
    and ticket ids as stored; how many events the traffic wrote (ids in `traffic`)."""
    recorder, mapper = services.ledger.recorder, services.ledger.mapper
    kinds = {
        "Ballot.Cast": "rating",
        "Ballot.Recast": "rating recast",
        "Item.ProgressReported": "report",
        "StaffAccount.Created": "staff",
    }
    events: Counter[str] = Counter()
    submitted: dict[int, str] = {}
    numbers: Counter[str] = Counter()
    external_ids: Counter[str] = Counter()
    written = 0
    position = 0
    while page := recorder.select_notifications(position, 1000, inclusive_of_start=False):
        for notification in page:
            written += traffic[0] < notification.id <= traffic[1]
            name = notification.topic.rpartition(":")[2]
            if name == "Case.Submitted":
                case = mapper.to_domain_event(notification)
                submitted[notification.id] = "ticket" if case.channel == "api" else "case"
                events[submitted[notification.id]] += 1
                numbers[case.number] += 1
                if case.external_id:
                    external_ids[case.external_id] += 1
            elif name in kinds:
                events[kinds[name]] += 1
        position = page[-1].id
    return events, submitted, numbers, external_ids, written


def rated(ballots: set[tuple[str, str, str]], vault: Any, phone: str, subject: str) -> bool:
    kind, ref = subject.split("/")
    return any((kind.rstrip("s"), ref, key) in ballots for key in vault.keys_of(phone))


def receipt_works(services: Services, number: str, code: str) -> bool:
    try:
        return services.ledger.details_for_citizen(number, code).case.number == number
    except Exception:
        return False


def lookups(port: int, receipts: list[tuple[str, str]]) -> tuple[int, int]:
    """Receipts used as a citizen would: /cases/lookup with number and code, then /cases/mine."""
    usable = 0
    for number, code in receipts:
        citizen = Http(port, "127.0.0.9", Tally())
        page = citizen.read("lookup", "/cases/lookup")
        form = {"csrf_token": csrf(page.body), "number": number, "code": code}
        answer = citizen.call("lookup", "POST", "/cases/lookup", form, expect=(303,))
        mine = citizen.read("mine", "/cases/mine") if answer.status == 303 else None
        usable += bool(mine and mine.status == 200 and number in mine.body)
        citizen.close()
    return usable, len(receipts)


# The table ----------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def table(result: Result) -> str:
    t = result.tally
    lines = [
        f"machine: {machine()}",
        f"{result.clients} clients × {result.seconds:.0f} s; gunicorn 1 master, 2 workers × 4 "
        "threads; 1 projections worker; PostgreSQL; Redis",
        "",
        f"{'requests':16} {'answered':>8} {'errors':>7} {'no answer':>9} {'p50 ms':>8} "
        f"{'p99 ms':>8}",
    ]
    errors = Counter(k for k, _s, _p in t.unexpected)
    resets = Counter(k for k, _p, _w in t.resets)
    for kind in sorted(set(t.latencies) | set(resets)):
        values = t.latencies.get(kind, [])
        p50 = statistics.median(values) * 1000 if values else 0.0
        p99 = percentile(values, 0.99) * 1000 if values else 0.0
        lines.append(
            f"{kind:16} {len(values):8d} {errors[kind]:7d} {resets[kind]:9d} {p50:8.1f} {p99:8.1f}"
        )
    total = sum(len(v) for v in t.latencies.values())
    statuses = Counter(s for _k, s, _p in t.unexpected)
    lines += [
        f"{'all':16} {total:8d} {len(t.unexpected):7d} {len(t.resets):9d}",
        f"errors by status: {dict(statuses) or 'none'}; 5xx: "
        f"{sum(n for s, n in statuses.items() if s >= 500)}",
        "",
        f"{'writes':8} {'accepted':>8} {'no answer':>9} {'of them saved':>13} {'events':>7} "
        f"{'rows':>6} {'public log':>10}",
    ]
    for kind in (*WRITES, "staff"):
        lines.append(
            f"{kind:8} {len(t.accepted[kind]) if kind in WRITES else result.expected[kind]:8d} "
            f"{len(t.unanswered[kind]):9d} {result.saved_unanswered[kind]:13d} "
            f"{result.events[kind]:7d} {result.rows[kind]:6d} "
            f"{result.public[kind] if kind != 'staff' else '-':>10}"
        )
    c = result.chaos
    lines += [
        "",
        f"events written: {result.events_written} ({result.events_written / result.seconds:.1f}/s)"
        f"; duplicates: {sum(result.duplicates.values())}; ticket resends answered "
        f"created: false with the same number and code: {t.retries_same_number}",
        f"tickets saved by a request cut off, answered on a resend: {t.resent_after_reset}; "
        f"tickets answered without their query code: {t.codes_lost}",
        f"receipts usable: {result.receipts[0]}/{result.receipts[1]} (details_for_citizen), "
        f"{result.lookups[0]}/{result.lookups[1]} through /cases/lookup",
        f"projections worker: kill -9 at {c.worker_killed_at:.1f} s, restarted 2 s later "
        f"({c.worker_behind_at_restart} events behind then; read models at that head "
        f"{fmt(c.worker_caught_up_after)} s after the restart; the new worker running after "
        f"{fmt(c.worker_started_after)} s)",
        f"gunicorn worker {c.web_killed_pid}: kill -9 at {c.web_killed_at:.1f} s, replaced after "
        f"{fmt(c.web_respawned_after)} s",
        f"an account opened after the traffic (no catch-up of its own) projected by the "
        f"restarted worker after {fmt(c.worker_projects_after)} s",
        f"read models at the head {fmt(result.drain_seconds)} s after the traffic stopped; "
        f"/healthz {result.healthz}; tracebacks in the logs: {result.tracebacks}",
    ]
    problems = result.problems()
    lines += ["", "PROBLEMS:" if problems else "no problems found", *problems]
    return "\n".join(lines)


def fmt(seconds: float | None) -> str:
    return "never" if seconds is None else f"{seconds:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    if not 1 <= args.clients <= 99:  # two digits of each client's phone numbers
        parser.error("--clients: 1 to 99")
    if args.seconds < 10:  # the kills come at 35% and 60%, each needs a few seconds
        parser.error("--seconds: 10 or more")
    result = run(args.seconds, args.clients)
    print(table(result))
    save("soak", {"machine": machine(), "table": table(result).splitlines()})
    raise SystemExit(1 if result.problems() else 0)


if __name__ == "__main__":
    main()
