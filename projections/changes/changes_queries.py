"""What changed between two Wuxi days: read by range, never by scanning the log.

Entries of the public log are read by their recorded time (`public_log.recorded_at` is
indexed), so a page's cost follows the range it asks for, not the log's length. Reports'
values before and after come from the progress read model's rows of the items concerned
(a plan's reports, bounded by its months); projects' status moves compare the plan's
progress on the day before the range with its last day; cases that passed their time
limit are looked up by their deadline.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, or_, select

from domain.cases import BEING_HANDLED
from domain.ratings import quarter_of
from domain.schedule import Status
from domain.wuxi import business_date
from projections.cases.cases import CaseRow
from projections.plans import queries as q
from projections.plans.progress_queries import PlanProgress, ReportRow, in_force, report_rows
from projections.publiclog.public_log import LogEntry
from projections.ratings.satisfaction import BallotRow
from projections.ratings.satisfaction_queries import MIN_RANKED, TOTALS, Tally, quarter_end
from projections.ratings.satisfaction_queries import Milestone as Mark

# The public log's kinds a reader of "what changed" follows (ratings one by one do not:
# their milestones do; a case's every step does not: its closing does).
KINDS = (
    "report.filed",
    "report.corrected",
    "finding.raised",
    "finding.closed",
    "finding.reopened",
    "case.closed",
)
MAX_DAYS = 92  # the longest range a page computes: a quarter


@dataclass(frozen=True)
class Logged:
    """A public-log entry in the range, and whether the simulated year wrote it."""

    seq: int
    uuid: str
    kind: str
    year: int | None
    recorded_at: datetime
    payload: dict[str, Any]
    event_id: int
    simulated: bool


@dataclass(frozen=True)
class Delta:
    """One target of one project: its cumulative amount in force before and after a report."""

    ref: str
    label: str
    unit: str
    target: Decimal
    before: Decimal | None
    after: Decimal | None


@dataclass(frozen=True)
class StatusMove:
    ref: str
    item: int
    before: Status
    after: Status
    completion_before: Decimal
    completion_after: Decimal
    simulated: bool  # its latest report in force was the simulated year's


@dataclass(frozen=True)
class Overdue:
    number: str
    category: str
    district: str
    lead_unit: str | None
    deadline: date
    simulated: bool


def logged(c: Connection, start: datetime, end: datetime) -> list[Logged]:
    """The entries of `KINDS` recorded in [start, end), oldest first."""
    rows = c.execute(
        select(
            LogEntry.seq,
            LogEntry.uuid,
            LogEntry.kind,
            LogEntry.year,
            LogEntry.recorded_at,
            LogEntry.payload,
            LogEntry.event_id,
        )
        .where(
            LogEntry.recorded_at >= start,
            LogEntry.recorded_at < end,
            LogEntry.kind.in_(KINDS),
        )
        .order_by(LogEntry.recorded_at, LogEntry.seq)
    ).all()
    # Each entry of the simulated year says so itself (public_log version 2).
    return [
        Logged(
            r.seq,
            r.uuid,
            r.kind,
            r.year,
            r.recorded_at,
            r.payload,
            r.event_id,
            r.payload.get("simulated") is True,
        )
        for r in rows
    ]


def report_deltas(
    c: Connection, year: int, items: Iterable[q.ItemView], end: datetime
) -> dict[int, tuple[Delta, ...]]:
    """By a report's event id: each target whose amount in force changed with it.

    "In force" is the latest month's report as corrected so far; a correction of an
    earlier month changes nothing in force, and has no deltas.
    """
    by_number = {i.number: i for i in items}
    rows = report_rows(c, year, end, sorted(by_number)) if by_number else []
    seen: dict[int, list[ReportRow]] = {}
    out: dict[int, tuple[Delta, ...]] = {}
    for row in rows:
        earlier = seen.setdefault(row.item, [])
        before = _latest(earlier)
        earlier.append(row)
        after = _latest(earlier)
        deltas = [
            Delta(p.ref, t.label, t.unit, t.amount, was, now)
            for p in by_number[row.item].projects
            for i, t in enumerate(p.targets)
            if (was := _amount(before, p.ref, i)) != (now := _amount(after, p.ref, i))
        ]
        out[row.event_id] = tuple(deltas)
    return out


def _latest(rows: list[ReportRow]) -> ReportRow | None:
    current = in_force(rows)
    return next(reversed(current.values()), None) if current else None


def _amount(row: ReportRow | None, ref: str, index: int) -> Decimal | None:
    values = row.of(ref) if row else None
    return values.amounts[index] if values and index < len(values.amounts) else None


def status_moves(before: PlanProgress, after: PlanProgress) -> list[StatusMove]:
    """Projects whose status on the range's last day differs from the day before it."""
    was = {p.project.ref: p for p in before.projects}
    latest = {
        p.project.ref: item.in_force[p.latest_period].simulated
        for item in after.items
        for p in item.projects
        if p.latest_period is not None
    }
    return [
        StatusMove(
            p.project.ref,
            p.project.item,
            was[p.project.ref].status,
            p.status,
            was[p.project.ref].completion,
            p.completion,
            latest.get(p.project.ref, False),
        )
        for p in after.projects
        if p.project.ref in was and was[p.project.ref].status != p.status
    ]


