"""The store chain: a hash chain over every stored event record, public or not.

The public log's chain covers what each public event says in public; a
changed staff role, case-number index or byte of sealed personal data never
reaches it. This chain covers the records themselves, in notification order:

    link = sha256(previous link + "\\n" + notification id + "\\n" + originator id
                  + "\\n" + originator version + "\\n" + topic + "\\n"
                  + sha256(stored state bytes))      (hex digests, UTF-8)

starting from 64 zeros. A link reveals nothing of the content; only the head
(with the chain's length) is published, on every page and in every
checkpoint. The read model keeps one row per event (its link and what names
it), so that `flask log verify` can name each changed, deleted or inserted
record; the public log's entries join it on their `event_id`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any, Protocol
from uuid import UUID

from sqlalchemy import BigInteger, Connection, Integer, String, insert, select
from sqlalchemy.orm import Mapped, mapped_column

from projections.database import ReadModel
from projections.projection import RawProjection

GENESIS = "0" * 64

# On SQLite an INTEGER PRIMARY KEY is the table's rowid: no second index to maintain.
_ID = BigInteger().with_variant(Integer(), "sqlite")


class Record(Protocol):
    """A stored event record as the recorder returns it (eventsourcing's Notification).

    Read-only members, so that a frozen dataclass (Notification is one) satisfies it."""

    @property
    def id(self) -> int: ...
    @property
    def originator_id(self) -> UUID | str: ...
    @property
    def originator_version(self) -> int: ...
    @property
    def topic(self) -> str: ...
    @property
    def state(self) -> bytes: ...


def link(previous: str, record: Record) -> str:
    """The chain's next link after `previous`: the recipe published on the journalists' page."""
    text = "\n".join(
        (
            previous,
            str(record.id),
            str(record.originator_id),
            str(record.originator_version),
            record.topic,
            hashlib.sha256(record.state).hexdigest(),
        )
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class StoreLink(ReadModel):
    __tablename__ = "store_chain"

    notification_id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)  # the chain's length at this link
    originator_id: Mapped[str] = mapped_column(String(36))
    originator_version: Mapped[int] = mapped_column(BigInteger)
    topic: Mapped[str] = mapped_column(String(255))
    link: Mapped[str] = mapped_column(String(64))


_TABLE = StoreLink.__table__
_LAST = select(StoreLink.seq, StoreLink.link).order_by(StoreLink.notification_id.desc()).limit(1)


class StoreChain(RawProjection):
    name = "store_chain"
    version = 1
    tables = (StoreLink,)

    def apply_records(self, connection: Connection, notifications: Sequence[Record]) -> None:
        """A whole batch in one INSERT: the previous link is read once, then kept in memory."""
        if not notifications:
            return
        last = connection.execute(_LAST).first()
        seq, previous = (last.seq, last.link) if last else (0, GENESIS)
        rows = []
        for record in notifications:
            seq += 1
            previous = link(previous, record)
            rows.append(
                {
                    "notification_id": record.id,
                    "seq": seq,
                    "originator_id": str(record.originator_id),
                    "originator_version": record.originator_version,
                    "topic": record.topic,
                    "link": previous,
                }
            )
        connection.execute(insert(_TABLE), rows)


def head(c: Connection) -> tuple[int, str] | None:
    """The chain's length and last link, or None before the first event."""
    row = c.execute(_LAST).first()
    return (row.seq, row.link) if row else None


def link_at(c: Connection, notification_id: int) -> str | None:
    """The link at one stored event (a public entry's `event_id`)."""
    return c.execute(
        select(StoreLink.link).where(StoreLink.notification_id == notification_id)
    ).scalar_one_or_none()


def page(c: Connection, after: int, limit: int) -> Sequence[Any]:
    """Links after notification id `after`, in order."""
    return c.execute(
        select(_TABLE)
        .where(StoreLink.notification_id > after)
        .order_by(StoreLink.notification_id)
        .limit(limit)
    ).all()
