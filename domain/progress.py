"""Monthly progress reports (每月底前逐项报告) and their rules.

A report states, for one item and one reporting month, the cumulative
quantity achieved for every target of each of the item's projects, and
whether each milestone is done. Reports never change: a correction is a new
report for the same month that names the one it corrects and says why.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from domain.districts import (
    MAX_AMOUNT,
    Breakdown,
    amounts_of,
    breakdown_problems,
    breakdown_to_data,
)
from domain.errors import DomainError
from domain.plan_spec import ProjectSpec
from domain.wuxi import business_date


@dataclass(frozen=True, order=True)
class Period:
    """A reporting month, written YYYY-MM."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Period:
        try:
            year, month = (int(part) for part in text.split("-"))
        except ValueError:
            year = month = 0
        if not (1 <= month <= 12 and 2000 <= year <= 2100) or len(text) != 7:
            raise InvalidReport([ReportProblem("period", "not_a_month", {"text": text[:20]})])
        return cls(year, month)

    @classmethod
    def of(cls, day: date) -> Period:
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        following = self.next().first_day
        return date.fromordinal(following.toordinal() - 1)

    def next(self) -> Period:
        return Period(self.year + self.month // 12, self.month % 12 + 1)


@dataclass(frozen=True)
class ProjectValues:
    """What a report says of one project: an amount per target, done or not per milestone."""

    ref: str
    amounts: tuple[Decimal, ...]
    milestones: tuple[bool, ...]


@dataclass(frozen=True)
class Report:
    report_id: str
    period: Period
    unit: str
    values: tuple[ProjectValues, ...]
    narrative: str
    evidence: tuple[str, ...]
    actor: str
    recorded_at: datetime
    corrects: str | None = None
    reason: str = ""
    districts: Breakdown = ()  # the cumulative amounts by district, where the unit gave them

    def of(self, ref: str) -> ProjectValues:
        return next(v for v in self.values if v.ref == ref)


MAX_NARRATIVE = 2000
MAX_EVIDENCE = 5


@dataclass(frozen=True)
class ReportProblem:
    """One broken rule: the field it concerns, a stable code, and the values to explain it.

    The web layer turns the code into a sentence in the reader's language.
    """

    field: str
    code: str
    # `field` names the field above in this class: the function by its module
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def __str__(self) -> str:
        details = ", ".join(f"{k}={v}" for k, v in self.params.items())
        return f"{self.field}: {self.code}" + (f" ({details})" if details else "")


class InvalidReport(DomainError):
    """A report breaks one or more rules."""

    def __init__(self, problems: Sequence[ReportProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Filing:
    """What a unit files: the same for a first report and for a correction."""

    report_id: str
    unit: str
    values: tuple[ProjectValues, ...]
    narrative: str
    evidence: tuple[str, ...]
    actor: str
    recorded_at: datetime
    districts: Breakdown = ()

    def problems(self) -> list[ReportProblem]:
        found = []
        if len(self.narrative) > MAX_NARRATIVE:
            found.append(ReportProblem("narrative", "too_long", {"limit": MAX_NARRATIVE}))
        if len(self.evidence) > MAX_EVIDENCE:
            found.append(ReportProblem("evidence", "too_many", {"limit": MAX_EVIDENCE}))
        for index, link in enumerate(self.evidence):
            if not _is_web_address(link):
                found.append(ReportProblem(f"evidence[{index}]", "not_a_web_address"))
        if self.recorded_at.tzinfo is None:
            raise ValueError("recorded_at needs a time zone")
        return found

    def data(self) -> dict[str, Any]:
        return {
            "report_id": self.report_id,
            "unit": self.unit,
            "values": values_to_data(self.values),
            "narrative": self.narrative,
            "evidence": list(self.evidence),
            "actor": self.actor,
            "districts": breakdown_to_data(self.districts),
        }


def _is_web_address(link: str) -> bool:
    return (
        link.startswith(("https://", "http://"))
        and len(link) <= 500
        and "." in link.split("/")[2]
        and not any(c.isspace() for c in link)
    )


class NotResponsible(DomainError):
    """Only the item's lead unit (named first) reports on it."""


class AlreadyReported(DomainError):
    """This month has a report already: change it with a correction."""

    def __init__(self, period: Period, report_id: str) -> None:
        self.period, self.report_id = period, report_id
        super().__init__(f"{period} is reported already ({report_id}); file a correction")


class StaleReport(DomainError):
    """The item changed since the form was opened: look at the new state, then resubmit."""

    def __init__(self, expected: int, actual: int) -> None:
        self.expected, self.actual = expected, actual
        super().__init__(f"the item is at version {actual}, the form was for {expected}")


@dataclass
class ReportRules:
    """The checks a new report or correction must pass against an item's other reports."""

    projects: tuple[ProjectSpec, ...]
    first_period: Period
    others: Mapping[Period, Report]  # the report in force for each other month
    problems: list[ReportProblem] = field(default_factory=list)
    # The districts of each project (`domain.districts.districts_of`): none, no breakdown.
    scopes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def check(
        self,
        period: Period,
        values: tuple[ProjectValues, ...],
        recorded_at: datetime,
        districts: Breakdown = (),
    ) -> None:
        today = Period.of(business_date(recorded_at))
        if period > today:
            self._add("period", "not_begun", period=str(period))
        if period < self.first_period:
            self._add("period", "before_plan", first=str(self.first_period))
        self._shape(values)
        if not self.problems:
            totals = {(v.ref, i): a for v in values for i, a in enumerate(v.amounts)}
            for where, code, params in breakdown_problems(
                self.projects, self.scopes, totals, districts
            ):
                self._add(where, code, **params)
        if not self.problems:
            self._monotone(period, values)
            self._monotone_by_district(period, districts)
        if self.problems:
            raise InvalidReport(self.problems)

    def _add(self, where: str, code: str, **params: Any) -> None:
        self.problems.append(ReportProblem(where, code, params))

    def _shape(self, values: tuple[ProjectValues, ...]) -> None:
        given = {v.ref: v for v in values}
        for ref in given.keys() - {p.number for p in self.projects}:
            self._add(ref, "unknown_project")
        for project in self.projects:
            value = given.get(project.number)
            if value is None:
                self._add(project.number, "missing_project")
                continue
            if len(value.amounts) != len(project.targets):
                self._add(f"{project.number}.amounts", "wrong_count", expected=len(project.targets))
            if len(value.milestones) != len(project.milestones):
                self._add(
                    f"{project.number}.milestones", "wrong_count", expected=len(project.milestones)
                )
            for index, amount in enumerate(value.amounts):
                if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
                    self._add(f"{project.number}.amounts[{index}]", "not_a_quantity")

    def _monotone(self, period: Period, values: tuple[ProjectValues, ...]) -> None:
        """Cumulative quantities never go down from one month to a later one."""
        for other_period, other in sorted(self.others.items()):
            earlier = other_period < period
            for value in values:
                theirs = next((v for v in other.values if v.ref == value.ref), None)
                if theirs is None:  # a project an amendment added after that report
                    continue
                for index, (mine, then) in enumerate(
                    zip(value.amounts, theirs.amounts, strict=True)
                ):
                    if (earlier and mine < then) or (not earlier and mine > then):
                        code = "below_earlier" if earlier else "above_later"
                        self._add(
                            f"{value.ref}.amounts[{index}]",
                            code,
                            amount=str(mine),
                            reported=str(then),
                            period=str(other_period),
                        )
                for index, (done, then_done) in enumerate(
                    zip(value.milestones, theirs.milestones, strict=True)
                ):
                    if earlier and then_done and not done:
                        self._add(
                            f"{value.ref}.milestones[{index}]", "undone", period=str(other_period)
                        )
                    if not earlier and done and not then_done:
                        self._add(
                            f"{value.ref}.milestones[{index}]",
                            "done_before_later",
                            period=str(other_period),
                        )

    def _monotone_by_district(self, period: Period, districts: Breakdown) -> None:
        """Nor does a district's, where both months break the target down."""
        mine = amounts_of(districts)
        for other_period, other in sorted(self.others.items()):
            earlier = other_period < period
            for key, then in amounts_of(other.districts).items():
                amount = mine.get(key)
                if amount is None or (amount >= then if earlier else amount <= then):
                    continue
                ref, index, district = key
                self._add(
                    f"{ref}.districts[{index}].{district}",
                    "below_earlier" if earlier else "above_later",
                    amount=str(amount),
                    reported=str(then),
                    period=str(other_period),
                )


def values_to_data(values: Sequence[ProjectValues]) -> list[dict[str, Any]]:
    return [
        {"ref": v.ref, "amounts": [str(a) for a in v.amounts], "milestones": list(v.milestones)}
        for v in values
    ]


def values_from_data(data: Sequence[Mapping[str, Any]]) -> tuple[ProjectValues, ...]:
    try:
        return tuple(
            ProjectValues(
                ref=str(v["ref"]),
                amounts=tuple(Decimal(str(a)) for a in v["amounts"]),
                milestones=tuple(bool(m) for m in v["milestones"]),
            )
            for v in data
        )
    except (KeyError, TypeError, InvalidOperation) as error:
        raise InvalidReport([ReportProblem("values", "malformed")]) from error
