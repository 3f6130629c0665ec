"""The read models' engine and declarative base."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import DateTime, Dialect, Engine, Table, create_engine, event
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator


class ReadModel(DeclarativeBase):
    """Base of every read-model table. Rows are written only by projections."""

    # Every read model maps one Table, so say so (SQLAlchemy types it as any FromClause,
    # which insert() and create() do not take; its maintainers' advice, sqlalchemy#9130).
    __table__: ClassVar[Table]


class UtcDateTime(TypeDecorator[datetime]):
    """An instant, stored in UTC, read back time-zone aware on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("instants must be time-zone aware")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


# On SQLite a projector opens its transaction with BEGIN IMMEDIATE: it holds
# the write lock from its first read of the tracking position to its commit.
WRITE = {"sqlite_begin": "IMMEDIATE"}


def make_engine(url: str, **kwargs: Any) -> Engine:
    # hide_parameters: a failing statement's values never reach an exception or a log line.
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy emit BEGIN itself (pysqlite's implicit BEGIN skips SELECTs).
    dbapi_connection.isolation_level = None
    dbapi_connection.execute("PRAGMA journal_mode=WAL")
    # Read models are rebuildable; NORMAL is safe in WAL and keeps commits cheap.
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")
    # Text a read model drops (an erasure) is overwritten, not left in free space.
    dbapi_connection.execute("PRAGMA secure_delete=ON")


def _sqlite_begin(connection: Any) -> None:
    mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")
