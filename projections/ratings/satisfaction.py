"""Satisfaction read model: each ballot as it counts now, and each case's latest evaluation.

Project ratings and case evaluations are kept in two tables and never summed
together: they answer different questions (a project for the public at large,
a case for the person who raised it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from eventsourcing.dispatch import singledispatchmethod
from sqlalchemy import Boolean, Connection, Index, Integer, String, Text, insert, select, update
from sqlalchemy.orm import Mapped, mapped_column

from domain.cases import Case, Erasure
from domain.ratings import Ballot, quarter_of
from domain.wuxi import business_date
from projections.database import ReadModel, UtcDateTime
from projections.projection import Projection, unhandled


class Opener(Protocol):
    def open(self, key_id: str, sealed: str, case_id: str) -> dict[str, Any] | None: ...


class BallotRow(ReadModel):
    """One person's rating of one subject in one quarter, at its latest."""

    __tablename__ = "ballots"
    # What pages filter, group and count by (a subject's panel, an item with its projects,
    # the simulated-year banner): looked up, never scanned, however many ratings there are.
    __table_args__ = (
        Index("ix_ballots_subject", "year", "kind", "ref", "quarter", "level"),
        Index("ix_ballots_comments", "year", "kind", "ref", "comment", "moderated_at"),
        Index("ix_ballots_rejected", "year", "kind", "ref", "comment", "rejected_as"),
        Index("ix_ballots_item_level", "year", "item", "level"),
        Index("ix_ballots_simulated", "simulated"),
    )

    ballot_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # "project" or "item"
    year: Mapped[int] = mapped_column(Integer, index=True)
    ref: Mapped[str] = mapped_column(String(16), index=True)  # "9.1" or "9"
    item: Mapped[int] = mapped_column(Integer, index=True)
    quarter: Mapped[str] = mapped_column(String(6), index=True)
    level: Mapped[str] = mapped_column(String(16))
    district: Mapped[str | None] = mapped_column(String(16))
    network: Mapped[str] = mapped_column(String(16), index=True)  # moderators only
    key_id: Mapped[str] = mapped_column(String(36), index=True)
    casts: Mapped[int] = mapped_column(Integer)  # 1 + how many times it was replaced
    first_cast_at: Mapped[datetime] = mapped_column(UtcDateTime)
    cast_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    # none / pending / approved / rejected; the text only once approved (and not erased)
    comment: Mapped[str] = mapped_column(String(10), index=True)
    comment_version: Mapped[int | None] = mapped_column(Integer)
    sealed: Mapped[str] = mapped_column(Text)  # as cast, encrypted with the person's key
    comment_text: Mapped[str | None] = mapped_column(Text)
    rejected_as: Mapped[str | None] = mapped_column(String(16))
    moderated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    simulated: Mapped[bool] = mapped_column(Boolean)


class CaseRating(ReadModel):
    """A case's latest evaluation by its citizen (满意 / 基本满意 / 不满意)."""

    __tablename__ = "case_ratings"

    case_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    district: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str | None] = mapped_column(String(64))
    track: Mapped[str | None] = mapped_column(String(16))
    level: Mapped[str | None] = mapped_column(String(16))
    quarter: Mapped[str | None] = mapped_column(String(6))
    evaluations: Mapped[int] = mapped_column(Integer)
    simulated: Mapped[bool] = mapped_column(Boolean)


_BALLOT = insert(BallotRow.__table__)
_CASE = insert(CaseRating.__table__)


def _quarter(at: datetime) -> str:
    return quarter_of(business_date(at))


