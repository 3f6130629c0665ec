"""What an erasure leaves on disk: nothing readable, as far as the database can see to it.

SQLite keeps deleted text in free space inside its file and old page images
in its write-ahead log (`-wal`) until a checkpoint. Every connection that
writes (the event store's, the read models', the key store's) therefore runs
with ``PRAGMA secure_delete=ON`` (freed space is overwritten with zeros), and
after an erasure `scrub` copies the WAL back, rebuilds the file (VACUUM) and
truncates the WAL to nothing. On PostgreSQL `scrub` runs VACUUM: dead rows
leave visibility and their space is reused, but it is not zeroed, and the
server's WAL and backups keep old versions (see README, "Personal data").
"""

from __future__ import annotations

import sqlite3
from typing import Any

from eventsourcing.sqlite import SQLiteConnection, SQLiteConnectionPool, SQLiteFactory
from sqlalchemy import Engine

SECURE_DELETE = "PRAGMA secure_delete=ON"


class SecureDeletePool(SQLiteConnectionPool):
    """eventsourcing's SQLite pool, each new connection overwriting what it deletes."""

    def _create_connection(self) -> SQLiteConnection:
        connection = super()._create_connection()
        # The library offers no hook for pragmas: its connection keeps the sqlite3 one here.
        raw: sqlite3.Connection = connection._sqlite_conn
        raw.execute(SECURE_DELETE)
        return connection


class SecureDeleteSQLiteFactory(SQLiteFactory):
    """`PERSISTENCE_MODULE` for the event store on SQLite (see application.store)."""

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        plain = self.datastore.pool  # made, not yet connected: same settings, secure connections
        self.datastore.pool = SecureDeletePool(
            db_name=plain.db_name,
            lock_timeout=plain.lock_timeout,
            pool_size=plain.pool_size,
            max_overflow=plain.max_overflow,
            pool_timeout=plain.pool_timeout,
            max_age=plain.max_age,
            pre_ping=plain.pre_ping,
        )
        plain.close()


def scrub(engine: Engine) -> bool:
    """After an erasure: leave no readable copy of deleted rows in the database's files.

    True when done completely; False when a reader kept SQLite from emptying its
    WAL (run `flask cases scrub` again when the site is quiet).
    """
    if engine.dialect.name != "sqlite":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.exec_driver_sql("VACUUM")  # dead rows out of visibility, their space for reuse
        return True
    raw = engine.raw_connection()  # outside SQLAlchemy's transactions: VACUUM cannot run in one
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.execute("VACUUM")  # a fresh file: no old bytes between rows or in free pages
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the WAL that VACUUM wrote, emptied
        busy = cursor.fetchone()
        cursor.close()
    finally:
        raw.close()
    return busy is not None and busy[0] == 0
