"""Awards read model: each year's nominations and selections, in the order they were made."""

from __future__ import annotations

from datetime import datetime

from eventsourcing.dispatch import singledispatchmethod
from sqlalchemy import Connection, Integer, String, Text, delete, insert, update
from sqlalchemy.orm import Mapped, mapped_column

from domain.awards import Award
from projections.database import ReadModel, UtcDateTime
from projections.projection import Projection, unhandled


class AwardEntry(ReadModel):
    __tablename__ = "award_entries"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    award: Mapped[str] = mapped_column(String(16), primary_key=True)
    candidate: Mapped[str] = mapped_column(String(32), primary_key=True)
    nominated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    nomination_note: Mapped[str] = mapped_column(Text)
    selected_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    selection_note: Mapped[str | None] = mapped_column(Text)
    event_id: Mapped[int] = mapped_column(Integer)


class Awards(Projection):
    name = "awards"
    version = 1
    tables = (AwardEntry,)

    @singledispatchmethod
    def process_event(self, event: object, c: Connection, position: int) -> None:
        unhandled(self, event)

    @process_event.register
    def _opened(self, e: Award.Opened, c: Connection, position: int) -> None:
        pass  # an award with no nominee yet has no row

    @process_event.register
    def _nominated(self, e: Award.Nominated, c: Connection, position: int) -> None:
        c.execute(
            insert(AwardEntry.__table__),
            {
                "year": e.year,
                "award": e.award,
                "candidate": e.candidate,
                "nominated_at": e.timestamp,
                "nomination_note": e.note,
                "selected_at": None,
                "selection_note": None,
                "event_id": position,
            },
        )

    @process_event.register
    def _selected(self, e: Award.Selected, c: Connection, position: int) -> None:
        c.execute(
            update(AwardEntry)
            .where(
                AwardEntry.year == e.year,
                AwardEntry.award == e.award,
                AwardEntry.candidate == e.candidate,
            )
            .values(selected_at=e.timestamp, selection_note=e.note)
        )

    @process_event.register
    def _withdrawn(self, e: Award.Withdrawn, c: Connection, position: int) -> None:
        this = (
            AwardEntry.year == e.year,
            AwardEntry.award == e.award,
            AwardEntry.candidate == e.candidate,
        )
        if e.decision == "selection":
            c.execute(update(AwardEntry).where(*this).values(selected_at=None, selection_note=None))
        else:
            c.execute(delete(AwardEntry).where(*this))
