"""Keeping read models up to date, exactly once, from any number of processes.

Each projection's rows and its position are written in one transaction that
first locks the projection's position row (``SELECT ... FOR UPDATE`` on
PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite). Web workers catching up after a
write and the separate projection worker may run at once: they take turns,
each applies only what lies past the committed position, and a process
killed mid-batch leaves nothing behind but an uncommitted transaction.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from eventsourcing.persistence import ApplicationRecorder, Mapper, Notification
from sqlalchemy import Connection, Engine, bindparam, delete, insert, select, text, update

from projections.database import WRITE
from projections.projection import Failure, Position, Projection, RawProjection

log = logging.getLogger(__name__)

SETUP_LOCK = 20230314  # any constant: the advisory lock of setup() on PostgreSQL


class ProjectionError(RuntimeError):
    pass


class _FlushFailed(ProjectionError):
    """Writing a batch's held-back rows failed: which event is to blame is not known yet."""


class CannotApply(ProjectionError):
    """A projection failed on one event: its batch is rolled back, the others go on."""

    def __init__(self, name: str, notification_id: int, event: str, error: Exception) -> None:
        self.name, self.notification_id, self.event = name, notification_id, event
        first_line = (str(error).splitlines() or [""])[0]
        self.error = f"{type(error).__name__}: {first_line}"[:300]
        super().__init__(f"{name} cannot apply notification {notification_id} ({event})")


@dataclass(frozen=True)
class Stuck:
    """What a projection failed on, as health checks and `projections status` tell it."""

    name: str
    notification_id: int
    event: str
    error: str
    attempts: int
    first_at: datetime
    last_at: datetime

    def retry_after(self) -> datetime:
        """Back off 1, 2, 4 ... up to 60 seconds between attempts (every process agrees)."""
        return self.last_at + timedelta(seconds=min(2 ** (self.attempts - 1), 60))


