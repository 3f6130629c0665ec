"""The plan's aggregates: one per year, one per item, one per key project.

Items are separate aggregates because progress is reported item by item
(每月底前逐项报告): two units reporting on different items never contend.

Stored events are a contract: this module's path and the event class names
are their topics (e.g. ``domain.plan:Item.Registered``). Renames need
`register_topic`; field changes need `class_version` and an upcast.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.districts import Breakdown, breakdown_from_data, districts_of
from domain.plan_amendments import (
    AmendedItem,
    Amendment,
    Basis,
    Change,
    PlanFacts,
    amendment_from_data,
    amendment_to_data,
    resolve,
)
from domain.plan_codec import (
    document_from_data,
    document_to_data,
    project_from_data,
    project_to_data,
    schedule_from_data,
    schedule_to_data,
)
from domain.plan_spec import (
    CategorySpec,
    DeclaredCounts,
    DocumentSpec,
    ItemSpec,
    KeyProjectSpec,
    PlanSpec,
    ProjectSpec,
    Schedule,
)
from domain.progress import (
    AlreadyReported,
    Filing,
    InvalidReport,
    NotResponsible,
    Period,
    Report,
    ReportProblem,
    ReportRules,
    values_from_data,
)
from domain.wuxi import business_date

NAMESPACE = UUID("8f1c2b52-5d0e-4f5e-9a53-6d1f0c3c2023")
MAX_REPORT_PHOTOS = 3  # per report or correction


def plan_id(year: int) -> UUID:
    return uuid5(NAMESPACE, f"plan/{year}")


def item_id(year: int, number: int) -> UUID:
    return uuid5(NAMESPACE, f"plan/{year}/item/{number}")


def key_project_id(year: int, number: int) -> UUID:
    return uuid5(NAMESPACE, f"plan/{year}/key-project/{number}")


class Plan(Aggregate):
    """A year's plan as the document states it: the document, schedule and categories."""

    class Registered(Aggregate.Created):
        year: int
        document: dict[str, Any]
        schedule: dict[str, Any]
        declared: dict[str, int]
        categories: list[dict[str, Any]]
        item_numbers: list[int]
        key_project_numbers: list[int]
        actor: str

    @staticmethod
    def create_id(year: int) -> UUID:
        return plan_id(year)

    @event(Registered)
    def __init__(
        self,
        year: int,
        document: dict[str, Any],
        schedule: dict[str, Any],
        declared: dict[str, int],
        categories: list[dict[str, Any]],
        item_numbers: list[int],
        key_project_numbers: list[int],
        actor: str,
    ) -> None:
        self.year = year
        self.document: DocumentSpec = document_from_data(document)
        self.schedule: Schedule = schedule_from_data(schedule)
        self.declared = DeclaredCounts(**declared)
        self.categories = tuple(CategorySpec(**c) for c in categories)
        self.item_numbers = tuple(item_numbers)
        self.key_project_numbers = tuple(key_project_numbers)
        self.registered_by = actor
        self.amendments: list[Amendment] = []

    @classmethod
    def register(cls, spec: PlanSpec, actor: str) -> Plan:
        return cls(
            year=spec.year,
            document=document_to_data(spec.document),
            schedule=schedule_to_data(spec.schedule),
            declared=asdict(spec.declared),
            categories=[{"number": c.number, "name": c.name} for c in spec.categories],
            item_numbers=[i.number for i in spec.items],
            key_project_numbers=[k.number for k in spec.key_projects],
            actor=actor,
        )

    # Amendments (issue 15): official decisions that change the registered plan --------

    class Amended(Aggregate.Event):
        """An amendment of the plan (`domain.plan_amendments`): its number within the year,
        kind, item and project, the change (old and new), its basis (document number and
        date), the Wuxi day it takes effect and the reason."""

        year: int
        number: int
        kind: str
        item: int
        project: str
        change: dict[str, Any]
        basis_number: str
        basis_date: str
        effective: str
        reason: str
        actor: str

        def apply(self, plan: Plan) -> None:
            plan.amendments.append(amendment_from_data(vars(self)))

    def amend(
        self,
        change: Change,
        basis: Basis,
        effective: date | None,
        reason: str,
        items: Sequence[ItemSpec],
        actor: str,
        at: datetime,
    ) -> Amendment:
        """Record an amendment of this plan as amended so far (`items`: as registered)."""
        facts = PlanFacts(self.year, self.document.date, self.schedule.deadline)
        amendment = resolve(
            change, basis, effective, reason, facts, items, self.amendments, business_date(at)
        )
        self.trigger_event(
            self.Amended, timestamp=at, year=self.year, actor=actor, **amendment_to_data(amendment)
        )
        return amendment


