"""A projection: one read model, kept up to date from the event log."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, NoReturn

from eventsourcing.persistence import Notification
from eventsourcing.utils import get_topic
from sqlalchemy import (
    BigInteger,
    Connection,
    Insert,
    Integer,
    Select,
    String,
    Table,
    Update,
    bindparam,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from projections.database import ReadModel, UtcDateTime


class Position(ReadModel):
    """How far each projection has read the log, committed with its rows."""

    __tablename__ = "projection_positions"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger, default=0)
    version: Mapped[int] = mapped_column(Integer, default=0)


class Failure(ReadModel):
    """A projection that could not apply an event: which one, why, since when.

    Kept apart from the position (and its transaction), so that the failure
    outlives the rolled-back batch. Cleared when the projection moves on.
    """

    __tablename__ = "projection_failures"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    notification_id: Mapped[int] = mapped_column(BigInteger)
    event: Mapped[str] = mapped_column(String(200))  # the event's class, never its content
    error: Mapped[str] = mapped_column(String(300))
    attempts: Mapped[int] = mapped_column(Integer)
    first_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Projection:
    """Subclasses name their tables and handle events in one `singledispatchmethod`,
    `process_event(event, connection, position)`, a handler per event class annotated with
    it (a base class such as `Case.Event` takes every event of its aggregate).

    A handler gets the event, the connection of the projector's transaction and the event's
    notification id; it must be deterministic so that a rebuild from zero gives the same
    rows. The classes registered are the projection's contract: the projector selects
    their topics (`topics`), so adding a handler is all it takes. Bump `version` when the
    tables or handlers change: the projector then rebuilds this read model from zero.
    """

    name: ClassVar[str]
    version: ClassVar[int]
    tables: ClassVar[tuple[type[ReadModel], ...]]
    # The `singledispatchmethod` whose handlers make the contract: a projection whose batch
    # holds rows dispatches its own way (`Cases.on_event` takes the batch, not a connection).
    dispatch: ClassVar[str] = "process_event"

    def process_event(self, event: object, c: Connection, position: int) -> None:
        # Each subclass declares its own @singledispatchmethod; one that holds rows per
        # transaction dispatches in its batch instead (`dispatch` names the method).
        raise NotImplementedError

    def topics(self) -> list[str]:
        return topics_of(handled(type(self), self.dispatch))

    def table_objects(self) -> list[Table]:
        return [model.__table__ for model in self.tables]

    def apply(self, connection: Connection, event: object, position: int) -> None:
        self.process_event(event, connection, position)

    def batch(self, connection: Connection) -> Batch:
        """What applies one transaction's events (see `Batch`)."""
        return Batch(self, connection)


class Batch:
    """The events a projection applies in one transaction, in log order.

    This one writes each event's rows as it comes. A projection that gathers a
    transaction's rows in memory and writes them together (one `executemany` per table)
    returns its own from `Projection.batch`: `apply` may hold rows back, `flush` must
    write everything held. The projector flushes at the end of the transaction; when
    that fails it applies the events again flushing after each, so the failure is
    pinned on one event as it would be without batching.
    """

    def __init__(self, projection: Projection, connection: Connection) -> None:
        self.projection = projection
        self.connection = connection

    def apply(self, event: object, position: int) -> None:
        self.projection.apply(self.connection, event, position)

    def flush(self) -> None:
        pass


class HeldRows:
    """One table's rows for one transaction, by primary key: each read once, changed in
    memory, and written by `flush` with one INSERT for the new rows and one UPDATE of
    every column for the changed ones. SQL run on the table directly must `flush` first
    and `forget` after."""

    def __init__(self, connection: Connection, table: Table) -> None:
        self.connection = connection
        self.statements = _statements(table)
        self.rows: dict[Any, dict[str, Any] | None] = {}  # None: no such row
        self.new: set[Any] = set()
        self.changed: set[Any] = set()

    def get(self, key: Any) -> dict[str, Any] | None:
        if key not in self.rows:
            found = self.connection.execute(self.statements.select, {"key": key}).first()
            self.rows[key] = None if found is None else dict(found._mapping)
        return self.rows[key]

    def add(self, values: dict[str, Any]) -> None:
        key = values[self.statements.key]
        self.rows[key] = values
        self.new.add(key)

    def change(self, key: Any, changes: dict[str, Any]) -> None:
        """As an UPDATE of the row would: nothing for a row not there."""
        row = self.get(key)
        if row is None:
            return
        row.update(changes)
        if key not in self.new:
            self.changed.add(key)

    def flush(self) -> None:
        if self.new:
            self.connection.execute(self.statements.insert, self._held(self.new))
        if self.changed:
            rows = [{f"v_{k}": v for k, v in r.items()} for r in self._held(self.changed)]
            self.connection.execute(self.statements.rewrite, rows)
        self.new, self.changed = set(), set()

    def forget(self) -> None:
        self.rows.clear()

    def _held(self, keys: set[Any]) -> list[dict[str, Any]]:
        return [row for k in sorted(keys) if (row := self.rows[k]) is not None]


@dataclass(frozen=True)
class _Statements:
    key: str
    select: Select[Any]
    insert: Insert
    rewrite: Update


@functools.cache
def _statements(table: Table) -> _Statements:
    """A table's statements, built once per process (SQLAlchemy caches their compiled form)."""
    [key] = table.primary_key.columns
    others = [c for c in table.columns if c is not key]
    # "v_" + column: SQLAlchemy keeps a column's own name for itself in SET.
    rewrite = (
        update(table)
        .where(key == bindparam(f"v_{key.name}"))
        .values({c.name: bindparam(f"v_{c.name}", type_=c.type) for c in others})
    )
    return _Statements(
        key.name, select(table).where(key == bindparam("key")), insert(table), rewrite
    )


def unhandled(projection: object, event: object) -> NoReturn:
    """A `singledispatchmethod`'s default: an event no handler is registered for."""
    raise TypeError(f"{type(projection).__name__} has no handler for {type(event).__name__}")


def handled(owner: type, name: str) -> tuple[type, ...]:
    """The classes the `singledispatchmethod` `name` of `owner` has handlers for."""
    for cls in owner.__mro__:
        method = cls.__dict__.get(name)
        if isinstance(method, functools.singledispatchmethod):
            method.__get__(None, owner)  # eventsourcing's registers deferred handlers here
            return tuple(c for c in method.dispatcher.registry if c is not object)
    return ()


@functools.cache
def topics_of(classes: tuple[type, ...]) -> list[str]:
    """The topics of these event classes and of their subclasses, as the store names them."""
    found: set[str] = set()
    todo = list(classes)
    while todo:
        cls = todo.pop()
        found.add(get_topic(cls))
        todo.extend(cls.__subclasses__())
    return sorted(found)


class RawProjection(Projection):
    """A projection of the stored records themselves: every notification of every topic,
    as stored (ids, topic, state bytes), never decoded into domain events. The projector
    hands it each batch whole (`apply_records`).
    """

    def topics(self) -> list[str]:
        return []  # select_notifications reads every topic when given none

    def apply_records(self, connection: Connection, notifications: Sequence[Notification]) -> None:
        raise NotImplementedError
