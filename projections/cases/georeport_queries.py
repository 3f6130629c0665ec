"""Cases as Open311 GeoReport v2 lists them: filtered, newest first, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, select

from domain.cases import FINISHED_STATES
from projections.cases.cases import CaseRow, CaseStep

CLOSED = FINISHED_STATES  # GeoReport "closed": 销号, declined or merged
OPEN_STATUS, CLOSED_STATUS = "open", "closed"  # GeoReport's words: not a case state


@dataclass(frozen=True)
class Query:
    numbers: frozenset[str] = frozenset()
    status: str | None = None  # "open", "closed", or None for both
    categories: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    updated_after: datetime | None = None
    page: int = 1
    page_size: int = 100


@dataclass(frozen=True)
class Page:
    rows: list[Any]
    updated: dict[str, datetime]  # by case id: its last public step
    more: bool


def requests(c: Connection, q: Query) -> Page:
    query = select(CaseRow.__table__).order_by(CaseRow.submitted_at.desc(), CaseRow.number.desc())
    if q.numbers:
        query = query.where(CaseRow.number.in_(q.numbers))
    if q.status == OPEN_STATUS:
        query = query.where(CaseRow.state.not_in(CLOSED))
    elif q.status == CLOSED_STATUS:
        query = query.where(CaseRow.state.in_(CLOSED))
    if q.categories:
        query = query.where(CaseRow.category.in_(q.categories))
    if q.start:
        query = query.where(CaseRow.submitted_at >= q.start)
    if q.end:
        query = query.where(CaseRow.submitted_at <= q.end)
    first = (q.page - 1) * q.page_size
    if q.updated_after:  # the last step of every case: filtered here, then paged
        updated = last_steps(c)
        after = q.updated_after
        rows = [r for r in c.execute(query) if updated.get(r.case_id, r.submitted_at) > after]
        rows = rows[first : first + q.page_size + 1]
    else:
        rows = list(c.execute(query.offset(first).limit(q.page_size + 1)).all())
        updated = last_steps(c, [r.case_id for r in rows])
    return Page(rows[: q.page_size], updated, len(rows) > q.page_size)


def last_steps(c: Connection, case_ids: list[str] | None = None) -> dict[str, datetime]:
    """Each case's last public step (all cases, or those given)."""
    query = select(CaseStep.case_id, func.max(CaseStep.recorded_at)).group_by(CaseStep.case_id)
    if case_ids is not None:
        query = query.where(CaseStep.case_id.in_(case_ids))
    return {case: _aware(at) for case, at in c.execute(query)}


def _aware(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