class Item(Aggregate):
    """An item (项) with its responsible units, its specific projects and their reports."""

    class Registered(Aggregate.Created):
        year: int
        number: int
        category: int
        text: str
        units: list[str]
        projects: list[dict[str, Any]]
        actor: str

    class ProgressReported(Aggregate.Event):
        """The lead unit's report for one month (recorded time: the event's timestamp)."""

        # Version 2 adds the breakdown by district (`domain.districts`); version 1 had none.
        class_version = 2

        year: int
        item: int
        report_id: str
        period: str
        unit: str
        values: list[dict[str, Any]]
        narrative: str
        evidence: list[str]
        actor: str
        districts: list[dict[str, Any]]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["districts"] = []

        def apply(self, item: Item) -> None:
            item._keep(self, corrects=None, reason="")

    class ReportCorrected(Aggregate.Event):
        """A new version of a month's report; the corrected one stays in the record."""

        # Version 2 adds the breakdown by district, as `ProgressReported` does.
        class_version = 2

        year: int
        item: int
        report_id: str
        corrects: str
        reason: str
        period: str
        unit: str
        values: list[dict[str, Any]]
        narrative: str
        evidence: list[str]
        actor: str
        districts: list[dict[str, Any]]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["districts"] = []

        def apply(self, item: Item) -> None:
            item._keep(self, corrects=self.corrects, reason=self.reason)

    @staticmethod
    def create_id(year: int, number: int) -> UUID:
        return item_id(year, number)

    @event(Registered)
    def __init__(
        self,
        year: int,
        number: int,
        category: int,
        text: str,
        units: list[str],
        projects: list[dict[str, Any]],
        actor: str,
    ) -> None:
        self.year = year
        self.number = number
        self.category = category
        self.text = text
        self.units = tuple(units)
        self.projects: tuple[ProjectSpec, ...] = tuple(project_from_data(p) for p in projects)
        self.registered_by = actor
        self.reports: dict[str, Report] = {}  # every report and correction, by id
        self.current: dict[Period, Report] = {}  # the version in force for each month

    @property
    def lead_unit(self) -> str:
        """The unit named first leads (牵头) and reports."""
        return self.units[0]

    @classmethod
    def register(cls, year: int, spec: ItemSpec, actor: str) -> Item:
        return cls(
            year=year,
            number=spec.number,
            category=spec.category,
            text=spec.text,
            units=list(spec.units),
            projects=[project_to_data(p) for p in spec.projects],
            actor=actor,
        )

    def spec(self) -> ItemSpec:
        return ItemSpec(self.number, self.category, self.text, self.units, self.projects)

    def project_districts(
        self, shared: Mapping[str, Sequence[str]], amended: AmendedItem | None = None
    ) -> dict[str, tuple[str, ...]]:
        """Each project's districts, from this item's units and those its key project names
        (`shared`: units by project ref); `amended`: the item as amended (its units, projects)."""
        units, projects = (
            (amended.units, amended.projects) if amended else (self.units, self.projects)
        )
        return {p.number: districts_of(units, shared.get(p.number, ())) for p in projects}

    def report_progress(
        self,
        filing: Filing,
        period: Period,
        first_period: Period,
        shared: Mapping[str, Sequence[str]] | None = None,
        amended: AmendedItem | None = None,
    ) -> None:
        """File the month's report; a month reported already needs a correction instead.

        `shared`: the units each project's key project names (their districts may break the
        project's amounts down too). `amended`: this item as the plan's amendments in force
        make it (`domain.plan_amendments`): its lead unit reports, on its projects then."""
        self._check(filing, amended)
        if period in self.current:
            raise AlreadyReported(period, self.current[period].report_id)
        scopes = self.project_districts(shared or {}, amended)
        projects = amended.projects if amended else self.projects
        rules = ReportRules(projects, first_period, self.current, scopes=scopes)
        rules.check(period, filing.values, filing.recorded_at, filing.districts)
        self.trigger_event(
            self.ProgressReported,
            timestamp=filing.recorded_at,
            year=self.year,
            item=self.number,
            period=str(period),
            **filing.data(),
        )

    def correct_report(
        self,
        filing: Filing,
        corrects: str,
        reason: str,
        first_period: Period,
        shared: Mapping[str, Sequence[str]] | None = None,
        amended: AmendedItem | None = None,
    ) -> None:
        """Replace a month's report in force with a new version, saying why."""
        self._check(filing, amended)
        original = self.reports.get(corrects)
        if original is None:
            raise InvalidReport([ReportProblem("corrects", "no_such_report")])
        in_force = self.current[original.period]
        if in_force.report_id != corrects:
            raise InvalidReport(
                [ReportProblem("corrects", "superseded", {"by": in_force.report_id})]
            )
        problems: list[ReportProblem] = []
        if not reason.strip():
            problems.append(ReportProblem("reason", "required"))
        if (filing.values, sorted(filing.districts), filing.narrative, filing.evidence) == (
            original.values,
            sorted(original.districts),
            original.narrative,
            original.evidence,
        ):
            problems.append(ReportProblem("values", "unchanged"))
        if problems:
            raise InvalidReport(problems)
        others = {p: r for p, r in self.current.items() if p != original.period}
        scopes = self.project_districts(shared or {}, amended)
        projects = amended.projects if amended else self.projects
        rules = ReportRules(projects, first_period, others, scopes=scopes)
        rules.check(original.period, filing.values, filing.recorded_at, filing.districts)
        self.trigger_event(
            self.ReportCorrected,
            timestamp=filing.recorded_at,
            year=self.year,
            item=self.number,
            period=str(original.period),
            corrects=corrects,
            reason=reason.strip(),
            **filing.data(),
        )

    def _check(self, filing: Filing, amended: AmendedItem | None = None) -> None:
        lead = amended.units[0] if amended else self.lead_unit
        if filing.unit != lead:
            raise NotResponsible(f"{filing.unit} does not lead item {self.number}")
        if filing.report_id in self.reports:
            raise InvalidReport([ReportProblem("report_id", "used")])
        problems = filing.problems()
        if problems:
            raise InvalidReport(problems)

    def _keep(self, e: Any, corrects: str | None, reason: str) -> None:
        report = Report(
            report_id=e.report_id,
            period=Period.parse(e.period),
            unit=e.unit,
            values=values_from_data(e.values),
            narrative=e.narrative,
            evidence=tuple(e.evidence),
            actor=e.actor,
            recorded_at=e.timestamp,
            corrects=corrects,
            reason=reason,
            districts=_breakdown(e.districts),
        )
        self.reports[report.report_id] = report
        self.current[report.period] = report

    # Photos of a report (issue 13): the lead unit's, public with the report ------------

    class PhotosAttached(Aggregate.Event):
        """Photos of the work a month's report (or its correction) tells of: the SHA-256 of
        each file in the photo store (the files live outside the log), EXIF stripped."""

        year: int
        item: int
        report_id: str
        photos: list[str]
        unit: str
        actor: str

    def attach_photos(
        self, report_id: str, photos: Sequence[str], unit: str, actor: str, at: datetime
    ) -> None:
        if unit != self.lead_unit:
            raise NotResponsible(f"{unit} does not lead item {self.number}")
        problems = []
        if report_id not in self.reports:
            problems.append(ReportProblem("photos", "no_such_report"))
        if not 1 <= len(photos) <= MAX_REPORT_PHOTOS or len(set(photos)) != len(photos):
            problems.append(ReportProblem("photos", "count", {"limit": MAX_REPORT_PHOTOS}))
        if not all(len(p) == 64 and set(p) <= set("0123456789abcdef") for p in photos):
            problems.append(ReportProblem("photos", "malformed"))
        if problems:
            raise InvalidReport(problems)
        self.trigger_event(
            self.PhotosAttached,
            timestamp=at,
            year=self.year,
            item=self.number,
            report_id=report_id,
            photos=list(photos),
            unit=unit,
            actor=actor,
        )


