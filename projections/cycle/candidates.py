"""The cycle's candidates read model: conversions of cases, candidates, and the congress vote.

Everything here is public (domain/candidates.py keeps personal data out of it): a
conversion's cases are listed by number with the district and lead unit they had when
converted; what a case says stays on the case board, with the citizen's consent.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    Date,
    Index,
    Integer,
    String,
    Text,
    insert,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from domain.actors import is_simulated
from domain.candidates import CandidateBook
from projections.database import ReadModel, UtcDateTime
from projections.projection import Projection, unhandled


def ref_number(ref: str) -> int:
    """ "C12" -> 12 (lists sort by number, not by text)."""
    return int(ref[1:])


class ConversionRow(ReadModel):
    __tablename__ = "conversions"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)  # Z<number>
    title: Mapped[str] = mapped_column(Text)
    problem: Mapped[str] = mapped_column(Text)
    cases: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    event_id: Mapped[int] = mapped_column(Integer)
    simulated: Mapped[bool] = mapped_column(Boolean)


class ConversionCase(ReadModel):
    """A case in a conversion: one conversion per case and year (domain.candidates)."""

    __tablename__ = "conversion_cases"
    # a conversion's page of cases, in its order (and its counts) without a scan
    __table_args__ = (Index("ix_conversion_cases_order", "year", "conversion", "position"),)

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_number: Mapped[str] = mapped_column(String(16), primary_key=True, index=True)
    conversion: Mapped[int] = mapped_column(Integer, index=True)
    position: Mapped[int] = mapped_column(Integer)  # as the conversion lists it
    district: Mapped[str] = mapped_column(String(16))
    lead_unit: Mapped[str | None] = mapped_column(String(64))


class CandidateRow(ReadModel):
    __tablename__ = "candidates"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)  # C<number>
    title: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text)
    sources: Mapped[list[str]] = mapped_column(JSON)
    targets: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    units: Mapped[list[str]] = mapped_column(JSON)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    event_id: Mapped[int] = mapped_column(Integer)
    simulated: Mapped[bool] = mapped_column(Boolean)
    # the vote's figures, once recorded (and as corrected)
    votes_for: Mapped[int | None] = mapped_column(Integer)
    against: Mapped[int | None] = mapped_column(Integer)
    abstain: Mapped[int | None] = mapped_column(Integer)
    chosen: Mapped[bool] = mapped_column(Boolean)
    # corrected before the vote: the latest correction's time and reason, and how many
    corrected_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    correction_reason: Mapped[str | None] = mapped_column(Text, default=None)
    corrections: Mapped[int] = mapped_column(Integer, default=0)


class CandidateSource(ReadModel):
    """Which candidates each proposal ("P17") and conversion ("Z3") fed: both directions."""

    __tablename__ = "candidate_sources"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(16), primary_key=True)
    candidate: Mapped[int] = mapped_column(Integer, primary_key=True)


class CongressVote(ReadModel):
    __tablename__ = "congress_votes"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    session: Mapped[str] = mapped_column(Text)
    held_on: Mapped[date] = mapped_column(Date)
    document_number: Mapped[str] = mapped_column(Text)
    document_url: Mapped[str] = mapped_column(Text)
    voting: Mapped[int] = mapped_column(Integer)
    declared: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    event_id: Mapped[int] = mapped_column(Integer)
    corrected_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    correction_reason: Mapped[str | None] = mapped_column(Text)
    corrections: Mapped[int] = mapped_column(Integer)
    simulated: Mapped[bool] = mapped_column(Boolean)


class Candidates(Projection):
    name = "candidates"
    version = 3  # 2: conversion_cases indexed in each conversion's order. 3: corrections
    tables = (ConversionRow, ConversionCase, CandidateRow, CandidateSource, CongressVote)

    @singledispatchmethod
    def process_event(self, event: object, c: Connection, position: int) -> None:
        unhandled(self, event)

    @process_event.register
    def _opened(self, e: CandidateBook.Opened, c: Connection, position: int) -> None:
        pass  # an empty list has no row

    @process_event.register
    def _converted(self, e: CandidateBook.CasesConverted, c: Connection, position: int) -> None:
        number = ref_number(e.ref)
        c.execute(
            insert(ConversionRow.__table__),
            {
                "year": e.year,
                "number": number,
                "title": e.title,
                "problem": e.problem,
                "cases": len(e.cases),
                "recorded_at": e.timestamp,
                "event_id": position,
                "simulated": is_simulated(e.actor),
            },
        )
        c.execute(
            insert(ConversionCase.__table__),
            [
                {
                    "year": e.year,
                    "case_number": case["number"],
                    "conversion": number,
                    "position": i,
                    "district": case["district"],
                    "lead_unit": case["lead_unit"],
                }
                for i, case in enumerate(e.cases)
            ],
        )

    @process_event.register
    def _listed(self, e: CandidateBook.CandidateListed, c: Connection, position: int) -> None:
        number = ref_number(e.ref)
        c.execute(
            insert(CandidateRow.__table__),
            {
                "year": e.year,
                "number": number,
                "title": e.title,
                "category": e.category,
                "description": e.description,
                "sources": list(e.sources),
                "targets": list(e.targets),
                "units": list(e.units),
                "recorded_at": e.timestamp,
                "event_id": position,
                "simulated": is_simulated(e.actor),
                "votes_for": None,
                "against": None,
                "abstain": None,
                "chosen": False,
            },
        )
        c.execute(
            insert(CandidateSource.__table__),
            [{"year": e.year, "source": s, "candidate": number} for s in e.sources],
        )

    @process_event.register
    def _candidate_corrected(
        self, e: CandidateBook.CandidateCorrected, c: Connection, position: int
    ) -> None:
        c.execute(
            update(CandidateRow)
            .where(CandidateRow.year == e.year, CandidateRow.number == ref_number(e.ref))
            .values(
                title=e.title,
                category=e.category,
                description=e.description,
                targets=list(e.targets),
                units=list(e.units),
                corrected_at=e.timestamp,
                correction_reason=e.reason,
                corrections=CandidateRow.corrections + 1,
            )
        )

    @process_event.register
    def _voted(self, e: CandidateBook.VoteRecorded, c: Connection, position: int) -> None:
        v = e.vote
        c.execute(
            insert(CongressVote.__table__),
            {
                "year": e.year,
                "session": v["session"],
                "held_on": date.fromisoformat(v["held_on"]),
                "document_number": v["document_number"],
                "document_url": v["document_url"],
                "voting": v["voting"],
                "declared": v["declared"],
                "recorded_at": e.timestamp,
                "event_id": position,
                "corrected_at": None,
                "correction_reason": None,
                "corrections": 0,
                "simulated": is_simulated(e.actor),
            },
        )
        self._figures(c, e.year, v)

    @process_event.register
    def _corrected(self, e: CandidateBook.VoteCorrected, c: Connection, position: int) -> None:
        v = e.vote
        c.execute(
            update(CongressVote)
            .where(CongressVote.year == e.year)
            .values(
                session=v["session"],
                held_on=date.fromisoformat(v["held_on"]),
                document_number=v["document_number"],
                document_url=v["document_url"],
                voting=v["voting"],
                declared=v["declared"],
                corrected_at=e.timestamp,
                correction_reason=e.reason,
                corrections=CongressVote.corrections + 1,
            )
        )
        self._figures(c, e.year, v)

    def _figures(self, c: Connection, year: int, vote: dict[str, Any]) -> None:
        chosen = set(vote["chosen"])
        for r in vote["results"]:
            c.execute(
                update(CandidateRow)
                .where(CandidateRow.year == year, CandidateRow.number == ref_number(r["candidate"]))
                .values(
                    votes_for=r["for"],
                    against=r["against"],
                    abstain=r["abstain"],
                    chosen=r["candidate"] in chosen,
                )
            )
