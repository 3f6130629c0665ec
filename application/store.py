"""One database setting for the event store and the read models.

``DATABASE_URL`` is either ``sqlite:///path/to/file.sqlite3`` (the embedded
default) or ``postgresql://user:password@host:port/dbname``. The event store
(eventsourcing) and the read models (SQLAlchemy) share that one database.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit


class BadDatabaseUrl(ValueError):
    pass


@dataclass(frozen=True)
class StoreSettings:
    event_store_env: dict[str, str]  # for eventsourcing's Application(env=...)
    sqlalchemy_url: str  # for the read models
    is_sqlite: bool


def store_settings(database_url: str) -> StoreSettings:
    parts = urlsplit(database_url)
    scheme = parts.scheme.split("+", 1)[0]
    if scheme == "sqlite":
        path = database_url.split(":///", 1)[1] if ":///" in database_url else ""
        if not path or path == ":memory:":
            raise BadDatabaseUrl("sqlite needs a file: sqlite:///path/to/file.sqlite3")
        private_sqlite_file(Path(path))
        return StoreSettings(
            event_store_env={
                # eventsourcing.sqlite, its connections overwriting what they delete
                "PERSISTENCE_MODULE": "application.disk:SecureDeleteSQLiteFactory",
                "SQLITE_DBNAME": path,
                "SQLITE_LOCK_TIMEOUT": "15",
            },
            sqlalchemy_url=f"sqlite:///{path}",
            is_sqlite=True,
        )
    if scheme in ("postgres", "postgresql"):
        if not parts.hostname or not parts.path.strip("/"):
            raise BadDatabaseUrl("postgresql needs a host and a database name")
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": unquote(parts.path.strip("/")),
            "POSTGRES_HOST": parts.hostname,
            "POSTGRES_PORT": str(parts.port or 5432),
            "POSTGRES_USER": unquote(parts.username or ""),
            "POSTGRES_PASSWORD": unquote(parts.password or ""),
        }
        rest = database_url.split("://", 1)[1]
        return StoreSettings(env, f"postgresql+psycopg://{rest}", is_sqlite=False)
    raise BadDatabaseUrl(f"unsupported database URL scheme {parts.scheme!r}")


def private_sqlite_file(path: Path) -> None:
    """The database file exists and only its owner may read it (0600).

    Made here, before SQLite opens it, because SQLite gives the -wal, -shm and
    -journal files it creates the mode of the database file: they are 0600 too.
    Files an earlier version left readable are tightened.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600))
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            os.chmod(f"{path}{suffix}", 0o600)
