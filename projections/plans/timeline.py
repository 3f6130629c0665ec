"""The public record of an item or a project, in the order things were recorded."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import Connection

from domain.wuxi import business_date
from projections.plans.progress_queries import ReportRow
from projections.publiclog import log_queries
from projections.supervision.supervision_queries import FindingView, Step, Visit


@dataclass(frozen=True)
class Entry:
    kind: str  # report | correction | visit | raised | rectification | closed | reopened
    recorded_at: datetime
    business: str  # the month reported, or the day a visit took place
    anchor: str
    simulated: bool
    event_id: int
    report: ReportRow | None = None
    visit: Visit | None = None
    finding: FindingView | None = None
    step: Step | None = None
    days_late: int = 0
    uuid: str | None = None  # its permanent page in the public log, once projected there

    @property
    def recorded_on(self) -> date:
        return business_date(self.recorded_at)


def timeline(
    reports: Iterable[ReportRow], visits: Iterable[Visit], findings: Iterable[FindingView]
) -> list[Entry]:
    entries = [_report(r) for r in reports]
    entries += [
        Entry(
            "visit",
            v.recorded_at,
            v.held_on.isoformat(),
            f"record-{v.record_id}",
            v.simulated,
            v.event_id,
            visit=v,
        )
        for v in visits
    ]
    entries += [
        Entry(
            s.step,
            s.recorded_at,
            f.record.held_on.isoformat() if s.step == "raised" else "",
            f"finding-{f.finding_id}-{s.event_id}",
            s.simulated,
            s.event_id,
            finding=f,
            step=s,
        )
        for f in findings
        for s in f.steps
    ]
    return sorted(entries, key=lambda e: (e.recorded_at, e.event_id), reverse=True)


def _report(r: ReportRow) -> Entry:
    late = (business_date(r.recorded_at) - r.period.last_day).days
    return Entry(
        "correction" if r.corrects else "report",
        r.recorded_at,
        str(r.period),
        f"report-{r.report_id}",
        r.simulated,
        r.event_id,
        report=r,
        days_late=max(late, 0) if not r.corrects else 0,
    )


def with_permalinks(c: Connection, entries: list[Entry]) -> list[Entry]:
    """The entries, each with the id of its permanent page (/events/<uuid>)."""
    found = log_queries.uuids(c, [e.event_id for e in entries])
    return [replace(e, uuid=found.get(e.event_id)) for e in entries]
