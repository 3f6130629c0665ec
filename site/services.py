"""The process-wide services: the ledger (writes), the read models, the projector."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from flask import current_app
from sqlalchemy import Connection, Engine, create_engine
from sqlalchemy.pool import StaticPool

from application import Ledger
from application.credentials import CredentialStore
from application.disk import scrub
from application.ledger import system_clock
from application.store import store_settings
from application.vault import Vault
from projections import queries as q
from projections.access_log import AccessLog
from projections.awards import Awards
from projections.cases import Cases
from projections.catalog import Catalog
from projections.database import make_engine
from projections.progress import Progress
from projections.progress_queries import PlanProgress, plan_progress
from projections.projector import Projector
from projections.public_log import PublicLog
from projections.satisfaction import Satisfaction
from projections.staff import Staff
from projections.store_chain import StoreChain
from projections.supervision import Supervision

T = TypeVar("T")
SQLITE_POOL_TIMEOUT = 30.0  # seconds: twice SQLITE_LOCK_TIMEOUT (application/store.py)
log = logging.getLogger(__name__)


@dataclass
class Services:
    ledger: Ledger
    engine: Engine
    projector: Projector
    credentials: CredentialStore
    _stop: threading.Event = field(default_factory=threading.Event)
    _memo: dict[tuple[Any, ...], Any] = field(default_factory=dict)

    @classmethod
    def open(
        cls,
        database_url: str,
        key_store_url: str | None = None,
        pepper: bytes = b"not a secret",
        clock: Callable[[], datetime] = system_clock,
    ) -> Services:
        """`key_store_url` None: keys in memory, for tools and tests that take no cases.
        `clock`: when events are recorded (tests stop it at a day of their choosing)."""
        settings = store_settings(database_url)
        ledger = Ledger(env=settings.event_store_env, clock=clock)
        if settings.is_sqlite:
            # eventsourcing's SQLite factory reads no pool timeout from the environment,
            # and its default (5 s) is shorter than the file lock timeout it is given:
            # a thread waiting for the one writer would give up while that writer is
            # still legitimately waiting for the file lock.
            ledger.recorder.datastore.pool.pool_timeout = SQLITE_POOL_TIMEOUT  # type: ignore[attr-defined]
        keys = (
            make_engine(store_settings(key_store_url).sqlalchemy_url)
            if key_store_url
            else create_engine(
                "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
            )
        )
        ledger.vault = Vault(keys, pepper)
        engine = make_engine(settings.sqlalchemy_url)
        projections = [
            Catalog(),
            Progress(),
            Supervision(),
            Staff(),
            Cases(ledger.vault),
            Satisfaction(ledger.vault),
            Awards(),
            PublicLog(),
            StoreChain(),
            AccessLog(),
        ]
        projector = Projector(engine, ledger.recorder, ledger.mapper, projections)
        projector.setup()
        return cls(ledger, engine, projector, CredentialStore(engine))

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as connection:
            yield connection

    def plan_progress(self, c: Connection, plan: q.PlanView, as_of: date) -> PlanProgress:
        """The whole plan's progress as of a day, computed once per state of the log."""
        return self.once(("progress", plan.year, as_of), lambda: plan_progress(c, plan, as_of))

    def once(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        """`compute()`, kept until the log moves on: what a page derives from the whole log."""
        full = (*key, self.ledger.recorder.max_notification_id())
        found = self._memo.get(full)
        if found is None:
            found = compute()
            if len(self._memo) >= 64:
                self._memo.clear()
            self._memo[full] = found
        return found  # type: ignore[no-any-return]

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
        thread = threading.Thread(
            target=self.projector.run, args=(self._stop, interval), name="projector", daemon=True
        )
        thread.start()

    def close(self) -> None:
        self._stop.set()
        self.engine.dispose()
        self.ledger.vault.engine.dispose()  # the key store has connections of its own
        self.ledger.close()


def services() -> Services:
    return current_app.extensions["minsheng"]
