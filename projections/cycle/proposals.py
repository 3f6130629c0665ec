"""Proposals read model: each year's solicitation, its proposals as they stand, supports counted.

A proposal's words are here only once approved (the task force's published version);
what the citizen wrote stays sealed in the log. The key id is kept for erasure only: an
erased person's proposals still awaiting moderation are marked, and can only be rejected.
"""

from __future__ import annotations

from datetime import datetime

from eventsourcing.dispatch import singledispatchmethod
from sqlalchemy import Boolean, Connection, Index, Integer, String, Text, insert, update
from sqlalchemy.orm import Mapped, mapped_column

from domain.actors import is_simulated
from domain.cases import Erasure
from domain.proposals import (
    ADOPTED,
    APPROVED,
    MERGED,
    NOT_ADOPTED,
    PENDING,
    REJECTED,
    Proposal,
    Solicitation,
    Support,
)
from projections.database import ReadModel, UtcDateTime
from projections.projection import Projection, unhandled


class SolicitationRow(ReadModel):
    __tablename__ = "cycle_solicitations"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    solicitation_id: Mapped[str] = mapped_column(String(36), unique=True)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_day: Mapped[str] = mapped_column(String(10))  # ISO, Wuxi
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    received: Mapped[int] = mapped_column(Integer)
    simulated: Mapped[bool] = mapped_column(Boolean)


class ProposalRow(ReadModel):
    __tablename__ = "cycle_proposals"
    __table_args__ = (
        Index("ix_cycle_proposals_number", "year", "number", unique=True),
        Index("ix_cycle_proposals_state", "year", "state", "supports"),
        Index("ix_cycle_proposals_merged", "year", "merged_into"),
    )

    proposal_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(40))
    district: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(10))  # pending / approved / rejected
    title: Mapped[str | None] = mapped_column(Text)  # only once approved
    description: Mapped[str | None] = mapped_column(Text)
    edited: Mapped[bool] = mapped_column(Boolean)
    rejected_as: Mapped[str | None] = mapped_column(String(16))
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    moderated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    answer: Mapped[str | None] = mapped_column(String(12))  # adopted / merged / not_adopted
    candidate: Mapped[str | None] = mapped_column(String(8))  # "C3" when adopted
    merged_into: Mapped[int | None] = mapped_column(Integer)
    answer_text: Mapped[str | None] = mapped_column(Text)  # the reason, or the adoption's note
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    supports: Mapped[int] = mapped_column(Integer)
    last_support_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    key_id: Mapped[str] = mapped_column(String(36), index=True)  # erasure only, never shown
    erased: Mapped[bool] = mapped_column(Boolean)
    simulated: Mapped[bool] = mapped_column(Boolean)


def _simulated(e: object) -> bool:
    return is_simulated(getattr(e, "actor", None))


class Proposals(Projection):
    name = "cycle_proposals"
    version = 1
    tables = (SolicitationRow, ProposalRow)

    @singledispatchmethod
    def process_event(self, event: object, c: Connection, position: int) -> None:
        unhandled(self, event)

    # The solicitation ------------------------------------------------------------------

    @process_event.register
    def _opened(self, e: Solicitation.Opened, c: Connection, position: int) -> None:
        c.execute(
            insert(SolicitationRow.__table__),
            {
                "year": e.year,
                "solicitation_id": str(e.originator_id),
                "opened_at": e.timestamp,
                "last_day": e.last_day,
                "closed_at": None,
                "received": 0,
                "simulated": _simulated(e),
            },
        )

    @process_event.register
    def _closed(self, e: Solicitation.Closed, c: Connection, position: int) -> None:
        c.execute(
            update(SolicitationRow)
            .where(SolicitationRow.solicitation_id == str(e.originator_id))
            .values(closed_at=e.timestamp)
        )

    @process_event.register
    def _received(self, e: Solicitation.ProposalReceived, c: Connection, position: int) -> None:
        c.execute(
            update(SolicitationRow)
            .where(SolicitationRow.solicitation_id == str(e.originator_id))
            .values(received=e.number)
        )

    # Proposals -------------------------------------------------------------------------

    @process_event.register
    def _submitted(self, e: Proposal.Submitted, c: Connection, position: int) -> None:
        c.execute(
            insert(ProposalRow.__table__),
            {
                "proposal_id": str(e.originator_id),
                "year": e.year,
                "number": e.number,
                "category": e.category,
                "district": e.district,
                "state": PENDING,
                "title": None,
                "description": None,
                "edited": False,
                "rejected_as": None,
                "submitted_at": e.timestamp,
                "moderated_at": None,
                "answer": None,
                "candidate": None,
                "merged_into": None,
                "answer_text": None,
                "answered_at": None,
                "supports": 0,
                "last_support_at": None,
                "key_id": e.key_id,
                "erased": False,
                "simulated": _simulated(e),
            },
        )

    @process_event.register
    def _approved(self, e: Proposal.Approved, c: Connection, position: int) -> None:
        _change(
            c,
            e,
            state=APPROVED,
            title=e.title,
            description=e.description,
            edited=e.edited,
            moderated_at=e.timestamp,
        )

    @process_event.register
    def _rejected(self, e: Proposal.Rejected, c: Connection, position: int) -> None:
        _change(c, e, state=REJECTED, rejected_as=e.category, moderated_at=e.timestamp)

    @process_event.register
    def _adopted(self, e: Proposal.Adopted, c: Connection, position: int) -> None:
        _change(
            c, e, answer=ADOPTED, candidate=e.candidate, answer_text=e.note, answered_at=e.timestamp
        )

    @process_event.register
    def _merged(self, e: Proposal.Merged, c: Connection, position: int) -> None:
        _change(
            c, e, answer=MERGED, merged_into=e.into, answer_text=e.reason, answered_at=e.timestamp
        )

    @process_event.register
    def _declined(self, e: Proposal.NotAdopted, c: Connection, position: int) -> None:
        _change(c, e, answer=NOT_ADOPTED, answer_text=e.reason, answered_at=e.timestamp)

    @process_event.register
    def _supported(self, e: Support.Given, c: Connection, position: int) -> None:
        c.execute(
            update(ProposalRow)
            .where(ProposalRow.year == e.year, ProposalRow.number == e.number)
            .values(supports=ProposalRow.supports + 1, last_support_at=e.timestamp)
        )

    # Erasure ---------------------------------------------------------------------------

    @process_event.register
    def _erased(self, e: Erasure.Recorded, c: Connection, position: int) -> None:
        """The person's sealed words cannot be opened any more: mark their proposals (the
        published version of an approved one is the task force's, and stays)."""
        c.execute(update(ProposalRow).where(ProposalRow.key_id == e.key_id).values(erased=True))


def _change(c: Connection, e: Proposal.Event, **values: object) -> None:
    c.execute(
        update(ProposalRow).where(ProposalRow.proposal_id == str(e.originator_id)).values(**values)
    )
