"""Satisfaction read model: each ballot as it counts now, and each case's latest evaluation.

Project ratings and case evaluations are kept in two tables and never summed
together: they answer different questions (a project for the public at large,
a case for the person who raised it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from eventsourcing.dispatch import singledispatchmethod
from sqlalchemy import Boolean, Connection, Index, Integer, String, Text, update
from sqlalchemy.orm import Mapped, mapped_column

from domain.actors import is_simulated
from domain.cases import Case, Erasure
from domain.ratings import Ballot, quarter_of
from domain.wuxi import business_date
from projections.database import ReadModel, UtcDateTime
from projections.projection import Batch, HeldRows, Projection, unhandled


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
        # Milestones between two days (what changed): the year's ballots, and a subject's,
        # in the order they were first cast.
        Index("ix_ballots_first_cast", "year", "first_cast_at"),
        Index("ix_ballots_subject_first_cast", "year", "kind", "ref", "first_cast_at"),
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
    """A case's latest evaluation by its citizen (满意 / 基本满意 / 不满意), and its first
    (销号 needs a content latest one: the first is the figure that tells units apart)."""

    __tablename__ = "case_ratings"

    case_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    district: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str | None] = mapped_column(String(64))
    track: Mapped[str | None] = mapped_column(String(16))
    level: Mapped[str | None] = mapped_column(String(16))
    first_level: Mapped[str | None] = mapped_column(String(16))
    quarter: Mapped[str | None] = mapped_column(String(6))
    evaluations: Mapped[int] = mapped_column(Integer)
    simulated: Mapped[bool] = mapped_column(Boolean)


def _quarter(at: datetime) -> str:
    return quarter_of(business_date(at))


class HeldSatisfaction(Batch):
    """One transaction's ballots and case ratings, held in memory and written together."""

    projection: Satisfaction

    def __init__(self, projection: Satisfaction, connection: Connection) -> None:
        super().__init__(projection, connection)
        self.ballots = HeldRows(connection, BallotRow.__table__)
        self.cases = HeldRows(connection, CaseRating.__table__)

    def apply(self, event: object, position: int) -> None:
        self.projection.on_event(event, self, position)

    def flush(self) -> None:
        self.ballots.flush()
        self.cases.flush()


class Satisfaction(Projection):
    name = "satisfaction"
    # 2: indexes for subjects and the simulated flag; 3: cases' first_level; 4: by first cast
    version = 4
    tables = (BallotRow, CaseRating)
    dispatch = "on_event"

    def __init__(self, opener: Opener) -> None:
        self.opener = opener

    def batch(self, connection: Connection) -> Batch:
        return HeldSatisfaction(self, connection)

    @singledispatchmethod
    def on_event(self, event: object, held: HeldSatisfaction, position: int) -> None:
        unhandled(self, event)

    # Ballots -------------------------------------------------------------------

    @on_event.register
    def _cast(self, e: Ballot.Cast, held: HeldSatisfaction, position: int) -> None:
        kind, year, ref = e.subject.split(":")
        held.ballots.add(
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
                "simulated": is_simulated(e.actor),
            },
        )

    @on_event.register
    def _recast(self, e: Ballot.Recast, held: HeldSatisfaction, position: int) -> None:
        row = self._ballot(held, e)
        self._update(
            held,
            e,
            level=e.level,
            district=e.district,
            network=e.network[:16],
            casts=row["casts"] + 1,
            cast_at=e.timestamp,
            comment="pending" if e.has_comment else "none",
            comment_version=e.originator_version if e.has_comment else None,
            sealed=e.sealed,
            comment_text=None,
            rejected_as=None,
            moderated_at=None,
        )

    @on_event.register
    def _approved(self, e: Ballot.CommentApproved, held: HeldSatisfaction, position: int) -> None:
        row = self._ballot(held, e)
        # The domain approves only the comment in force, so the row holds the one approved.
        opened = self.opener.open(row["key_id"], row["sealed"], str(e.originator_id))
        text = (opened or {}).get("comment") or None
        self._update(held, e, comment="approved", comment_text=text, moderated_at=e.timestamp)

    @on_event.register
    def _rejected(self, e: Ballot.CommentRejected, held: HeldSatisfaction, position: int) -> None:
        changes = {"comment": "rejected", "rejected_as": e.category, "moderated_at": e.timestamp}
        self._update(held, e, **changes)

    def _ballot(self, held: HeldSatisfaction, e: Ballot.Event) -> dict[str, Any]:
        row = held.ballots.get(str(e.originator_id))
        if row is None:
            raise LookupError(f"no ballot {e.originator_id}")
        return row

    @staticmethod
    def _update(held: HeldSatisfaction, e: Ballot.Event, **changes: Any) -> None:
        held.ballots.change(str(e.originator_id), changes)

    # Case evaluations ------------------------------------------------------------

    @on_event.register
    def _case_submitted(self, e: Case.Submitted, held: HeldSatisfaction, position: int) -> None:
        held.cases.add(
            {
                "case_id": str(e.originator_id),
                "year": e.year,
                "district": e.district,
                "unit": None,
                "track": None,
                "level": None,
                "first_level": None,
                "quarter": None,
                "evaluations": 0,
                "simulated": is_simulated(e.actor),
            },
        )

    @on_event.register
    def _case_assigned(self, e: Case.Assigned, held: HeldSatisfaction, position: int) -> None:
        self._case(held, e, unit=e.lead_unit)

    @on_event.register
    def _case_track(self, e: Case.KeySupervised, held: HeldSatisfaction, position: int) -> None:
        self._case(held, e, track=e.track)

    @on_event.register
    def _case_evaluated(self, e: Case.Evaluated, held: HeldSatisfaction, position: int) -> None:
        row = held.cases.get(str(e.originator_id))
        if row is None:
            raise LookupError(f"no case {e.originator_id}")
        quarter = _quarter(e.timestamp)
        first = row["first_level"] or e.level
        self._case(
            held,
            e,
            level=e.level,
            first_level=first,
            quarter=quarter,
            evaluations=row["evaluations"] + 1,
        )

    @staticmethod
    def _case(held: HeldSatisfaction, e: Case.Event, **changes: Any) -> None:
        held.cases.change(str(e.originator_id), changes)

    # Erasure --------------------------------------------------------------------

    @on_event.register
    def _erased(self, e: Erasure.Recorded, held: HeldSatisfaction, position: int) -> None:
        """The person's comments go; their ratings still count (no personal data is left)."""
        held.flush()  # the ballots held so far are among them (erasures are rare)
        held.connection.execute(
            update(BallotRow).where(BallotRow.key_id == e.key_id).values(comment_text=None)
        )
        held.ballots.forget()  # read again: the rows held no longer say what the table says
