"""Satisfaction results: counts per level, 满意率 with a 95% interval, by any grouping.

满意率 = (满意 + 基本满意) ÷ all ratings. The interval is Wilson's score
interval, so that 3 of 3 reads as "somewhere between 44% and 100%", not as a
triumph; nothing is ranked before it has `MIN_RANKED` ratings.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, func, select

from domain.ratings import wilson
from domain.wuxi import start_of_day
from projections.plans.catalog import CatalogItem, CatalogProject
from projections.ratings.satisfaction import BallotRow, CaseRating

MIN_RANKED = 30  # ratings a subject needs before it is ranked among others
DIMENSIONS = ("project", "item", "category", "key_project", "unit", "district")


@dataclass
class Tally:
    satisfied: int = 0
    basically: int = 0
    unsatisfied: int = 0

    def add(self, level: str, n: int = 1) -> None:
        setattr(self, level, getattr(self, level) + n)

    @property
    def total(self) -> int:
        return self.satisfied + self.basically + self.unsatisfied

    @property
    def content(self) -> int:
        """满意 + 基本满意."""
        return self.satisfied + self.basically

    @property
    def rate(self) -> float | None:
        return self.content / self.total if self.total else None

    @property
    def interval(self) -> tuple[float, float]:
        return wilson(self.content, self.total)

    @property
    def ranked(self) -> bool:
        return self.total >= MIN_RANKED

    def as_dict(self) -> dict[str, Any]:
        low, high = self.interval
        return {
            "satisfied": self.satisfied,
            "basically": self.basically,
            "unsatisfied": self.unsatisfied,
            "total": self.total,
            "rate": None if self.rate is None else round(self.rate, 4),
            "interval_95": [round(low, 4), round(high, 4)] if self.total else None,
            "ranked": self.ranked,
        }


@dataclass(frozen=True)
class Counted:
    """Ballots that count alike: what they are about, where they put it, their level,
    and how many there are (counted by the database: as many groups as the plan's
    subjects, quarters, levels and districts allow, however many ballots)."""

    kind: str
    ref: str
    item: int
    quarter: str
    level: str
    district: str | None
    n: int = 1


@dataclass
class Results:
    """Tallies of one year's ratings by each dimension, and by quarter."""

    by: dict[str, dict[Any, Tally]] = field(default_factory=dict)
    quarters: dict[str, Tally] = field(default_factory=dict)
    trend: dict[tuple[str, Any], dict[str, Tally]] = field(default_factory=dict)
    overall: Tally = field(default_factory=Tally)


_ALIKE = (
    BallotRow.kind,
    BallotRow.ref,
    BallotRow.item,
    BallotRow.quarter,
    BallotRow.level,
    BallotRow.district,
)


def counted(c: Connection, year: int, quarter: str | None = None) -> list[Counted]:
    query = select(*_ALIKE, func.count()).where(BallotRow.year == year)
    if quarter:
        query = query.where(BallotRow.quarter == quarter)
    return [Counted(*row) for row in c.execute(query.group_by(*_ALIKE))]


@dataclass(frozen=True)
class Places:
    """Where the plan puts each project and item: category, key project, lead unit."""

    project_item: dict[str, int]
    project_key: dict[str, int | None]
    item_category: dict[int, int]
    item_lead: dict[int, str]

    @classmethod
    def of(cls, c: Connection, year: int) -> Places:
        projects = c.execute(
            select(CatalogProject.ref, CatalogProject.item, CatalogProject.key_project).where(
                CatalogProject.year == year
            )
        ).all()
        items = c.execute(
            select(CatalogItem.number, CatalogItem.category, CatalogItem.units).where(
                CatalogItem.year == year
            )
        ).all()
        return cls(
            {p.ref: p.item for p in projects},
            {p.ref: p.key_project for p in projects},
            {i.number: i.category for i in items},
            {i.number: i.units[0] for i in items},
        )

    def keys(self, ballot: Counted) -> dict[str, Any]:
        """The group of each dimension this ballot counts in (None: it does not)."""
        project = ballot.ref if ballot.kind == "project" else None
        return {
            "project": project,
            "item": ballot.item,
            "category": self.item_category.get(ballot.item),
            "key_project": self.project_key.get(project) if project else None,
            "unit": self.item_lead.get(ballot.item),
            "district": ballot.district,
        }


def tally(ballots: Iterable[Counted], places: Places) -> Results:
    results = Results(by={d: defaultdict(Tally) for d in DIMENSIONS})
    quarters: dict[str, Tally] = defaultdict(Tally)
    trend: dict[tuple[str, Any], dict[str, Tally]] = defaultdict(lambda: defaultdict(Tally))
    for ballot in ballots:
        level, n = ballot.level, ballot.n
        results.overall.add(level, n)
        quarters[ballot.quarter].add(level, n)
        for dimension, key in places.keys(ballot).items():
            if key is not None:
                results.by[dimension][key].add(level, n)
                trend[(dimension, key)][ballot.quarter].add(level, n)
    results.quarters = dict(sorted(quarters.items()))
    results.trend = {k: dict(sorted(v.items())) for k, v in trend.items()}
    results.by = {d: dict(groups) for d, groups in results.by.items()}
    return results


