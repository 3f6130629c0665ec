"""The public log: every public entry in log order with its hash, and its subjects for feeds."""

from __future__ import annotations

import json
from collections.abc import Iterator, MutableMapping
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Connection,
    Index,
    Integer,
    String,
    Text,
    bindparam,
    insert,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from projections.database import ReadModel, UtcDateTime
from projections.projection import Batch, Projection, handled, topics_of
from projections.publiclog.public_entries import GENESIS, Deriver, link

# Sequence numbers are 32-bit integers in the read model (PostgreSQL INTEGER).
MAX_SEQ = 2**31 - 1


class LogEntry(ReadModel):
    __tablename__ = "public_log"
    # What changed between two days: each followed kind's entries by recorded time, a range
    # of this index (the kind index alone would read every entry of the kind).
    __table_args__ = (Index("ix_public_log_kind_recorded", "kind", "recorded_at"),)

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


# Statements built once, values bound at execution (SQLAlchemy caches their compiled form;
# the dialects' ON CONFLICT constructs are not cached, so the upsert is written in SQL that
# SQLite and PostgreSQL both take).
_GET = select(LogContext.value).where(LogContext.key == bindparam("key"))
_UPSERT = text(
    "INSERT INTO public_log_context (key, value) VALUES (:key, :value) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
).bindparams(bindparam("value", type_=JSON))
_LAST = select(LogEntry.seq, LogEntry.hash).order_by(LogEntry.seq.desc()).limit(1)
_ENTRY = insert(LogEntry.__table__)
_SUBJECT = insert(LogSubject.__table__)


class HeldContext(MutableMapping[str, Any]):
    """The derivation's memory for one transaction: read through from the table once per
    key, changed in memory, written back by `flush`. Values are kept as the JSON the
    table stores, so a caller gets a fresh copy with exactly the types it would read back
    from the table (lists for tuples, string keys)."""

    def __init__(self, connection: Connection) -> None:
        self.c = connection
        self.known: dict[str, str | None] = {}  # None: not in the table
        self.changed: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        if key not in self.known:
            row = self.c.execute(_GET, {"key": key}).first()
            self.known[key] = None if row is None else json.dumps(row.value)
        found = self.known[key]
        if found is None:
            raise KeyError(key)
        return json.loads(found)

    def __setitem__(self, key: str, value: Any) -> None:
        self.known[key] = json.dumps(value)
        self.changed.add(key)

    def __delitem__(self, key: str) -> None:
        raise NotImplementedError

    def __iter__(self) -> Iterator[str]:
        raise NotImplementedError  # derivation looks keys up; it never lists them

    def __len__(self) -> int:
        raise NotImplementedError

    def flush(self) -> None:
        if self.changed:
            rows = [{"key": k, "value": json.loads(self.known[k] or "null")} for k in self.changed]
            self.c.execute(_UPSERT, sorted(rows, key=lambda row: row["key"]))
            self.changed.clear()


class PublicLogBatch(Batch):
    """Entries, subjects and context changes held for one transaction and written with one
    statement per table; the chain's last link read once."""

    def __init__(self, projection: Projection, connection: Connection) -> None:
        super().__init__(projection, connection)
        self.context = HeldContext(connection)
        self.deriver = Deriver(self.context)
        last = connection.execute(_LAST).first()
        self.seq: int = last.seq if last else 0
        self.previous: str = last.hash if last else GENESIS
        self.entries: list[dict[str, Any]] = []
        self.subjects: list[dict[str, Any]] = []

    def apply(self, event: object, position: int) -> None:
        entry = self.deriver.derive(event)
        if entry is None:
            return
        seq, canonical = self.seq + 1, entry.canonical()
        hashed = link(self.previous, canonical)
        self.entries.append(
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
                "canonical": canonical,
                "prev_hash": self.previous,
                "hash": hashed,
            }
        )
        self.subjects.extend({"subject": s, "seq": seq} for s in entry.subjects)
        self.seq, self.previous = seq, hashed

    def flush(self) -> None:
        self.context.flush()
        if self.entries:
            self.connection.execute(_ENTRY, self.entries)
            self.entries = []
        if self.subjects:
            self.connection.execute(_SUBJECT, self.subjects)
            self.subjects = []


class PublicLog(Projection):
    name = "public_log"
    # 2: every fact of the labelled simulated year says `"simulated": true` in its payload
    # (real facts' entries, and so a log without simulated facts, hash exactly as in 1);
    # 3: an index of kinds by recorded time (what changed).
    version = 3
    tables = (LogEntry, LogSubject, LogContext)

    def topics(self) -> list[str]:
        return topics_of(handled(Deriver, "derive"))

    def batch(self, connection: Connection) -> Batch:
        return PublicLogBatch(self, connection)


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
