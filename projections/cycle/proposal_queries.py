"""Reading proposals: a year's solicitation, its public proposals, counts, the moderation queue.

Public readers see approved proposals only (words as published, answers, supports). A
merged proposal keeps its own supports; the proposal it went into shows its own and,
together, those of every proposal merged into it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, select

from domain.proposals import ANSWERS, APPROVED, MERGED, PENDING
from projections.cycle.proposals import ProposalRow, SolicitationRow

_S, _P = SolicitationRow.__table__, ProposalRow.__table__
SORTS = ("supports", "newest", "number")
UNANSWERED = "none"  # the answer filter for approved proposals not answered yet


@dataclass(frozen=True)
class SolicitationView:
    year: int
    opened_at: datetime
    last_day: str
    closed_at: datetime | None
    received: int
    simulated: bool


@dataclass(frozen=True)
class Counts:
    received: int
    pending: int
    approved: int
    rejected: int
    answers: dict[str, int]  # adopted / merged / not_adopted / none
    supports: int


def solicitation(c: Connection, year: int) -> SolicitationView | None:
    r = c.execute(select(_S).where(SolicitationRow.year == year)).first()
    if r is None:
        return None
    return SolicitationView(
        r.year, r.opened_at, r.last_day, r.closed_at, r.received, bool(r.simulated)
    )


def years(c: Connection) -> list[int]:
    return list(c.execute(select(SolicitationRow.year).order_by(SolicitationRow.year)).scalars())


def counts(c: Connection, year: int) -> Counts:
    states = dict(
        c.execute(
            select(ProposalRow.state, func.count())
            .where(ProposalRow.year == year)
            .group_by(ProposalRow.state)
        )
        .tuples()
        .all()
    )
    answers = {a: 0 for a in (*ANSWERS, UNANSWERED)}
    for answer, n in c.execute(
        select(ProposalRow.answer, func.count())
        .where(ProposalRow.year == year, ProposalRow.state == APPROVED)
        .group_by(ProposalRow.answer)
    ).tuples():
        answers[answer or UNANSWERED] = n
    supports = c.execute(
        select(func.coalesce(func.sum(ProposalRow.supports), 0)).where(ProposalRow.year == year)
    ).scalar_one()
    return Counts(
        received=sum(states.values()),
        pending=states.get(PENDING, 0),
        approved=states.get(APPROVED, 0),
        rejected=states.get("rejected", 0),
        answers=answers,
        supports=int(supports),
    )


def _merged_supports(c: Connection, year: int) -> dict[int, int]:
    """For each proposal others were merged into: the supports of those merged into it."""
    rows = c.execute(
        select(ProposalRow.merged_into, func.sum(ProposalRow.supports))
        .where(ProposalRow.year == year, ProposalRow.answer == MERGED)
        .group_by(ProposalRow.merged_into)
    ).tuples()
    return {int(into): int(n or 0) for into, n in rows if into is not None}


@dataclass(frozen=True)
class ProposalView:
    year: int
    number: int
    ref: str
    category: str
    district: str
    title: str
    description: str
    edited: bool
    submitted_at: datetime
    approved_at: datetime | None
    answer: str | None
    candidate: str | None
    merged_into: int | None
    answer_text: str | None
    answered_at: datetime | None
    supports: int
    merged_supports: int  # the supports of the proposals merged into this one
    simulated: bool

    @property
    def total_supports(self) -> int:
        return self.supports + self.merged_supports


def _view(r: Any, merged: dict[int, int]) -> ProposalView:
    return ProposalView(
        year=r.year,
        number=r.number,
        ref=f"P{r.number}",
        category=r.category,
        district=r.district,
        title=r.title or "",
        description=r.description or "",
        edited=bool(r.edited),
        submitted_at=r.submitted_at,
        approved_at=r.moderated_at,
        answer=r.answer,
        candidate=r.candidate,
        merged_into=r.merged_into,
        answer_text=r.answer_text,
        answered_at=r.answered_at,
        supports=r.supports,
        merged_supports=merged.get(r.number, 0),
        simulated=bool(r.simulated),
    )


def proposals(
    c: Connection,
    year: int,
    category: str | None = None,
    district: str | None = None,
    answer: str | None = None,
    sort: str = "supports",
) -> list[ProposalView]:
    """The year's public (approved) proposals, filtered, most supported first by default."""
    query = select(_P).where(ProposalRow.year == year, ProposalRow.state == APPROVED)
    if category:
        query = query.where(ProposalRow.category == category)
    if district:
        query = query.where(ProposalRow.district == district)
    if answer == UNANSWERED:
        query = query.where(ProposalRow.answer.is_(None))
    elif answer:
        query = query.where(ProposalRow.answer == answer)
    merged = _merged_supports(c, year)
    found = [_view(row, merged) for row in c.execute(query).all()]
    if sort == "newest":
        found.sort(key=lambda p: (p.approved_at or p.submitted_at, p.number), reverse=True)
    elif sort == "number":
        found.sort(key=lambda p: p.number)
    else:
        found.sort(key=lambda p: (-p.total_supports, p.number))
    return found


def proposal(c: Connection, year: int, number: int) -> ProposalView | None:
    """A public proposal; None when there is none or it is not approved."""
    row = c.execute(
        select(_P).where(
            ProposalRow.year == year, ProposalRow.number == number, ProposalRow.state == APPROVED
        )
    ).first()
    if row is None:
        return None
    return _view(row, _merged_supports(c, year))


def merged_into(c: Connection, year: int, number: int) -> list[ProposalView]:
    """The proposals merged into this one."""
    rows = c.execute(
        select(_P)
        .where(ProposalRow.year == year, ProposalRow.merged_into == number)
        .order_by(ProposalRow.number)
    ).all()
    return [_view(r, {}) for r in rows]


def filters(c: Connection, year: int) -> tuple[list[str], list[str]]:
    """The categories and districts the year's public proposals have."""
    public = (ProposalRow.year == year, ProposalRow.state == APPROVED)
    categories = c.execute(
        select(ProposalRow.category).where(*public).distinct().order_by(ProposalRow.category)
    ).scalars()
    districts = c.execute(
        select(ProposalRow.district).where(*public).distinct().order_by(ProposalRow.district)
    ).scalars()
    return list(categories), list(districts)


# The task force ------------------------------------------------------------------------


def queue(c: Connection, year: int) -> Sequence[Row[Any]]:
    """Proposals awaiting moderation, oldest first (their words are opened by the ledger)."""
    return c.execute(
        select(
            ProposalRow.number,
            ProposalRow.category,
            ProposalRow.district,
            ProposalRow.submitted_at,
            ProposalRow.erased,
        )
        .where(ProposalRow.year == year, ProposalRow.state == PENDING)
        .order_by(ProposalRow.number)
    ).all()


def rejected_counts(c: Connection, year: int) -> dict[str, int]:
    """How many were not published, by reason category (public as counts only)."""
    rows = c.execute(
        select(ProposalRow.rejected_as, func.count())
        .where(ProposalRow.year == year, ProposalRow.rejected_as.is_not(None))
        .group_by(ProposalRow.rejected_as)
    ).tuples()
    return {str(k): int(n) for k, n in rows}