class Satisfaction(Projection):
    name = "satisfaction"
    version = 2  # 2: indexes for subjects and the simulated flag
    tables = (BallotRow, CaseRating)

    def __init__(self, opener: Opener) -> None:
        self.opener = opener

    @singledispatchmethod
    def process_event(self, event: object, c: Connection, position: int) -> None:
        unhandled(self, event)

    # Ballots -------------------------------------------------------------------

    @process_event.register
    def _cast(self, e: Ballot.Cast, c: Connection, position: int) -> None:
        kind, year, ref = e.subject.split(":")
        c.execute(
            _BALLOT,
            {
                "ballot_id": str(e.originator_id),
                "kind": kind,
                "year": int(year),
                "ref": ref,
                "item": int(ref.split(".")[0]),
                "quarter": e.quarter,
                "level": e.level,
                "district": e.district,
                "network": e.network[:16],
                "key_id": e.key_id,
                "casts": 1,
                "first_cast_at": e.timestamp,
                "cast_at": e.timestamp,
                "comment": "pending" if e.has_comment else "none",
                "comment_version": e.originator_version if e.has_comment else None,
                "sealed": e.sealed,
                "comment_text": None,
                "rejected_as": None,
                "moderated_at": None,
                "simulated": e.actor.startswith("sim:"),
            },
        )

    @process_event.register
    def _recast(self, e: Ballot.Recast, c: Connection, position: int) -> None:
        row = self._ballot(c, e)
        self._update(
            c,
            e,
            level=e.level,
            district=e.district,
            network=e.network[:16],
            casts=row.casts + 1,
            cast_at=e.timestamp,
            comment="pending" if e.has_comment else "none",
            comment_version=e.originator_version if e.has_comment else None,
            sealed=e.sealed,
            comment_text=None,
            rejected_as=None,
            moderated_at=None,
        )

    @process_event.register
    def _approved(self, e: Ballot.CommentApproved, c: Connection, position: int) -> None:
        row = self._ballot(c, e)
        # The domain approves only the comment in force, so the row holds the one approved.
        opened = self.opener.open(row.key_id, row.sealed, str(e.originator_id))
        text = (opened or {}).get("comment") or None
        self._update(c, e, comment="approved", comment_text=text, moderated_at=e.timestamp)

    @process_event.register
    def _rejected(self, e: Ballot.CommentRejected, c: Connection, position: int) -> None:
        self._update(c, e, comment="rejected", rejected_as=e.category, moderated_at=e.timestamp)

    def _ballot(self, c: Connection, e: Ballot.Event) -> Any:
        return c.execute(
            select(BallotRow.__table__).where(BallotRow.ballot_id == str(e.originator_id))
        ).one()

    @staticmethod
    def _update(c: Connection, e: Ballot.Event, **changes: Any) -> None:
        c.execute(
            update(BallotRow).where(BallotRow.ballot_id == str(e.originator_id)).values(**changes)
        )

    # Case evaluations ------------------------------------------------------------

    @process_event.register
    def _case_submitted(self, e: Case.Submitted, c: Connection, position: int) -> None:
        c.execute(
            _CASE,
            {
                "case_id": str(e.originator_id),
                "year": e.year,
                "district": e.district,
                "unit": None,
                "track": None,
                "level": None,
                "quarter": None,
                "evaluations": 0,
                "simulated": e.actor.startswith("sim:"),
            },
        )

    @process_event.register
    def _case_assigned(self, e: Case.Assigned, c: Connection, position: int) -> None:
        self._case(c, e, unit=e.lead_unit)

    @process_event.register
    def _case_track(self, e: Case.KeySupervised, c: Connection, position: int) -> None:
        self._case(c, e, track=e.track)

    @process_event.register
    def _case_evaluated(self, e: Case.Evaluated, c: Connection, position: int) -> None:
        count = c.execute(
            select(CaseRating.evaluations).where(CaseRating.case_id == str(e.originator_id))
        ).scalar_one()
        self._case(c, e, level=e.level, quarter=_quarter(e.timestamp), evaluations=count + 1)

    @staticmethod
    def _case(c: Connection, e: Case.Event, **changes: Any) -> None:
        c.execute(
            update(CaseRating).where(CaseRating.case_id == str(e.originator_id)).values(**changes)
        )

    # Erasure --------------------------------------------------------------------

    @process_event.register
    def _erased(self, e: Erasure.Recorded, c: Connection, position: int) -> None:
        """The person's comments go; their ratings still count (no personal data is left)."""
        c.execute(update(BallotRow).where(BallotRow.key_id == e.key_id).values(comment_text=None))
