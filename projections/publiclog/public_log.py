"""The public log: every public entry in log order with its hash, and its subjects for feeds."""

from __future__ import annotations

import json
from collections.abc import Iterator, MutableMapping
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Connection, Integer, String, Text, bindparam, insert, select, text
from sqlalchemy.orm import Mapped, mapped_column

from projections.database import ReadModel, UtcDateTime
from projections.projection import Projection, handled, topics_of
from projections.publiclog.public_entries import GENESIS, Deriver, chain

# Sequence numbers are 32-bit integers in the read model (PostgreSQL INTEGER).
MAX_SEQ = 2**31 - 1


class LogEntry(ReadModel):
    __tablename__ = "public_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    event_id: Mapped[int] = mapped_column(Integer, unique=True)  # the store's notification id
    kind: Mapped[str] = mapped_column(String(32), index=True)
    year: Mapped[int | None] = mapped_column(Integer)
    business_date: Mapped[str | None] = mapped_column(String(10))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    corrects: Mapped[str | None] = mapped_column(String(36))
    canonical: Mapped[str] = mapped_column(Text)  # exactly what was hashed
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class LogSubject(ReadModel):
    __tablename__ = "public_log_subjects"

    subject: Mapped[str] = mapped_column(String(96), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)


class LogContext(ReadModel):
    """What derivation remembers of earlier events (a case's number and consent, ...)."""

    __tablename__ = "public_log_context"

    key: Mapped[str] = mapped_column(String(96), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class StoredContext(MutableMapping[str, Any]):
    def __init__(self, connection: Connection) -> None:
        self.c = connection

    def __getitem__(self, key: str) -> Any:
        row = self.c.execute(_GET, {"key": key}).first()
        if row is None:
            raise KeyError(key)
        return row.value

    def __setitem__(self, key: str, value: Any) -> None:
        self.c.execute(_UPSERT, {"key": key, "value": value})

    def __delitem__(self, key: str) -> None:
        raise NotImplementedError

    def __iter__(self) -> Iterator[str]:
        return iter(self.c.execute(select(LogContext.key)).scalars())

    def __len__(self) -> int:
        return len(list(self))


# Statements built once, values bound at execution (SQLAlchemy caches their compiled form;
# the dialects' ON CONFLICT constructs are not cached, so the upsert is written in SQL that
# SQLite and PostgreSQL both take). Each runs once or twice for every event of a rebuild.
_GET = select(LogContext.value).where(LogContext.key == bindparam("key"))
_UPSERT = text(
    "INSERT INTO public_log_context (key, value) VALUES (:key, :value) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
).bindparams(bindparam("value", type_=JSON))
_LAST = select(LogEntry.seq, LogEntry.hash).order_by(LogEntry.seq.desc()).limit(1)
_ENTRY = insert(LogEntry.__table__)
_SUBJECT = insert(LogSubject.__table__)


class PublicLog(Projection):
    name = "public_log"
    version = 1
    tables = (LogEntry, LogSubject, LogContext)

    def topics(self) -> list[str]:
        return topics_of(handled(Deriver, "derive"))

    def process_event(self, event: object, c: Connection, position: int) -> None:
        """Dispatched by type in `Deriver.derive`, whose handlers are this projection's."""
        entry = Deriver(StoredContext(c)).derive(event)
        if entry is None:
            return
        last = c.execute(_LAST).first()
        seq, previous = (last.seq + 1, last.hash) if last else (1, GENESIS)
        c.execute(
            _ENTRY,
            {
                "seq": seq,
                "uuid": entry.uuid,
                "event_id": position,
                "kind": entry.kind,
                "year": entry.year,
                "business_date": entry.business_date,
                "recorded_at": entry.recorded_at,
                "payload": entry.payload,
                "corrects": entry.corrects,
                "canonical": entry.canonical(),
                "prev_hash": previous,
                "hash": chain(previous, entry),
            },
        )
        c.execute(_SUBJECT, [{"subject": s, "seq": seq} for s in entry.subjects])


def export_line(row: Any) -> str:
    """One line of the JSON Lines export: the hashed text, and the chain around it."""
    return json.dumps(
        {
            "seq": row.seq,
            "entry": json.loads(row.canonical),
            "prev_hash": row.prev_hash,
            "hash": row.hash,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )
