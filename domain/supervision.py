"""Supervision: the People's Congress "四个一" and the government inspection office.

A supervision record is one contact, inspection, report or review. Its
findings on specific projects are tracked one by one — raised, rectification
reported by the responsible unit, closed by the supervisors once 整改到位,
or reopened — all of it public.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainError
from domain.wuxi import business_date

# kind -> (body, name as the document writes it)
KINDS = {
    "monthly_contact": ("人大督查组", "一月一联系"),
    "quarterly_inspection": ("人大督查组", "一季一督查"),
    "half_year_report": ("人大督查组", "半年一报告+询问"),
    "annual_review": ("人大督查组", "全年一评议"),
    "inspection": ("市政府督查室", "督查室督查"),
}


class SupervisionError(DomainError):
    """A supervision step breaks a rule: `code` names it, the message explains it."""

    def __init__(self, code: str, message: str, **params: object) -> None:
        self.code, self.params = code, params
        super().__init__(message)


class SupervisionRecord(Aggregate):
    class Recorded(Aggregate.Created):
        year: int
        kind: str
        body: str
        held_on: str  # the business date: when the visit, report or review took place
        title: str
        summary: str
        projects: list[str]
        actor: str

    @event(Recorded)
    def __init__(
        self,
        year: int,
        kind: str,
        body: str,
        held_on: str,
        title: str,
        summary: str,
        projects: list[str],
        actor: str,
    ) -> None:
        self.year = year
        self.kind = kind
        self.body = body
        self.held_on = date.fromisoformat(held_on)
        self.title = title
        self.summary = summary
        self.projects = tuple(projects)

    @classmethod
    def record(
        cls,
        *,
        id: UUID,
        year: int,
        kind: str,
        held_on: date,
        title: str,
        summary: str,
        projects: list[str],
        actor: str,
        recorded_at: datetime,
    ) -> SupervisionRecord:
        if kind not in KINDS:
            raise SupervisionError(
                "unknown_kind", f"no kind {kind!r}; kinds are {', '.join(KINDS)}"
            )
        if not title.strip():
            raise SupervisionError("no_title", "a record needs a title")
        if held_on.year != year:
            raise SupervisionError(
                "outside_year", f"held on {held_on}, outside the plan year {year}", year=year
            )
        if held_on > business_date(recorded_at):
            raise SupervisionError("in_future", f"held on {held_on}, which has not come yet")
        return cls._create(
            cls.Recorded,
            id=id,
            timestamp=recorded_at,
            year=year,
            kind=kind,
            body=KINDS[kind][0],
            held_on=held_on.isoformat(),
            title=title.strip(),
            summary=summary.strip(),
            projects=list(projects),
            actor=actor,
        )


OPEN, RECTIFYING, CLOSED = "open", "rectifying", "closed"


class Finding(Aggregate):
    """A problem found on specific projects, and its rectification (整改)."""

    class Raised(Aggregate.Created):
        year: int
        record_id: str
        projects: list[str]
        unit: str  # who must rectify: the lead unit of the projects' item
        text: str
        actor: str

    class RectificationReported(Aggregate.Event):
        text: str
        unit: str
        actor: str

        def apply(self, finding: Finding) -> None:
            finding.state = RECTIFYING

    class Closed(Aggregate.Event):
        note: str
        actor: str

        def apply(self, finding: Finding) -> None:
            finding.state = CLOSED

    class Reopened(Aggregate.Event):
        reason: str
        actor: str

        def apply(self, finding: Finding) -> None:
            finding.state = OPEN

    @event(Raised)
    def __init__(
        self, year: int, record_id: str, projects: list[str], unit: str, text: str, actor: str
    ) -> None:
        self.year = year
        self.record_id = record_id
        self.projects = tuple(projects)
        self.unit = unit
        self.text = text
        self.state = OPEN

    @classmethod
    def raise_on(
        cls,
        *,
        id: UUID,
        record: SupervisionRecord,
        projects: list[str],
        unit: str,
        text: str,
        actor: str,
        recorded_at: datetime,
    ) -> Finding:
        if not projects:
            raise SupervisionError("no_projects", "a finding names the projects it is about")
        if not text.strip():
            raise SupervisionError("no_text", "a finding says what was found")
        return cls._create(
            cls.Raised,
            id=id,
            timestamp=recorded_at,
            year=record.year,
            record_id=str(record.id),
            projects=list(projects),
            unit=unit,
            text=text.strip(),
            actor=actor,
        )

    def report_rectification(self, text: str, unit: str, actor: str, recorded_at: datetime) -> None:
        if unit != self.unit:
            raise SupervisionError("not_rectifier", f"{unit} does not rectify this finding")
        if self.state == CLOSED:
            raise SupervisionError("closed", "the finding is closed")
        if not text.strip():
            raise SupervisionError("no_text", "say what was done")
        self.trigger_event(
            self.RectificationReported,
            timestamp=recorded_at,
            text=text.strip(),
            unit=unit,
            actor=actor,
        )

    def close(self, note: str, actor: str, recorded_at: datetime) -> None:
        if self.state != RECTIFYING:
            raise SupervisionError(
                "not_rectified", "a finding closes only after a rectification is reported"
            )
        self.trigger_event(self.Closed, timestamp=recorded_at, note=note.strip(), actor=actor)

    def reopen(self, reason: str, actor: str, recorded_at: datetime) -> None:
        if self.state == OPEN:
            raise SupervisionError("open", "the finding is open already")
        if not reason.strip():
            raise SupervisionError("no_text", "say why it is reopened")
        self.trigger_event(self.Reopened, timestamp=recorded_at, reason=reason.strip(), actor=actor)


# The People's Congress "四个一" (锡人办通〔2023〕10号): how often each kind is due, as the
# periods of the year it falls in (a month, a quarter, a half, the year).
FOUR_ONES = {
    "monthly_contact": 12,
    "quarterly_inspection": 4,
    "half_year_report": 2,
    "annual_review": 1,
}


class Held(Protocol):
    """A supervision record as read back: its kind, the day it was held, its projects."""

    @property
    def kind(self) -> str: ...
    @property
    def held_on(self) -> date: ...
    @property
    def projects(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Period:
    number: int  # 1-based within the year: month, quarter, half or 1
    due: bool  # the period has begun (by the day asked)
    over: bool  # ... and ended
    held: tuple[date, ...]  # the days a record of the kind was held in it


@dataclass(frozen=True)
class FourOnesRow:
    kind: str
    periods: tuple[Period, ...]

    @property
    def due(self) -> int:
        return sum(1 for p in self.periods if p.due)

    @property
    def covered(self) -> int:
        return sum(1 for p in self.periods if p.held)

    @property
    def missed(self) -> int:
        """Periods over with no record of the kind."""
        return sum(1 for p in self.periods if p.over and not p.held)


def four_ones(
    records: Iterable[Held], refs: Iterable[str], year: int, today: date
) -> list[FourOnesRow]:
    """Each of the four kinds, period by period: whether a record touching these projects
    (or the whole plan: a record naming no project) was held in it, by `today` (a Wuxi day)."""
    wanted = set(refs)
    mine = [r for r in records if not r.projects or wanted & set(r.projects)]
    rows = []
    for kind, per_year in FOUR_ONES.items():
        months = 12 // per_year
        periods = []
        for n in range(1, per_year + 1):
            start = date(year, (n - 1) * months + 1, 1)
            end = date(year + 1, 1, 1) if n == per_year else date(year, n * months + 1, 1)
            held = tuple(
                sorted(
                    r.held_on
                    for r in mine
                    if r.kind == kind
                    and r.held_on.year == year
                    and (r.held_on.month - 1) // months + 1 == n
                )
            )
            periods.append(Period(n, start <= today, end <= today, held))
        rows.append(FourOnesRow(kind, tuple(periods)))
    return rows
