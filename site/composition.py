"""The composition root: every long-lived object of a process, built once from settings.

The web app (`create_app`) and the `projections` worker (`minsheng_site.worker`)
both build their `Services` here, so a read model, a sender or a store setting
is wired in one place. No Flask here: the worker runs without it, and the web
layer's Flask-only pieces (Flask-Limiter's extension object) take their settings
from `Services.settings`.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

import psycopg
from sqlalchemy import Connection, Engine, create_engine
from sqlalchemy.pool import StaticPool

from application import Ledger
from application.credentials import DEFAULT_METHOD, CredentialStore
from application.disk import scrub
from application.ledger import system_clock
from application.notifier import Notifier, Rules
from application.photos import PhotoStore
from application.store import store_settings
from application.subscriptions import Subscriptions
from application.vault import Vault
from application.verification import Outbox, Router, Sender, SmsGateway, Smtp, Verifier
from minsheng_site.config import settings as config_settings
from minsheng_site.notices import renderer
from projections.cases.access_log import AccessLog
from projections.cases.cases import Cases
from projections.cycle.candidates import Candidates
from projections.cycle.proposals import Proposals
from projections.database import make_engine
from projections.plans import queries as q
from projections.plans.amendments import PlanAmendments
from projections.plans.catalog import Catalog
from projections.plans.progress import Progress
from projections.plans.progress_queries import PlanProgress, plan_progress
from projections.plans.report_photos import ReportPhotos
from projections.projection import Projection
from projections.projector import Projector
from projections.publiclog.public_log import PublicLog
from projections.publiclog.store_chain import StoreChain
from projections.ratings.awards import Awards
from projections.ratings.satisfaction import Satisfaction
from projections.search.index import SearchIndex
from projections.staff.staff import Staff
from projections.supervision.supervision import Supervision

T = TypeVar("T")
Clock = Callable[[], datetime]
SQLITE_POOL_TIMEOUT = 30.0  # seconds: twice SQLITE_LOCK_TIMEOUT (application/store.py)
# The advisory lock that start-up takes on a PostgreSQL store (any constant the site owns).
SETUP_LOCK = 0x6D696E73  # "mins"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Settings:
    """What the root is built from (the web app's config or the environment, see `from_config`)."""

    database_url: str
    key_store_url: str | None = None  # None: keys in memory, for tools and tests that take no cases
    pepper: bytes = b"not a secret"
    dev_outbox: bool = False
    smtp_url: str = ""
    sms_gateway_url: str = ""
    sms_gateway_token: str = ""
    ratelimit_storage_uri: str = "memory://"
    projector_interval: float = 0.5
    password_hash: str = DEFAULT_METHOD  # werkzeug's method string, e.g. scrypt:32768:8:1
    public_base_url: str = "http://127.0.0.1:5000"  # links in messages
    notify_rules: Rules = field(default_factory=Rules)
    photo_dir: str | None = None  # None: no photo store (photos are refused)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Settings:
        """From the settings mapping of minsheng_site.config (the Flask config holds the same)."""
        return cls(
            database_url=config["DATABASE_URL"],
            key_store_url=config.get("KEY_STORE_URL"),
            pepper=str(config["PII_PEPPER"]).encode(),
            dev_outbox=bool(config.get("DEV_OUTBOX")),
            smtp_url=config.get("SMTP_URL", ""),
            sms_gateway_url=config.get("SMS_GATEWAY_URL", ""),
            sms_gateway_token=config.get("SMS_GATEWAY_TOKEN", ""),
            ratelimit_storage_uri=config.get("RATELIMIT_STORAGE_URI", "memory://"),
            projector_interval=float(config.get("PROJECTOR_INTERVAL", 0.5)),
            password_hash=config.get("PASSWORD_HASH") or DEFAULT_METHOD,
            public_base_url=config.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000"),
            notify_rules=notify_rules(config),
            photo_dir=config.get("PHOTO_DIR") or None,
        )

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        """What the web app would read from the same environment (same instance secrets too)."""
        return cls.from_config(config_settings({}, environ))


def notify_rules(config: Mapping[str, Any]) -> Rules:
    """The notifier's timing from settings (NOTIFY_*); a wrong value stops the start."""
    start, _, end = str(config.get("NOTIFY_QUIET_HOURS", "21-8")).partition("-")
    quiet = (int(start), int(end))
    if not all(0 <= h <= 23 for h in quiet):
        raise ValueError("NOTIFY_QUIET_HOURS: two hours of the day, as 21-8")
    return Rules(
        follow_up_after=timedelta(days=int(config.get("NOTIFY_FOLLOW_UP_DAYS", 28))),
        remind_after=timedelta(days=int(config.get("NOTIFY_REMIND_DAYS", 3))),
        quiet=quiet,
        claim=timedelta(seconds=int(config.get("NOTIFY_CLAIM_SECONDS", 120))),
    )


def read_models(vault: Vault) -> list[Projection]:
    """The projection registry: one projection per read model."""
    return [
        Catalog(),
        PlanAmendments(),
        Progress(),
        ReportPhotos(),
        Supervision(),
        Staff(),
        Cases(vault),
        Satisfaction(vault),
        Awards(),
        Candidates(),
        Proposals(),
        PublicLog(),
        StoreChain(),
        AccessLog(),
        SearchIndex(vault),
    ]


@dataclass
class _Unit:
    follow: bool  # False: its writes are records on the side (a GET's access record)
    written: int = 0  # the log position of this unit's last write not yet caught up with
    lagging: bool = False  # a catch-up after one of its writes did not reach the head


class UnitsOfWork:
    """Read-your-writes in one place: what the current unit of work (a web request) wrote.

    The ledger reports each save here; a read in the same unit, or its end,
    catches the read models up first. Outside a unit (CLI, tests, the worker)
    nothing is noted and nothing changes. A unit that does not `follow` its
    writes (a GET that records a reading: a catch-up costs more than the page)
    leaves them to the worker and to the next unit that writes.
    """

    def __init__(self) -> None:
        self._current: ContextVar[_Unit | None] = ContextVar("unit_of_work", default=None)

    def begin(self, follow: bool = True) -> None:
        self._current.set(_Unit(follow))

    def end(self) -> None:
        self._current.set(None)

    def note(self, position: int) -> None:
        unit = self._current.get()
        if unit is not None and unit.follow:
            unit.written = max(unit.written, position)

    def current(self) -> _Unit | None:
        return self._current.get()


@dataclass
class Services:
    ledger: Ledger
    engine: Engine
    projector: Projector
    credentials: CredentialStore
    verifier: Verifier
    settings: Settings
    notifier: Notifier
    subscriptions: Subscriptions
    outbox: Outbox | None = None  # DEV_OUTBOX: codes kept for /dev/outbox instead of sent
    units: UnitsOfWork = field(default_factory=UnitsOfWork)
    _stop: threading.Event = field(default_factory=threading.Event)
    _memo: dict[tuple[Any, ...], Any] = field(default_factory=dict)

    @classmethod
    def open(
        cls,
        database_url: str,
        key_store_url: str | None = None,
        pepper: bytes = b"not a secret",
        clock: Clock = system_clock,
        photo_dir: str | None = None,
    ) -> Services:
        """`key_store_url` None: keys in memory, for tools and tests that take no cases.
        Passwords are hashed as the environment's PASSWORD_HASH says, as by the site."""
        method = os.environ.get("PASSWORD_HASH") or DEFAULT_METHOD
        settings = Settings(
            database_url, key_store_url, pepper, password_hash=method, photo_dir=photo_dir
        )
        return compose(settings, clock)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection to the read models, which show what this unit of work wrote."""
        self.catch_up_writes()
        with self.engine.connect() as connection:
            yield connection

    def catch_up_writes(self) -> bool:
        """Read-your-writes: once a unit of work wrote, bring the read models up to it.

        False when a catch-up after one of its writes did not reach the head
        (the unit's pages may lag). Never raises: see `caught_up`.
        """
        unit = self.units.current()
        if unit is None:
            return True
        if unit.written:
            unit.written = 0
            unit.lagging |= not self.caught_up()
        return not unit.lagging

    def plan_progress(self, c: Connection, plan: q.PlanView, as_of: date) -> PlanProgress:
        """The whole plan's progress as of a day, computed once per state of the log."""
        return self.once(("progress", plan.year, as_of), lambda: plan_progress(c, plan, as_of))

    def once(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        """`compute()`, kept until the log moves on: what a page derives from the whole log."""
        return self.kept((*key, self.ledger.recorder.max_notification_id()), compute)

    def kept(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        """`compute()`, kept under `key` (which must say what state it was computed from)."""
        found = self._memo.get(key)
        if found is None:
            found = compute()
            if len(self._memo) >= 64:
                self._memo.clear()
            self._memo[key] = found
        return found

    def scrub(self) -> bool:
        """After an erasure, once the read models dropped their copies: no readable copy of
        what they dropped, and no destroyed key, left in the databases' files (see
        application.disk). False: a reader kept SQLite from emptying a WAL; run it again."""
        return scrub(self.engine) & self.ledger.vault.scrub()

    def caught_up(self) -> bool:
        """Read-your-writes: bring every read model up to what was just written.

        Called after a write has been committed, so it never raises: a read model
        that cannot follow is reported (/healthz, `projections status`, the log)
        and the caller's page may lag, but the write stands and is answered.
        False when some read model is not at the head of the log.
        """
        try:
            head = self.ledger.recorder.max_notification_id() or 0
            self.projector.catch_up()
            return all(p >= head for p in self.projector.positions().values())
        except Exception:
            log.exception("read models could not catch up after a write")
            return False

    def start_projector_thread(self, interval: float) -> None:
        """The read models and the messages to citizens, each kept going in a thread."""
        for name, target in (("projector", self.projector.run), ("notifier", self.notifier.run)):
            threading.Thread(
                target=target, args=(self._stop, interval), name=name, daemon=True
            ).start()

    def close(self) -> None:
        self._stop.set()
        self.engine.dispose()
        self.ledger.vault.engine.dispose()  # the key store has connections of its own
        self.ledger.close()


def compose(settings: Settings, clock: Clock = system_clock) -> Services:
    """Build a process's services: ledger, vault, read models, projector, senders, verifier."""
    # Everything that creates tables (the store, read models, outbox, codes, credentials,
    # notifications, subscriptions) does so under the start-up lock.
    with _one_at_a_time(settings.database_url):
        ledger = _ledger(settings, clock)
        engine = make_engine(store_settings(settings.database_url).sqlalchemy_url)
        projector = Projector(engine, ledger.recorder, ledger.mapper, read_models(ledger.vault))
        projector.setup()
        keys = ledger.vault.engine
        outbox = Outbox(keys) if settings.dev_outbox else None
        # The ledger's clock is read at each use: the simulated year (and tests) set another.
        senders = _senders(settings, outbox)
        verifier = Verifier(keys, ledger.vault, senders, lambda: ledger.clock())
        passwords = CredentialStore(engine, settings.password_hash)
        notifier = Notifier(
            engine, ledger, senders, renderer(settings.public_base_url), settings.notify_rules
        )
        notifier.setup()
        subscriptions = Subscriptions(engine, ledger.vault, lambda: ledger.clock())
        services = Services(
            ledger,
            engine,
            projector,
            passwords,
            verifier,
            settings,
            notifier,
            subscriptions,
            outbox,
        )
    ledger.on_saved = services.units.note
    return services


@contextmanager
def _one_at_a_time(database_url: str) -> Iterator[None]:
    """Processes that start together (the Procfile's web processes and worker) set the store
    up in turn. eventsourcing creates its tables and functions on opening (CREATE TABLE IF
    NOT EXISTS, CREATE OR REPLACE FUNCTION) and the read models create theirs; PostgreSQL
    does not serialise those, and two at once can fail ("tuple concurrently updated").
    A session advisory lock on the store makes them take turns; SQLite needs none (its
    writers already take turns on the file)."""
    store = store_settings(database_url)
    if store.is_sqlite:
        yield
        return
    url = store.sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("SELECT pg_advisory_lock(%s)", (SETUP_LOCK,))
        try:
            yield
        finally:
            connection.execute("SELECT pg_advisory_unlock(%s)", (SETUP_LOCK,))


def _ledger(settings: Settings, clock: Clock) -> Ledger:
    store = store_settings(settings.database_url)
    ledger = Ledger(env=store.event_store_env, clock=clock)
    if store.is_sqlite:
        # eventsourcing's SQLite factory reads no pool timeout from the environment,
        # and its default (5 s) is shorter than the file lock timeout it is given:
        # a thread waiting for the one writer would give up while that writer is
        # still legitimately waiting for the file lock.
        ledger.recorder.datastore.pool.pool_timeout = SQLITE_POOL_TIMEOUT  # type: ignore[attr-defined]
    keys = (
        make_engine(store_settings(settings.key_store_url).sqlalchemy_url)
        if settings.key_store_url
        else create_engine(
            "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
    )
    ledger.vault = Vault(keys, settings.pepper)
    if settings.photo_dir:
        ledger.photos = PhotoStore(settings.photo_dir)
    return ledger


def _senders(settings: Settings, outbox: Outbox | None) -> Router:
    """Where one-time codes go: the dev outbox, else SMTP and/or the SMS gateway, if set."""
    email: Sender | None = outbox
    phone: Sender | None = outbox
    if settings.smtp_url:
        email = Smtp(settings.smtp_url)
    if settings.sms_gateway_url:
        phone = SmsGateway(settings.sms_gateway_url, settings.sms_gateway_token)
    return Router(email, phone)