def overdue(c: Connection, first: date, last: date) -> list[Overdue]:
    """Cases (consent or not: a unit and a time limit are public facts, as on the board)
    that passed their time limit on a day of [first, last]: the deadline
    day itself is in time, so the deadline was the day before; still handled then (being
    handled now, or closed only after it). Looked up by deadline, oldest first."""
    rows = c.execute(
        select(
            CaseRow.number,
            CaseRow.category,
            CaseRow.district,
            CaseRow.lead_unit,
            CaseRow.deadline,
            CaseRow.simulated,
        )
        .where(
            CaseRow.deadline >= first - timedelta(days=1),
            CaseRow.deadline <= last - timedelta(days=1),
            or_(
                CaseRow.state.in_(sorted(BEING_HANDLED)),
                and_(CaseRow.closed_on.is_not(None), CaseRow.closed_on > CaseRow.deadline),
            ),
        )
        .order_by(CaseRow.deadline, CaseRow.number)
    ).all()
    return [
        Overdue(r.number, r.category, r.district, r.lead_unit, r.deadline, r.simulated)
        for r in rows
    ]


def ratings_simulated(c: Connection, year: int) -> bool:
    """Do the year's ratings include the simulated year's? (Its milestones count them.)"""
    query = select(BallotRow.ballot_id).where(BallotRow.year == year, BallotRow.simulated.is_(True))
    return c.execute(query.limit(1)).first() is not None


# Built once, values bound at execution (one per subject active in a range: its compiled
# form is reused).
_FIRST = (
    select(BallotRow.ballot_id)
    .where(BallotRow.year == bindparam("year"), BallotRow.kind == bindparam("kind"))
    .where(BallotRow.ref == bindparam("ref"), BallotRow.first_cast_at < bindparam("low"))
    .limit(MIN_RANKED)
    .subquery()
)
_BEFORE = select(func.count()).select_from(_FIRST)
_CAST = select(BallotRow.first_cast_at).where(BallotRow.ballot_id == bindparam("ballot"))


def milestones(
    c: Connection, year: int, low: datetime, high: datetime, now: datetime
) -> list[Mark]:
    """The satisfaction milestones (`satisfaction_queries.milestones`: the same keys and
    instants) reached in [low, high), read by range: the ballots first cast in it, how many
    came before (the year's, and up to `MIN_RANKED` of each subject's), the tallies of the
    quarters that ended in it. Oldest first."""
    ballots = BallotRow.__table__
    order = (BallotRow.first_cast_at, BallotRow.ballot_id)
    # Their order only: the instant is read for the few that are milestones.
    rows = c.execute(
        select(BallotRow.kind, BallotRow.ref, BallotRow.ballot_id)
        .where(BallotRow.year == year, BallotRow.first_cast_at >= low)
        .where(BallotRow.first_cast_at < high)
        .order_by(*order)
    ).all()
    total = c.execute(
        select(func.count())
        .select_from(ballots)
        .where(BallotRow.year == year, BallotRow.first_cast_at < low)
    ).scalar_one()
    seen: dict[tuple[str, str], int] = {}
    out: list[Mark] = []
    for row in rows:
        subject = (row.kind, row.ref)
        if subject not in seen:
            seen[subject] = _before(c, year, subject, low)
        seen[subject] += 1
        total += 1
        if seen[subject] == MIN_RANKED:
            key = f"ranked/{year}/{row.kind}/{row.ref}"
            at = _first_cast(c, row.ballot_id)
            out.append(Mark(key, "ranked", at, subject, count=MIN_RANKED))
        if total in TOTALS:
            at = _first_cast(c, row.ballot_id)
            out.append(Mark(f"total/{year}/{total}", "total", at, count=total))
    out += _quarters(c, year, low, min(high, now))
    return sorted(out, key=lambda m: (m.at, m.key))


def _first_cast(c: Connection, ballot: str) -> datetime:
    return c.execute(_CAST, {"ballot": ballot}).scalar_one()


def _before(c: Connection, year: int, subject: tuple[str, str], low: datetime) -> int:
    """How many of the subject's ballots were first cast before `low`, up to MIN_RANKED."""
    found = c.execute(_BEFORE, {"year": year, "kind": subject[0], "ref": subject[1], "low": low})
    return int(found.scalar_one())


def _quarters(c: Connection, year: int, low: datetime, high: datetime) -> list[Mark]:
    """Quarters (of the year's ballots) whose end fell in [low, high), with their tallies."""
    out: list[Mark] = []
    day = business_date(low)
    while (ended := quarter_end(quarter_of(day))) < high:
        quarter = quarter_of(day)
        if ended >= low:
            counts = c.execute(
                select(BallotRow.level, func.count())
                .where(BallotRow.year == year, BallotRow.quarter == quarter)
                .group_by(BallotRow.level)
            ).all()
            if counts:
                tally = Tally()
                for level, n in counts:
                    tally.add(level, n)
                out.append(
                    Mark(f"quarter/{quarter}", "quarter", ended, quarter=quarter, tally=tally)
                )
        day = business_date(ended)
    return out