class Projector:
    def __init__(
        self,
        engine: Engine,
        recorder: ApplicationRecorder,
        mapper: Mapper[Any],
        projections: Sequence[Projection],
        batch_size: int = 500,
    ) -> None:
        self.engine = engine
        self.recorder = recorder
        self.mapper = mapper
        self.projections = {p.name: p for p in projections}
        self.batch_size = batch_size
        # What each reads (empty: every topic); one batch read serves them all.
        self._topics: dict[Projection, frozenset[str]] = {}
        # One catch-up at a time per process: threads queue here rather than racing
        # for the database's write lock; the next finds the work done and returns.
        self._catching_up = threading.Lock()

    def setup(self) -> None:
        """Create missing tables; rebuild any projection whose version changed.

        Safe to run from several processes at once: it runs in one transaction
        under a database-wide lock.
        """
        with self.engine.connect().execution_options(**WRITE) as connection, connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SETUP_LOCK})
            Position.__table__.create(connection, checkfirst=True)
            Failure.__table__.create(connection, checkfirst=True)
            found = connection.execute(select(Position.name, Position.version))
            versions = dict(found.tuples().all())
            for projection in self.projections.values():
                if versions.get(projection.name) != projection.version:
                    self._reset(connection, projection, drop=True)

    def catch_up(self, names: Iterable[str] | None = None) -> int:
        """Apply every event recorded so far; return how many were applied.

        A projection that cannot apply an event stops there, visibly (`stuck()`,
        the log, /healthz), and is retried with backoff; the others go on.
        """
        with self._catching_up:
            return self._catch_up(names)

    def _catch_up(self, names: Iterable[str] | None) -> int:
        head = self.recorder.max_notification_id() or 0
        # An unlocked look first: a committed position at the head needs no lock.
        positions = self.positions()
        selected = list(self.projections) if names is None else list(names)
        behind = {n: positions.get(n, 0) for n in selected if positions.get(n, 0) < head}
        if not behind:
            return 0
        stuck = self.stuck()
        now = datetime.now(UTC)
        for name in [n for n in behind if n in stuck and now < stuck[n].retry_after()]:
            del behind[name]
        applied = 0
        while behind:
            done, behind = self._round(behind, head)
            applied += done
        if stuck:
            now_at = self.positions()
            for name in selected:
                if name in stuck and now_at.get(name, 0) >= stuck[name].notification_id:
                    self._clear_failure(name)
        return applied

    def _round(self, behind: dict[str, int], head: int) -> tuple[int, dict[str, int]]:
        """One batch read for every projection behind, each applying its share.

        The batch holds every event of any of their topics from the lowest position up to
        `end`, so a projection with nothing of its own in it has nothing to apply up to
        `end`: it just moves there. All of them apply their shares and move in one
        transaction (a projection's rows and position are always written together);
        if one of them fails, the round is done again with each in its own transaction,
        so that the others go on and the failure is pinned on its event.
        """
        start = min(behind.values())
        wanted = {n: self._topics_of(self.projections[n]) for n in behind}
        every = [] if not all(wanted.values()) else sorted(set().union(*wanted.values()))
        batch = self.recorder.select_notifications(
            start, self.batch_size, stop=head, topics=every, inclusive_of_start=False
        )
        # A short batch means nothing else of interest lies up to `head`.
        end = batch[-1].id if len(batch) == self.batch_size else head
        decoded: dict[int, object] = {}
        after: dict[str, int] = {}
        idle: dict[str, int] = {}
        work: dict[str, tuple[int, list[Notification]]] = {}
        for name, position in behind.items():
            if position >= end:  # ahead of this batch: its turn comes in a later round
                after[name] = position
                continue
            topics = wanted[name]
            mine = [n for n in batch if n.id > position and (not topics or n.topic in topics)]
            if mine:
                work[name] = (position, mine)
            else:
                idle[name] = position
        try:
            applied, moved = self._apply_together(work, idle, end, decoded)
        except (CannotApply, _FlushFailed):
            # One read model cannot apply its share: each on its own, so the others go on
            # and the failure is pinned on its event.
            applied, moved = self._apply_apart(work, idle, end, decoded)
        after |= moved
        return applied, {n: p for n, p in after.items() if p < head}

    def _apply_together(
        self,
        work: dict[str, tuple[int, list[Notification]]],
        idle: dict[str, int],
        end: int,
        decoded: dict[int, object],
    ) -> tuple[int, dict[str, int]]:
        """Apply each projection's share and move every one of them to `end`, in one
        transaction (one commit for a write's whole catch-up): (events applied, the new
        positions). Any failure rolls all of it back."""
        applied, found = 0, {}
        with self.engine.connect().execution_options(**WRITE) as connection, connection.begin():
            # Rows locked in one order by every process: two locking overlapping sets in
            # different orders would deadlock (PostgreSQL aborts one of them).
            for name in sorted(work.keys() | idle.keys()):
                start, mine = work[name] if name in work else (idle[name], [])
                row = connection.execute(_LOCK, {"b_name": name}).first()
                if row is None:
                    raise ProjectionError(f"projection {name} is not set up")
                if row.position != start:
                    found[name] = row.position  # moved meanwhile: read again from there
                    continue
                if mine:
                    self._apply_share(self.projections[name], connection, mine, decoded, False)
                    applied += len(mine)
                connection.execute(_MOVE, {"b_name": name, "b_start": start, "b_end": end})
                found[name] = end
        return applied, found

    def _apply_apart(
        self,
        work: dict[str, tuple[int, list[Notification]]],
        idle: dict[str, int],
        end: int,
        decoded: dict[int, object],
    ) -> tuple[int, dict[str, int]]:
        """Each projection's share in its own transaction, then the idle ones moved together."""
        applied, found = 0, {}
        for name, (position, mine) in work.items():
            projection = self.projections[name]
            try:
                try:
                    done, found[name] = self._apply(projection, position, mine, end, decoded)
                except _FlushFailed:
                    # Again, writing after each event, to learn which one cannot be written.
                    done, found[name] = self._apply(
                        projection, position, mine, end, decoded, exact=True
                    )
            except CannotApply as failure:
                # Keep what precedes the bad event, so the read model stops right before it.
                try:
                    before = [n for n in mine if n.id < failure.notification_id]
                    if before:
                        done, _ = self._apply(
                            projection, position, before, failure.notification_id - 1, decoded
                        )
                        applied += done
                finally:
                    self._record_failure(failure)
                continue
            applied += done
        return applied, found | self._apply_together({}, idle, end, decoded)[1]

    def _topics_of(self, projection: Projection) -> frozenset[str]:
        if projection not in self._topics:
            self._topics[projection] = frozenset(projection.topics())
        return self._topics[projection]

    def stuck(self) -> dict[str, Stuck]:
        """The projections that failed on an event and have not moved past it."""
        with self.engine.connect() as connection:
            rows = connection.execute(select(Failure)).all()
        return {
            r.name: Stuck(
                r.name, r.notification_id, r.event, r.error, r.attempts, r.first_at, r.last_at
            )
            for r in rows
        }

    def rebuild(self, names: Iterable[str] | None = None) -> int:
        """Empty the read models and apply the whole log again."""
        selected = list(names or self.projections)
        for name in selected:
            projection = self.projections[name]
            with self._locked(projection) as (connection, _row):
                self._reset(connection, projection, drop=False)
            self._clear_failure(name)
        return self.catch_up(selected)

    def positions(self) -> dict[str, int]:
        with self.engine.connect() as connection:
            rows = connection.execute(_POSITIONS).all()
        return {name: position for name, position in rows}

    def run(self, stop: threading.Event, interval: float = 0.5) -> None:
        """The projection worker: catch up, then poll, until `stop` is set."""
        while not stop.is_set():
            try:
                applied = self.catch_up()
            except Exception:
                log.exception("projection failed; retrying")
                applied = 0
            if not applied:
                stop.wait(interval)

    def _apply(
        self,
        projection: Projection,
        start: int,
        notifications: Sequence[Notification],
        end: int,
        decoded: dict[int, object],
        exact: bool = False,
    ) -> tuple[int, int]:
        """Apply `notifications` (all of this projection's events after `start` up to
        `end`) in one transaction: (events applied, new position).

        The batch is read from the store *before* the position is locked: holding
        SQLite's write lock while waiting for one of the event store's connections
        deadlocks with a writer that holds that connection and waits for the lock.
        Under the lock, the position must still be where the batch starts.
        """
        with self._locked(projection) as (connection, row):
            if row is None:
                raise ProjectionError(f"projection {projection.name} is not set up")
            if row.position != start:
                return 0, row.position  # moved meanwhile: read again from there
            self._apply_share(projection, connection, notifications, decoded, exact)
            moved = connection.execute(
                _MOVE, {"b_name": projection.name, "b_start": start, "b_end": end}
            ).rowcount
            if moved != 1:
                raise ProjectionError(f"position of {projection.name} moved under its lock")
            return len(notifications), end

    def _apply_share(
        self,
        projection: Projection,
        connection: Connection,
        notifications: Sequence[Notification],
        decoded: dict[int, object],
        exact: bool,
    ) -> None:
        if isinstance(projection, RawProjection):
            _apply_records(projection, connection, notifications)
        else:
            self._apply_events(projection, connection, notifications, decoded, exact)

    def _apply_events(
        self,
        projection: Projection,
        connection: Connection,
        notifications: Sequence[Notification],
        decoded: dict[int, object],
        exact: bool,
    ) -> None:
        """Apply each event; `decoded` holds the batch's events decoded so far (events are
        immutable, so the projections reading one batch share them). The projection's
        batch writes what it held back at the end, or after each event if `exact`."""
        batch = projection.batch(connection)
        for notification in notifications:
            try:
                event = decoded.get(notification.id)
                if event is None:
                    event = decoded[notification.id] = self.mapper.to_domain_event(notification)
                batch.apply(event, notification.id)
                if exact:
                    batch.flush()
            except Exception as error:
                topic = notification.topic.rpartition(":")[2][:200]
                raise CannotApply(projection.name, notification.id, topic, error) from error
        if not exact:
            try:
                batch.flush()
            except Exception as error:
                raise _FlushFailed(projection.name) from error

    def _record_failure(self, failure: CannotApply) -> None:
        log.error(
            "projection %s stopped at notification %s (%s): %s",
            failure.name,
            failure.notification_id,
            failure.event,
            failure.error,
        )
        now = datetime.now(UTC)
        with self.engine.connect().execution_options(**WRITE) as connection, connection.begin():
            found = connection.execute(
                select(Failure).where(Failure.name == failure.name).with_for_update()
            ).first()
            if found is None:
                connection.execute(
                    insert(Failure).values(
                        name=failure.name,
                        notification_id=failure.notification_id,
                        event=failure.event,
                        error=failure.error,
                        attempts=1,
                        first_at=now,
                        last_at=now,
                    )
                )
            else:
                same = found.notification_id == failure.notification_id
                connection.execute(
                    update(Failure)
                    .where(Failure.name == failure.name)
                    .values(
                        notification_id=failure.notification_id,
                        event=failure.event,
                        error=failure.error,
                        attempts=found.attempts + 1 if same else 1,
                        first_at=found.first_at if same else now,
                        last_at=now,
                    )
                )

    def _clear_failure(self, name: str) -> None:
        with self.engine.connect().execution_options(**WRITE) as connection, connection.begin():
            connection.execute(delete(Failure).where(Failure.name == name))

    def _locked(self, projection: Projection) -> _Locked:
        return _Locked(self.engine, projection.name)

    def _reset(self, connection: Connection, projection: Projection, drop: bool) -> None:
        tables = projection.table_objects()
        if drop:
            for table in reversed(tables):
                table.drop(connection, checkfirst=True)
        for table in tables:
            table.create(connection, checkfirst=True)
            connection.execute(delete(table))
        connection.execute(delete(Position).where(Position.name == projection.name))
        connection.execute(
            Position.__table__.insert().values(
                name=projection.name, position=0, version=projection.version
            )
        )


def _apply_records(
    projection: RawProjection, connection: Connection, notifications: Sequence[Notification]
) -> None:
    try:
        projection.apply_records(connection, notifications)
    except Exception as error:
        # No one event is to blame: the projection stops before its batch, visibly.
        first = notifications[0]
        raise CannotApply(projection.name, first.id, "stored records", error) from error


class _Locked:
    """A write transaction holding the lock on one projection's position row."""

    def __init__(self, engine: Engine, name: str) -> None:
        self.engine = engine
        self.name = name

    def __enter__(self) -> tuple[Connection, Any]:
        self.connection = self.engine.connect().execution_options(**WRITE)
        self.transaction = self.connection.begin()
        row = self.connection.execute(_LOCK, {"b_name": self.name}).first()
        return self.connection, row

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        try:
            if exc_type is None:
                self.transaction.commit()
            else:
                self.transaction.rollback()
        finally:
            self.connection.close()


_POSITIONS = select(Position.name, Position.position)  # asked on every public page
_LOCK = select(Position).where(Position.name == bindparam("b_name")).with_for_update()
_MOVE = (
    update(Position)
    .where(Position.name == bindparam("b_name"), Position.position == bindparam("b_start"))
    .values(position=bindparam("b_end"))
)
