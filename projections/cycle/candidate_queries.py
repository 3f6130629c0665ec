"""Reading the cycle's conversions, candidates and vote (projections/cycle/candidates.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, func, select

from projections.cycle.candidates import (
    CandidateRow,
    CandidateSource,
    CongressVote,
    ConversionCase,
    ConversionRow,
)
from projections.plans import queries as plan_queries


def candidates(c: Connection, year: int) -> Sequence[Row[Any]]:
    """The year's candidates in their order (C1, C2...), with their figures once voted."""
    return c.execute(
        select(CandidateRow.__table__)
        .where(CandidateRow.year == year)
        .order_by(CandidateRow.number)
    ).all()


def candidate(c: Connection, year: int, number: int) -> Row[Any] | None:
    return c.execute(
        select(CandidateRow.__table__).where(
            CandidateRow.year == year, CandidateRow.number == number
        )
    ).first()


def candidate_refs(c: Connection, year: int) -> list[str]:
    return [
        f"C{n}"
        for n in c.execute(
            select(CandidateRow.number)
            .where(CandidateRow.year == year)
            .order_by(CandidateRow.number)
        ).scalars()
    ]


def conversions(c: Connection, year: int) -> Sequence[Row[Any]]:
    return c.execute(
        select(ConversionRow.__table__)
        .where(ConversionRow.year == year)
        .order_by(ConversionRow.number)
    ).all()


def conversion(c: Connection, year: int, number: int) -> Row[Any] | None:
    return c.execute(
        select(ConversionRow.__table__).where(
            ConversionRow.year == year, ConversionRow.number == number
        )
    ).first()


def conversion_cases(
    c: Connection, year: int, number: int, limit: int | None = None, offset: int = 0
) -> Sequence[Row[Any]]:
    """A conversion's cases in its order: number, district, lead unit (when converted); a
    page of them with `limit` (a class of problem may gather thousands of cases)."""
    query = (
        select(ConversionCase.__table__)
        .where(ConversionCase.year == year, ConversionCase.conversion == number)
        .order_by(ConversionCase.position)
    )
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return c.execute(query).all()


def conversion_counts(
    c: Connection, year: int, number: int
) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """A conversion's cases counted by district and by lead unit, most first (then by name;
    a case not yet assigned counts under ""), by the database: a page's cost does not grow
    with the number of cases."""
    where = (ConversionCase.year == year, ConversionCase.conversion == number)
    tallies = []
    for column in (ConversionCase.district, ConversionCase.lead_unit):
        rows = c.execute(select(column, func.count()).where(*where).group_by(column)).all()
        tallies.append(sorted(((k or "", n) for k, n in rows), key=lambda kv: (-kv[1], kv[0])))
    return tallies[0], tallies[1]


def districts_by_conversion(c: Connection, year: int) -> dict[int, list[tuple[str, int]]]:
    """Every conversion of `year`: its cases counted by district, most first (then by name;
    "" for none), in one statement."""
    rows = c.execute(
        select(ConversionCase.conversion, ConversionCase.district, func.count())
        .where(ConversionCase.year == year)
        .group_by(ConversionCase.conversion, ConversionCase.district)
    ).all()
    found: dict[int, list[tuple[str, int]]] = {}
    for conversion, district, n in rows:
        found.setdefault(conversion, []).append((district or "", n))
    return {k: sorted(v, key=lambda kv: (-kv[1], kv[0])) for k, v in found.items()}


def fed(c: Connection, year: int, source: str) -> list[int]:
    """The numbers of the candidates a source ("P17", "Z3") fed."""
    return list(
        c.execute(
            select(CandidateSource.candidate)
            .where(CandidateSource.year == year, CandidateSource.source == source)
            .order_by(CandidateSource.candidate)
        ).scalars()
    )


def vote(c: Connection, year: int) -> Row[Any] | None:
    return c.execute(select(CongressVote.__table__).where(CongressVote.year == year)).first()


def years(c: Connection) -> list[int]:
    found = set(c.execute(select(CandidateRow.year).distinct()).scalars())
    found |= set(c.execute(select(ConversionRow.year).distinct()).scalars())
    return sorted(found)


def plan_projects(c: Connection, year: int) -> dict[int, list[tuple[str, str]]]:
    """The projects of `year`'s plan by the candidate they came from (the plan file's
    `candidate: C3`): candidate number -> [(project ref, title)]. Empty without that plan."""
    found: dict[int, list[tuple[str, str]]] = {}
    for p in plan_queries.projects(c, year):
        ref = getattr(p, "candidate", None)  # the plan's link to its candidate, when it has one
        if isinstance(ref, str) and ref[1:].isdigit():
            found.setdefault(int(ref[1:]), []).append((p.ref, p.title))
    return found


@dataclass(frozen=True)
class CaseContribution:
    """What a case contributed to: a conversion of a cycle, the candidates it fed (and, for a
    vote recorded, whether each was chosen), and the projects of that year's plan that came
    from those candidates."""

    year: int
    conversion: int  # Z<conversion>
    title: str
    candidates: tuple[tuple[int, str, bool], ...]  # (number, title, chosen)
    projects: tuple[tuple[str, str], ...] = ()  # (project ref, title) of the year's plan


def candidate_of_case(c: Connection, number: str) -> list[CaseContribution]:
    """Every cycle a case contributed to (at most one conversion per cycle year), oldest
    first: the case page shows it, and the lead links the next plan's projects to the
    candidates (`candidate: C3` in the plan's YAML) to show the project too."""
    found = c.execute(
        select(ConversionCase.year, ConversionCase.conversion, ConversionRow.title)
        .join(
            ConversionRow,
            (ConversionRow.year == ConversionCase.year)
            & (ConversionRow.number == ConversionCase.conversion),
        )
        .where(ConversionCase.case_number == number)
        .order_by(ConversionCase.year)
    ).all()
    out = []
    for year, conversion_number, title in found:
        rows = c.execute(
            select(CandidateRow.number, CandidateRow.title, CandidateRow.chosen)
            .join(
                CandidateSource,
                (CandidateSource.year == CandidateRow.year)
                & (CandidateSource.candidate == CandidateRow.number),
            )
            .where(CandidateSource.year == year, CandidateSource.source == f"Z{conversion_number}")
            .order_by(CandidateRow.number)
        ).all()
        projects = plan_projects(c, year) if rows else {}
        out.append(
            CaseContribution(
                year,
                conversion_number,
                title,
                tuple((n, t, bool(ch)) for n, t, ch in rows),
                tuple(p for n, _t, _ch in rows for p in projects.get(n, [])),
            )
        )
    return out
