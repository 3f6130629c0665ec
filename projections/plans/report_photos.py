"""Photos of the work monthly reports tell of: the lead unit's, public with the report.

The files live in the photo store (application.photos); this read model says
which report each belongs to, so that the item page shows them beside it and
the photo route knows they are public.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from eventsourcing.dispatch import singledispatchmethod
from sqlalchemy import Connection, Integer, String, insert, select
from sqlalchemy.orm import Mapped, mapped_column

from domain.plan import Item
from projections.database import ReadModel, UtcDateTime
from projections.projection import Projection, unhandled


class ReportPhotoRow(ReadModel):
    __tablename__ = "report_photos"

    report_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    year: Mapped[int] = mapped_column(Integer)
    item: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)  # the event's place in the log, then order
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ReportPhotos(Projection):
    name = "report_photos"
    version = 1
    tables = (ReportPhotoRow,)

    @singledispatchmethod
    def process_event(self, event: object, c: Connection, position: int) -> None:
        unhandled(self, event)

    @process_event.register
    def _attached(self, e: Item.PhotosAttached, c: Connection, position: int) -> None:
        c.execute(
            insert(ReportPhotoRow),
            [
                {
                    "report_id": e.report_id,
                    "sha256": sha,
                    "year": e.year,
                    "item": e.item,
                    "position": position * 10 + n,
                    "recorded_at": e.timestamp,
                }
                for n, sha in enumerate(e.photos)
            ],
        )


def of_item(c: Connection, year: int, item: int) -> dict[str, list[str]]:
    """Each report's photos (by report id), in the order they were added."""
    rows = c.execute(
        select(ReportPhotoRow.report_id, ReportPhotoRow.sha256)
        .where(ReportPhotoRow.year == year, ReportPhotoRow.item == item)
        .order_by(ReportPhotoRow.position)
    )
    found: dict[str, list[str]] = defaultdict(list)
    for report_id, sha in rows:
        found[report_id].append(sha)
    return dict(found)


def is_public(c: Connection, sha256: str) -> bool:
    query = select(ReportPhotoRow.sha256).where(ReportPhotoRow.sha256 == sha256).limit(1)
    return c.execute(query).first() is not None
