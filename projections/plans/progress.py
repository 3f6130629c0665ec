"""Progress reports as filed: one row per report or correction, never updated.

The state at any moment ("as of") is computed from these rows by
`projections.progress_queries`, so time travel needs no other read model.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from sqlalchemy import JSON, Boolean, Connection, Index, Integer, String, Text, insert
from sqlalchemy.orm import Mapped, mapped_column

from domain.actors import is_simulated
from domain.plan import Item
from projections.database import ReadModel, UtcDateTime
from projections.projection import Projection, unhandled


class ProgressReport(ReadModel):
    __tablename__ = "progress_reports"
    __table_args__ = (Index("ix_progress_reports_simulated", "simulated"),)

    report_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    item: Mapped[int] = mapped_column(Integer)
    period: Mapped[str] = mapped_column(String(7))
    unit: Mapped[str] = mapped_column(String(64), index=True)
    values: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # By district (domain.districts): [{"ref", "target", "district", "amount"}], often empty.
    districts: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    narrative: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list[str]] = mapped_column(JSON)
    corrects: Mapped[str | None] = mapped_column(String(36))
    reason: Mapped[str] = mapped_column(Text)
    simulated: Mapped[bool] = mapped_column(Boolean)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    event_id: Mapped[int] = mapped_column(Integer, unique=True)


_INSERT = insert(ProgressReport.__table__)


class Progress(Projection):
    name = "progress"
    version = 3  # 2: an index for the simulated-year banner; 3: the breakdown by district
    tables = (ProgressReport,)

    @singledispatchmethod
    def process_event(self, event: object, c: Connection, position: int) -> None:
        unhandled(self, event)

    @process_event.register
    def _reported(
        self, e: Item.ProgressReported | Item.ReportCorrected, c: Connection, position: int
    ) -> None:
        c.execute(
            _INSERT,
            {
                "report_id": e.report_id,
                "year": e.year,
                "item": e.item,
                "period": e.period,
                "unit": e.unit,
                "values": e.values,
                "districts": e.districts,
                "narrative": e.narrative,
                "evidence": e.evidence,
                "corrects": getattr(e, "corrects", None),
                "reason": getattr(e, "reason", ""),
                "simulated": is_simulated(e.actor),
                "recorded_at": e.timestamp,
                "event_id": position,
            },
        )