def year_results(c: Connection, year: int, quarter: str | None = None) -> Results:
    return tally(counted(c, year, quarter), Places.of(c, year))


def ranking(groups: dict[Any, Tally]) -> list[tuple[Any, Tally]]:
    """Groups with enough ratings, best first by the interval's lower bound (then the rate)."""
    ranked = [(key, t) for key, t in groups.items() if t.ranked]
    return sorted(ranked, key=lambda kv: (-kv[1].interval[0], -(kv[1].rate or 0), str(kv[0])))


# Case evaluations: kept apart ------------------------------------------------------


@dataclass
class CaseResults:
    overall: Tally = field(default_factory=Tally)
    by_unit: dict[str, Tally] = field(default_factory=dict)
    by_district: dict[str, Tally] = field(default_factory=dict)
    by_track: dict[str, Tally] = field(default_factory=dict)
    quarters: dict[str, Tally] = field(default_factory=dict)


def case_results(c: Connection, year: int, first: bool = False) -> CaseResults:
    """The cases' evaluations: each case's latest, or (`first`) each case's first one."""
    level = CaseRating.first_level if first else CaseRating.level
    rows = c.execute(
        select(
            CaseRating.unit,
            CaseRating.district,
            CaseRating.track,
            level.label("level"),
            CaseRating.quarter,
        ).where(CaseRating.year == year, level.is_not(None))
    ).all()
    out = CaseResults()
    by_unit: dict[str, Tally] = defaultdict(Tally)
    by_district: dict[str, Tally] = defaultdict(Tally)
    by_track: dict[str, Tally] = defaultdict(Tally)
    quarters: dict[str, Tally] = defaultdict(Tally)
    for row in rows:
        out.overall.add(row.level)
        by_district[row.district].add(row.level)
        if not first:  # the quarter kept is the latest evaluation's
            quarters[row.quarter].add(row.level)
        if row.unit:
            by_unit[row.unit].add(row.level)
        if row.track:
            by_track[row.track].add(row.level)
    out.by_unit, out.by_district = dict(by_unit), dict(by_district)
    out.by_track, out.quarters = dict(by_track), dict(sorted(quarters.items()))
    return out


# Milestones (for the satisfaction feed) -------------------------------------------

TOTALS = (1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000)  # the year's ratings


@dataclass(frozen=True)
class Milestone:
    """A fact about the ratings that, once true, stays true: a feed entry.

    kind: "quarter" (a quarter ended; its tally is final, since a rating
    counts in the quarter it was cast), "ranked" (a subject reached
    MIN_RANKED ratings, by when each person first rated it that quarter) or
    "total" (the year's ratings reached a round number).
    """

    key: str  # stable: the entry's id is made from it
    kind: str
    at: datetime
    subject: tuple[str, str] | None = None  # (kind, ref)
    quarter: str | None = None
    count: int = 0
    tally: Tally | None = None
    simulated: bool = False  # it counts ratings of the labelled simulated year


def milestones(c: Connection, year: int, now: datetime) -> list[Milestone]:
    """Every milestone reached by `now`, newest first."""
    rows = c.execute(
        select(BallotRow.kind, BallotRow.ref, BallotRow.quarter, BallotRow.level,
               BallotRow.first_cast_at, BallotRow.simulated)
        .where(BallotRow.year == year)
        .order_by(BallotRow.first_cast_at, BallotRow.ballot_id)
    ).all()  # fmt: skip
    out: list[Milestone] = []
    quarters: dict[str, Tally] = defaultdict(Tally)
    people: dict[tuple[str, str], int] = defaultdict(int)
    # A milestone counts simulated ratings (the labelled simulated year): it is simulated too.
    made_up: dict[Any, bool] = defaultdict(bool)
    for n, row in enumerate(rows, start=1):
        quarters[row.quarter].add(row.level)
        subject = (row.kind, row.ref)
        people[subject] += 1
        for part in (row.quarter, subject, "total"):
            made_up[part] |= row.simulated
        if people[subject] == MIN_RANKED:
            key = f"ranked/{year}/{row.kind}/{row.ref}"
            out.append(
                Milestone(
                    key, "ranked", row.first_cast_at, subject, count=MIN_RANKED,
                    simulated=made_up[subject],
                )
            )  # fmt: skip
        if n in TOTALS:
            out.append(
                Milestone(
                    f"total/{year}/{n}", "total", row.first_cast_at, count=n,
                    simulated=made_up["total"],
                )
            )  # fmt: skip
    for quarter, counts in quarters.items():
        ended = quarter_end(quarter)
        if ended <= now:
            key = f"quarter/{quarter}"
            out.append(
                Milestone(
                    key, "quarter", ended, quarter=quarter, tally=counts,
                    simulated=made_up[quarter],
                )
            )  # fmt: skip
    return sorted(out, key=lambda m: (m.at, m.key), reverse=True)


def quarter_end(quarter: str) -> datetime:
    """The instant a quarter ("2023Q3") is over, in Wuxi."""
    year, q = int(quarter[:4]), int(quarter[-1])
    following = date(year + (q == 4), q * 3 % 12 + 1, 1)
    return start_of_day(following)