def _breakdown(data: list[dict[str, Any]]) -> Breakdown:
    try:
        return breakdown_from_data(data)
    except ValueError as error:
        raise InvalidReport([ReportProblem("districts", "malformed")]) from error


class KeyProject(Aggregate):
    """A key project voted by the People's Congress, made of specific projects."""

    class Registered(Aggregate.Created):
        year: int
        number: int
        name: str
        text: str
        leaders: list[str]
        units: list[str]
        projects: list[str]
        actor: str

    @staticmethod
    def create_id(year: int, number: int) -> UUID:
        return key_project_id(year, number)

    @event(Registered)
    def __init__(
        self,
        year: int,
        number: int,
        name: str,
        text: str,
        leaders: list[str],
        units: list[str],
        projects: list[str],
        actor: str,
    ) -> None:
        self.year = year
        self.number = number
        self.name = name
        self.text = text
        self.leaders = tuple(leaders)
        self.units = tuple(units)
        self.project_refs = tuple(projects)
        self.registered_by = actor

    @classmethod
    def register(cls, year: int, spec: KeyProjectSpec, actor: str) -> KeyProject:
        return cls(
            year=year,
            number=spec.number,
            name=spec.name,
            text=spec.text,
            leaders=list(spec.leaders),
            units=list(spec.units),
            projects=list(spec.projects),
            actor=actor,
        )

    def spec(self) -> KeyProjectSpec:
        return KeyProjectSpec(
            self.number, self.name, self.text, self.leaders, self.units, self.project_refs
        )
