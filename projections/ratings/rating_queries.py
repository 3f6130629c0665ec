"""Queries over the ballots read model for one subject, one person, and the moderators."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, func, select

from domain.wuxi import business_date
from projections.ratings.satisfaction import BallotRow
from projections.ratings.satisfaction_queries import Tally

_ROW = BallotRow.__table__


@dataclass
class SubjectRatings:
    """What a project's or item's page shows of its ratings."""

    tally: Tally = field(default_factory=Tally)
    quarters: dict[str, Tally] = field(default_factory=dict)
    with_projects: Tally | None = None  # an item: its own ratings and its projects'
    comments: list[Any] = field(default_factory=list)  # approved, newest first
    rejected: dict[str, int] = field(default_factory=dict)  # by reason
    pending: int = 0


def subject_ratings(c: Connection, kind: str, year: int, ref: str) -> SubjectRatings:
    where = (BallotRow.year == year, BallotRow.kind == kind, BallotRow.ref == ref)
    out = SubjectRatings()
    for quarter, level, count in c.execute(
        select(BallotRow.quarter, BallotRow.level, func.count())
        .where(*where)
        .group_by(BallotRow.quarter, BallotRow.level)
    ):
        setattr(out.tally, level, getattr(out.tally, level) + count)
        setattr(out.quarters.setdefault(quarter, Tally()), level, count)
    out.quarters = dict(sorted(out.quarters.items()))
    if kind == "item":
        out.with_projects = Tally()
        for level, count in c.execute(
            select(BallotRow.level, func.count())
            .where(BallotRow.year == year, BallotRow.item == int(ref))
            .group_by(BallotRow.level)
        ):
            setattr(out.with_projects, level, count)
    out.comments = list(
        c.execute(
            select(
                BallotRow.comment_text, BallotRow.level, BallotRow.quarter, BallotRow.moderated_at
            )
            .where(*where, BallotRow.comment == "approved", BallotRow.comment_text.is_not(None))
            .order_by(BallotRow.moderated_at.desc())
            .limit(20)
        ).all()
    )
    # rejected_as may be NULL in the table, never on a rejected comment: keys are str
    out.rejected = dict(
        c.execute(  # type: ignore[arg-type]
            select(BallotRow.rejected_as, func.count())
            .where(*where, BallotRow.comment == "rejected")
            .group_by(BallotRow.rejected_as)
        ).all()
    )
    out.pending = c.execute(
        select(func.count()).where(*where, BallotRow.comment == "pending")
    ).scalar_one()
    return out


def level_of(c: Connection, ballot_id: str) -> str | None:
    """The level a ballot counts with now (None: not cast)."""
    return c.execute(select(BallotRow.level).where(BallotRow.ballot_id == ballot_id)).scalar()


def ballots_of(c: Connection, key_ids: list[str]) -> list[Any]:
    """One person's ballots (found by their keys), newest first."""
    if not key_ids:
        return []
    return list(
        c.execute(
            select(_ROW).where(BallotRow.key_id.in_(key_ids)).order_by(BallotRow.cast_at.desc())
        ).all()
    )


@dataclass(frozen=True)
class Moderation:
    pending: list[Any]  # the oldest first, at most `limit`
    waiting: int  # all pending
    bursts: list[tuple[str, date, int]]  # (network, day, ratings), the latest first


def moderation(c: Connection, since: datetime, burst: int, limit: int = 50) -> Moderation:
    """Comments awaiting moderation, and networks that sent `burst` or more ratings a day."""
    pending = c.execute(
        select(_ROW).where(BallotRow.comment == "pending").order_by(BallotRow.cast_at).limit(limit)
    ).all()
    waiting = c.execute(select(func.count()).where(BallotRow.comment == "pending")).scalar_one()
    recent = c.execute(
        select(BallotRow.network, BallotRow.first_cast_at).where(BallotRow.first_cast_at >= since)
    ).all()
    per_day = Counter((network, business_date(at)) for network, at in recent)
    bursts = sorted(
        ((network, day, n) for (network, day), n in per_day.items() if n >= burst),
        key=lambda b: (b[1], b[2]),
        reverse=True,
    )[:20]
    return Moderation(list(pending), waiting, bursts)
