"""Supervision records, findings and every step of their rectification, as recorded."""

from __future__ import annotations

from datetime import date, datetime
from typing import TypeAlias

from eventsourcing.dispatch import singledispatchmethod
from sqlalchemy import JSON, Boolean, Connection, Date, Integer, String, Text, insert
from sqlalchemy.orm import Mapped, mapped_column

from domain.actors import is_simulated
from domain.supervision import Finding, SupervisionRecord
from projections.database import ReadModel, UtcDateTime
from projections.projection import Projection, unhandled


class SupervisionVisit(ReadModel):
    __tablename__ = "supervision_records"

    record_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(String(32))
    held_on: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text)
    projects: Mapped[list[str]] = mapped_column(JSON)
    simulated: Mapped[bool] = mapped_column(Boolean)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    event_id: Mapped[int] = mapped_column(Integer, unique=True)


class SupervisionFinding(ReadModel):
    __tablename__ = "supervision_findings"

    finding_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    record_id: Mapped[str] = mapped_column(String(36), index=True)
    item: Mapped[int] = mapped_column(Integer, index=True)
    projects: Mapped[list[str]] = mapped_column(JSON)
    unit: Mapped[str] = mapped_column(String(64), index=True)
    text: Mapped[str] = mapped_column(Text)


class FindingStep(ReadModel):
    """Raised, rectification reported, closed, reopened: one row each, in log order."""

    __tablename__ = "supervision_finding_steps"

    event_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    finding_id: Mapped[str] = mapped_column(String(36), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    step: Mapped[str] = mapped_column(String(16))  # raised | rectification | closed | reopened
    text: Mapped[str] = mapped_column(Text)
    simulated: Mapped[bool] = mapped_column(Boolean)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


_VISIT = insert(SupervisionVisit.__table__)
_FINDING = insert(SupervisionFinding.__table__)
_STEP = insert(FindingStep.__table__)
_FindingEvent: TypeAlias = (
    Finding.Raised | Finding.RectificationReported | Finding.Closed | Finding.Reopened
)


class Supervision(Projection):
    name = "supervision"
    version = 1
    tables = (SupervisionVisit, SupervisionFinding, FindingStep)

    @singledispatchmethod
    def process_event(self, event: object, c: Connection, position: int) -> None:
        unhandled(self, event)

    @process_event.register
    def _recorded(self, e: SupervisionRecord.Recorded, c: Connection, position: int) -> None:
        c.execute(
            _VISIT,
            {
                "record_id": str(e.originator_id),
                "year": e.year,
                "kind": e.kind,
                "body": e.body,
                "held_on": date.fromisoformat(e.held_on),
                "title": e.title,
                "summary": e.summary,
                "projects": e.projects,
                "simulated": is_simulated(e.actor),
                "recorded_at": e.timestamp,
                "event_id": position,
            },
        )

    @process_event.register
    def _raised(self, e: Finding.Raised, c: Connection, position: int) -> None:
        c.execute(
            _FINDING,
            {
                "finding_id": str(e.originator_id),
                "year": e.year,
                "record_id": e.record_id,
                "item": int(e.projects[0].split(".")[0]),
                "projects": e.projects,
                "unit": e.unit,
                "text": e.text,
            },
        )
        self._insert_step(c, e, position, "raised", e.text, e.year)

    @process_event.register
    def _rectified(self, e: Finding.RectificationReported, c: Connection, position: int) -> None:
        self._later_step(c, e, position, "rectification", e.text)

    @process_event.register
    def _closed(self, e: Finding.Closed, c: Connection, position: int) -> None:
        self._later_step(c, e, position, "closed", e.note)  # a finding's step: not a case state

    @process_event.register
    def _reopened(self, e: Finding.Reopened, c: Connection, position: int) -> None:
        self._later_step(c, e, position, "reopened", e.reason)

    def _later_step(
        self, c: Connection, e: _FindingEvent, position: int, step: str, text: str
    ) -> None:
        year = c.execute(
            SupervisionFinding.__table__.select()
            .with_only_columns(SupervisionFinding.year)
            .where(SupervisionFinding.finding_id == str(e.originator_id))
        ).scalar_one()
        self._insert_step(c, e, position, step, text, year)

    @staticmethod
    def _insert_step(
        c: Connection, e: _FindingEvent, position: int, step: str, text: str, year: int
    ) -> None:
        c.execute(
            _STEP,
            {
                "event_id": position,
                "finding_id": str(e.originator_id),
                "year": year,
                "step": step,
                "text": text,
                "simulated": is_simulated(e.actor),
                "recorded_at": e.timestamp,
            },
        )
