"""Reading the case board: filtered lists, one case's public record, the rows for statistics.

The statistics themselves are computed by `domain.case_statistics`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import Connection, Row, func, select

from domain.cases import BEING_HANDLED, OPEN_STATES
from projections.cases.cases import CaseRow, CaseStep

PAGE = 50


@dataclass(frozen=True)
class Filters:
    year: int | None = None
    state: str | None = None
    route: str | None = None
    district: str | None = None
    unit: str | None = None
    track: str | None = None
    key_only: bool = False
    overdue_only: bool = False


def _where(filters: Filters, today: date) -> list[Any]:
    c = CaseRow
    where: list[Any] = []
    if filters.year is not None:
        where.append(c.year == filters.year)
    if filters.state:
        where.append(c.state == filters.state)
    if filters.route:
        where.append(c.route == filters.route)
    if filters.district:
        where.append(c.district == filters.district)
    if filters.unit:
        where.append(c.lead_unit == filters.unit)
    if filters.track:
        where.append(c.track == filters.track)
    if filters.key_only:
        where.append(c.track.is_not(None))
    if filters.overdue_only:  # domain.cases.is_overdue, in SQL
        where.append(c.state.in_(BEING_HANDLED))
        where.append(c.deadline < today)
    return where


def board(
    c: Connection, filters: Filters, today: date, page: int = 1, per_page: int = PAGE
) -> tuple[Sequence[Row[Any]], int]:
    """One page of cases, newest first, and how many match in all."""
    where = _where(filters, today)
    total = c.execute(select(func.count()).select_from(CaseRow).where(*where)).scalar_one()
    rows = c.execute(
        select(CaseRow.__table__)
        .where(*where)
        .order_by(CaseRow.submitted_at.desc(), CaseRow.number)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return rows, total


def overdue(c: Connection, today: date) -> Sequence[Row[Any]]:
    """Every case being handled past its time limit, latest deadline first: the same cases
    as the board's 超期 filter (and the API's), consent or not."""
    return c.execute(
        select(CaseRow.__table__)
        .where(*_where(Filters(overdue_only=True), today))
        .order_by(CaseRow.deadline.desc(), CaseRow.number)
    ).all()


def case(c: Connection, number: str) -> Any | None:
    return c.execute(select(CaseRow.__table__).where(CaseRow.number == number)).first()


def by_ids(c: Connection, case_ids: Sequence[str]) -> Sequence[Row[Any]]:
    """These cases (ids of one person's key: their "my cases"), newest first."""
    if not case_ids:
        return []
    return c.execute(
        select(CaseRow.__table__)
        .where(CaseRow.case_id.in_(list(case_ids)))
        .order_by(CaseRow.submitted_at.desc(), CaseRow.number)
    ).all()


def steps(c: Connection, case_id: str) -> Sequence[Row[Any]]:
    return c.execute(
        select(CaseStep.__table__).where(CaseStep.case_id == case_id).order_by(CaseStep.event_id)
    ).all()


def open_cases(c: Connection, unit: str | None = None) -> Sequence[Row[Any]]:
    """定期梳理: every open case, oldest first (optionally those a unit leads or assists)."""
    query = select(CaseRow.__table__).where(CaseRow.state.in_(OPEN_STATES))
    rows = c.execute(query.order_by(CaseRow.submitted_at)).all()
    if unit is not None:
        rows = [r for r in rows if r.lead_unit == unit or unit in (r.co_units or [])]
    return rows


def all_rows(c: Connection, year: int | None) -> Sequence[Row[Any]]:
    query = select(CaseRow.__table__)
    if year is not None:
        query = query.where(CaseRow.year == year)
    return c.execute(query).all()


# What the case statistics read of each case (domain.case_statistics.CaseFacts) and group
# by: not the words, the steps' JSON or the dates no figure uses.
_FACTS = (
    CaseRow.state,
    CaseRow.deadline,
    CaseRow.track,
    CaseRow.assigned_on,
    CaseRow.first_reply_on,
    CaseRow.last_reply_on_time,
    CaseRow.evaluation,
    CaseRow.first_evaluation,
    CaseRow.rehandled,
    CaseRow.fix_answer,
    CaseRow.lead_unit,
    CaseRow.district,
)


class Facts(NamedTuple):
    state: str
    deadline: date | None
    track: str | None
    assigned_on: date | None
    first_reply_on: date | None
    last_reply_on_time: bool | None
    evaluation: str | None
    first_evaluation: str | None
    rehandled: int
    fix_answer: str | None
    lead_unit: str | None
    district: str


def fact_rows(c: Connection, year: int | None) -> list[Facts]:
    """Every case of `year` (None: all years), with what the statistics read, as plain
    tuples (the statistics read each field of each case several times)."""
    query = select(*_FACTS)
    if year is not None:
        query = query.where(CaseRow.year == year)
    return [Facts(*row) for row in c.execute(query)]


def years(c: Connection) -> list[int]:
    return list(c.execute(select(CaseRow.year).distinct().order_by(CaseRow.year)).scalars())


def search_units(c: Connection) -> list[str]:
    """The lead units that have cases, for the board's filter."""
    query = select(CaseRow.lead_unit).where(CaseRow.lead_unit.is_not(None)).distinct()
    # The query already drops NULL; the test only tells the type checker.
    return [u for u in c.execute(query.order_by(CaseRow.lead_unit)).scalars() if u is not None]


def states(c: Connection, numbers: Sequence[str]) -> dict[str, str]:
    """Each named case's state now (for lists that show cases found elsewhere)."""
    if not numbers:
        return {}
    rows = c.execute(select(CaseRow.number, CaseRow.state).where(CaseRow.number.in_(numbers)))
    return {number: state for number, state in rows}


def by_numbers(c: Connection, numbers: Sequence[str]) -> dict[str, Any]:
    """These cases' board rows by number (a list found elsewhere: a conversion's cases)."""
    if not numbers:
        return {}
    rows = c.execute(select(CaseRow.__table__).where(CaseRow.number.in_(list(numbers))))
    return {row.number: row for row in rows}
