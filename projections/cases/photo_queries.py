"""Reading the photos on cases: the public ones, and the task force's moderation queue."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, func, select

from projections.cases.cases import CasePhotoRow, CaseRow

PAGE = 30


def public_photos(c: Connection, case_id: str) -> Sequence[Row[Any]]:
    """What anyone may see on the case's page, in the order they were added."""
    return c.execute(
        select(CasePhotoRow.__table__)
        .where(CasePhotoRow.case_id == case_id, CasePhotoRow.public.is_(True))
        .order_by(CasePhotoRow.event_id, CasePhotoRow.sha256)
    ).all()


def is_public(c: Connection, sha256: str) -> bool:
    query = select(CasePhotoRow.sha256).where(
        CasePhotoRow.sha256 == sha256, CasePhotoRow.public.is_(True)
    )
    return c.execute(query.limit(1)).first() is not None


def _waiting() -> list[Any]:
    """A citizen's photo they agreed to publish, on a case they agreed to publish, not looked
    at yet: the only photos moderation can publish."""
    return [
        CasePhotoRow.source == "citizen",
        CasePhotoRow.consent.is_(True),
        CasePhotoRow.moderation.is_(None),
        CaseRow.consent.is_(True),
        CaseRow.erased.is_(False),
    ]


def moderation_queue(c: Connection, limit: int = PAGE) -> tuple[Sequence[Row[Any]], int]:
    """The oldest photos waiting, with their case's number, and how many wait in all."""
    joined = CasePhotoRow.__table__.join(CaseRow.__table__, CaseRow.case_id == CasePhotoRow.case_id)
    total = c.execute(select(func.count()).select_from(joined).where(*_waiting())).scalar_one()
    rows = c.execute(
        select(CasePhotoRow.__table__, CaseRow.number)
        .select_from(joined)
        .where(*_waiting())
        .order_by(CasePhotoRow.event_id, CasePhotoRow.sha256)
        .limit(limit)
    ).all()
    return rows, total


def photos_of(c: Connection, case_id: str) -> Sequence[Row[Any]]:
    """Every photo on the case still kept (an erased citizen's are gone): for its handlers."""
    return c.execute(
        select(CasePhotoRow.__table__)
        .where(CasePhotoRow.case_id == case_id)
        .order_by(CasePhotoRow.event_id, CasePhotoRow.sha256)
    ).all()
