"""Reading the public log: by subject for feeds, one entry for its page, pages for the API."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, select

from projections.publiclog.public_log import LogEntry, LogSubject

_ENTRY = LogEntry.__table__


def latest(c: Connection, subject: str | None, limit: int = 50) -> Sequence[Row[Any]]:
    if subject is None:
        return c.execute(select(_ENTRY).order_by(LogEntry.seq.desc()).limit(limit)).all()
    subjects = LogSubject.__table__
    # Ordered by the subject table's seq, so the (subject, seq) key is walked backwards:
    # ordering by public_log.seq sorted every entry of the subject (40 ms for 10,000 cases).
    query = (
        select(_ENTRY)
        .join(subjects, LogSubject.seq == LogEntry.seq)
        .where(LogSubject.subject == subject)
        .order_by(LogSubject.seq.desc())
        .limit(limit)
    )
    return c.execute(query).all()


# What the everything feed leaves to others: single ratings (a daily digest tells them) and
# case intakes (the case feeds carry them), proposals received and supported (the
# solicitation's page counts them; the proposals feed tells those published and answered).
NOT_NEWS = (
    "rating.cast",
    "rating.replaced",
    "rating.comment_published",
    "rating.comment_rejected",
    "case.submitted",
    "proposal.submitted",
    "proposal.supported",
)
RATINGS = ("rating.cast", "rating.replaced")


def latest_news(c: Connection, limit: int = 50) -> Sequence[Row[Any]]:
    """The newest entries but single ratings and case intakes (seq walked backwards)."""
    query = (
        select(_ENTRY)
        .where(LogEntry.kind.not_in(NOT_NEWS))
        .order_by(LogEntry.seq.desc())
        .limit(limit)
    )
    return c.execute(query).all()


def ratings_since(c: Connection, since: datetime, limit: int = 20_000) -> Sequence[Row[Any]]:
    """The newest `limit` ratings cast or replaced since `since` (the recorded_at index)."""
    query = (
        select(LogEntry.seq, LogEntry.business_date, LogEntry.recorded_at, LogEntry.payload)
        .where(LogEntry.recorded_at >= since, LogEntry.kind.in_(RATINGS))
        .order_by(LogEntry.seq.desc())
        .limit(limit)
    )
    return c.execute(query).all()


def after(c: Connection, subject: str, seq: int, limit: int = 50) -> Sequence[Row[Any]]:
    """The subject's entries after `seq`, oldest first (what an alert has not told yet)."""
    subjects = LogSubject.__table__
    return c.execute(
        select(LogEntry.__table__)
        .join(subjects, LogSubject.seq == LogEntry.seq)
        .where(LogSubject.subject == subject, LogSubject.seq > seq)
        .order_by(LogSubject.seq)
        .limit(limit)
    ).all()


def entry(c: Connection, uuid: str) -> Any | None:
    return c.execute(select(_ENTRY).where(LogEntry.uuid == uuid)).first()


def at(c: Connection, seq: int) -> Any | None:
    return c.execute(select(_ENTRY).where(LogEntry.seq == seq)).first()


def corrected_by(c: Connection, uuid: str) -> Sequence[Row[Any]]:
    return c.execute(select(_ENTRY).where(LogEntry.corrects == uuid).order_by(LogEntry.seq)).all()


def subjects(c: Connection, seq: int) -> list[str]:
    return list(c.execute(select(LogSubject.subject).where(LogSubject.seq == seq)).scalars())


def head(c: Connection) -> tuple[int, str] | None:
    row = c.execute(
        select(LogEntry.seq, LogEntry.hash).order_by(LogEntry.seq.desc()).limit(1)
    ).first()
    return (row.seq, row.hash) if row else None


def page(c: Connection, after: int, limit: int) -> Sequence[Row[Any]]:
    """Entries after `after` (a seq): stable pagination, however the log grows."""
    return c.execute(
        select(_ENTRY).where(LogEntry.seq > after).order_by(LogEntry.seq).limit(limit)
    ).all()


def count(c: Connection) -> int:
    return c.execute(select(func.count()).select_from(LogEntry)).scalar_one()


def uuids(c: Connection, event_ids: list[int]) -> dict[int, str]:
    """The permanent id (its /events/ page) of each stored event that has a public entry."""
    if not event_ids:
        return {}
    rows = c.execute(
        select(LogEntry.event_id, LogEntry.uuid).where(LogEntry.event_id.in_(event_ids))
    )
    return dict(rows.tuples().all())
