"""Reading the case board: filtered lists, one case's public record, the statistics.

Every percentage comes with its counts and its formula (see `Rate`).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, select

from domain.cases import BEING_HANDLED, CLOSED, DECLINED, MERGED, OPEN_STATES, SUBMITTED
from projections.cases import CaseRow, CaseStep

PAGE = 50
HANDLING = BEING_HANDLED
NOT_HANDLED = (SUBMITTED, DECLINED, MERGED)  # never accepted, or not on its own


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
    if filters.overdue_only:
        where.append(c.state.in_(HANDLING))
        where.append(c.deadline < today)
    return where


def board(
    c: Connection, filters: Filters, today: date, page: int = 1, per_page: int = PAGE
) -> tuple[list[Any], int]:
    """One page of cases, newest first, and how many match in all."""
    where = _where(filters, today)
    total = c.execute(select(func.count()).select_from(CaseRow).where(*where)).scalar_one()
    rows = c.execute(
        select(CaseRow.__table__)  # type: ignore[call-overload]
        .where(*where)
        .order_by(CaseRow.submitted_at.desc(), CaseRow.number)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return rows, total


def case(c: Connection, number: str) -> Any | None:
    return c.execute(select(CaseRow.__table__).where(CaseRow.number == number)).first()  # type: ignore[call-overload]


def steps(c: Connection, case_id: str) -> list[Any]:
    return c.execute(
        select(CaseStep.__table__).where(CaseStep.case_id == case_id).order_by(CaseStep.event_id)  # type: ignore[call-overload]
    ).all()


def open_cases(c: Connection, unit: str | None = None) -> list[Any]:
    """定期梳理: every open case, oldest first (optionally those a unit leads or assists)."""
    query = select(CaseRow.__table__).where(CaseRow.state.in_(OPEN_STATES))  # type: ignore[call-overload]
    rows = c.execute(query.order_by(CaseRow.submitted_at)).all()
    if unit is not None:
        rows = [r for r in rows if r.lead_unit == unit or unit in (r.co_units or [])]
    return rows


def is_overdue(row: Any, today: date) -> bool:
    return row.state in HANDLING and row.deadline is not None and row.deadline < today


@dataclass(frozen=True)
class Rate:
    """A share with its counts: shown as 'p% (n / d)' and the formula beside it."""

    numerator: int
    denominator: int

    @property
    def share(self) -> Decimal | None:
        return Decimal(self.numerator) / self.denominator if self.denominator else None


@dataclass(frozen=True)
class Stats:
    label: str
    received: int
    handled: int  # accepted (not declined, not merged)
    closed: Rate  # 办结率: closed / handled
    on_time: Rate  # 按时办结率: closed with the last reply on time / closed
    satisfied: Rate  # 满意率: (满意 + 基本满意) / evaluated, by each case's latest evaluation
    rehandled: Rate  # 发回重办率: sent back at least once / evaluated
    median_days_to_reply: float | None
    overdue: int


def stats(rows: Iterable[Any], today: date, label: str = "") -> Stats:
    rows = list(rows)
    handled = [r for r in rows if r.state not in NOT_HANDLED]
    closed = [r for r in handled if r.state == CLOSED]
    evaluated = [r for r in handled if r.evaluation is not None]
    days = [
        (r.first_reply_on - r.assigned_on).days
        for r in handled
        if r.first_reply_on and r.assigned_on
    ]
    return Stats(
        label=label,
        received=len(rows),
        handled=len(handled),
        closed=Rate(len(closed), len(handled)),
        on_time=Rate(sum(1 for r in closed if r.last_reply_on_time), len(closed)),
        satisfied=Rate(
            sum(1 for r in evaluated if r.evaluation in ("satisfied", "basically")), len(evaluated)
        ),
        rehandled=Rate(sum(1 for r in evaluated if r.rehandled), len(evaluated)),
        median_days_to_reply=statistics.median(days) if days else None,
        overdue=sum(1 for r in handled if is_overdue(r, today)),
    )


def all_rows(c: Connection, year: int | None) -> list[Any]:
    query = select(CaseRow.__table__)  # type: ignore[call-overload]
    if year is not None:
        query = query.where(CaseRow.year == year)
    return c.execute(query).all()


def grouped(rows: Iterable[Any], key: str, today: date) -> list[Stats]:
    groups: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        value = getattr(row, key)
        if value:
            groups[value].append(row)
    return sorted(
        (stats(g, today, label) for label, g in groups.items()), key=lambda s: -s.received
    )


@dataclass(frozen=True)
class Counters:
    """Against the document's yearly targets: ≥1500 handled, of them key-supervised
    ≥520 "微幸福" and ≥120 "市长在线"."""

    handled: int
    weixingfu: int
    shizhang: int


def counters(rows: Iterable[Any]) -> Counters:
    handled = [r for r in rows if r.state not in NOT_HANDLED]
    return Counters(
        len(handled),
        sum(1 for r in handled if r.track == "weixingfu"),
        sum(1 for r in handled if r.track == "shizhang"),
    )


def years(c: Connection) -> list[int]:
    return list(c.execute(select(CaseRow.year).distinct().order_by(CaseRow.year)).scalars())


def search_units(c: Connection) -> list[str]:
    """The lead units that have cases, for the board's filter."""
    query = select(CaseRow.lead_unit).where(CaseRow.lead_unit.is_not(None)).distinct()
    return list(c.execute(query.order_by(CaseRow.lead_unit)).scalars())
