"""The entries of "what changed" in words: one dict per change, as the page and feeds show it.

Each entry: id (for feeds, stable), kind, title, summary, deltas (before → after lines),
link (the /events/ page of its event; derived changes link to the page that shows them),
published (tz-aware), simulated (the simulated year's, flagged on the page and in feeds).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any
from uuid import uuid5

from flask import url_for
from flask_babel import gettext as _

from domain.schedule import Status
from domain.wuxi import end_of_day, start_of_day
from minsheng_site.describe import describe
from minsheng_site.labels import label
from minsheng_site.services import services
from projections.changes import changes_queries as cq
from projections.plans import queries as q
from projections.plans.district_queries import project_districts
from projections.publiclog.public_entries import EVENTS
from projections.ratings import satisfaction_queries as sq

LISTED = 300  # entries a page lists (the newest); the counts cover every change
ORDER = (  # the order of the counts, and of headlines: what a reader asks first
    "status",
    "case.overdue",
    "finding.raised",
    "finding.closed",
    "finding.reopened",
    "report.filed",
    "report.corrected",
    "case.closed",
    "satisfaction",
)


@dataclass(frozen=True)
class Scope:
    """At most one filter: kind "category" | "unit" | "district" | "key", or None."""

    year: int | None
    kind: str | None = None
    value: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class Change:
    """A change, its words made only when it is shown (a quarter holds thousands)."""

    kind: str
    published: datetime
    id: str
    simulated: bool
    words: Callable[[], dict[str, Any]]

    def entry(self) -> dict[str, Any]:
        return self.words()


@dataclass
class Found:
    start: date
    end: date
    changes: list[Change] = field(default_factory=list)  # oldest first

    @property
    def counts(self) -> Counter[str]:
        return Counter(c.kind for c in self.changes)

    def count_labels(self) -> list[tuple[str, int]]:
        counts = self.counts
        return [(_kind_label(k), counts[k]) for k in ORDER if counts.get(k)]

    def listed(self) -> list[dict[str, Any]]:
        """The newest `LISTED`, newest first."""
        return [c.entry() for c in reversed(self.changes[-LISTED:])]

    def headlines(self, n: int) -> list[dict[str, Any]]:
        rank = {k: i for i, k in enumerate(ORDER)}
        first = sorted(self.changes, key=lambda c: (rank[c.kind], c.published))[:n]
        return [c.entry() for c in first]

    def all_simulated(self) -> bool:
        return bool(self.changes) and all(c.simulated for c in self.changes)


def _kind_label(kind: str) -> str:
    words = {
        "status": _("项目状态变化"),
        "case.overdue": _("诉求超期"),
        "finding.raised": _("督查发现问题"),
        "finding.closed": _("问题整改到位"),
        "finding.reopened": _("问题重新打开"),
        "report.filed": _("月度报告"),
        "report.corrected": _("报告更正"),
        "case.closed": _("诉求销号"),
        "satisfaction": _("满意度评价动态"),
    }
    return words[kind]


def changes(start: date, end: date, scope: Scope | None = None) -> Found:
    """Every change recorded on the Wuxi days start..end, in `scope`, oldest first."""
    scope = scope or Scope(None)
    found = Found(start, end)
    with services().read() as c:
        plan = q.plan(c, scope.year) if scope.year else None
        items = {i.number: i for i in q.items(c, plan.year)} if plan else {}
        refs = _refs(c, scope, items)
        logged = [
            row
            for row in cq.logged(c, start_of_day(start), end_of_day(end))
            if _logged_in(row, scope, refs, items)
        ]
        deltas = (
            cq.report_deltas(
                c, plan.year, _reported_items(logged, plan.year, items), end_of_day(end)
            )
            if plan
            else {}
        )
        found.changes += [
            Change(
                row.kind,
                row.recorded_at,
                f"urn:uuid:{row.uuid}",
                row.simulated,
                partial(_logged, row, deltas.get(row.event_id, ())),
            )
            for row in logged
        ]
        if plan:
            before = services().plan_progress(c, plan, start - timedelta(days=1))
            after = services().plan_progress(c, plan, end)
            moves = [m for m in cq.status_moves(before, after) if refs is None or m.ref in refs]
            found.changes += _statuses(moves, plan, start, end, logged)
        found.changes += [
            Change("case.overdue", end_of_day(o.deadline), _overdue_id(o), o.simulated,
                   partial(_overdue, o))
            for o in cq.overdue(c, start, end)
            if _case_in(o, scope)
        ]  # fmt: skip
        if plan and scope.kind is None:
            found.changes += _milestones(c, plan.year, start, end)
    found.changes.sort(key=lambda c: (c.published, c.id))
    return found


def _refs(c: Any, scope: Scope, items: dict[int, q.ItemView]) -> set[str] | None:
    """The plan's projects in scope (None: all of them)."""
    projects = [p for i in items.values() for p in i.projects]
    if scope.kind == "category":
        return {p.ref for p in projects if str(p.category) == scope.value}
    if scope.kind == "key":
        return {p.ref for p in projects if str(p.key_project) == scope.value}
    if scope.kind == "unit":
        return {p.ref for i in items.values() if i.lead_unit == scope.value for p in i.projects}
    if scope.kind == "district" and scope.year is not None:
        places = project_districts(list(items.values()), q.key_projects(c, scope.year))
        return {ref for ref, where in places.items() if scope.value in where}
    return None


def _logged_in(
    row: cq.Logged, scope: Scope, refs: set[str] | None, items: dict[int, q.ItemView]
) -> bool:
    p = row.payload
    if scope.kind is None:
        return True
    if row.kind.startswith("case."):
        return scope.kind == "district" and p.get("district") == scope.value
    if row.year != scope.year:
        return False
    if scope.kind == "unit":
        return p.get("unit") == scope.value
    if row.kind.startswith("report."):
        item = items.get(p["item"])
        projects = {x.ref for x in item.projects} if item else set()
    else:
        projects = set(p.get("projects", ()))
    return bool(refs is not None and projects & refs)


def _case_in(o: cq.Overdue, scope: Scope) -> bool:
    if scope.kind is None:
        return True
    if scope.kind == "district":
        return o.district == scope.value
    return scope.kind == "unit" and o.lead_unit == scope.value


def _reported_items(
    logged: list[cq.Logged], year: int, items: dict[int, q.ItemView]
) -> list[q.ItemView]:
    numbers = {r.payload["item"] for r in logged if r.kind.startswith("report.") and r.year == year}
    return [items[n] for n in sorted(numbers) if n in items]


def _logged(row: cq.Logged, deltas: tuple[cq.Delta, ...]) -> dict[str, Any]:
    title, summary = describe(row.kind, row.payload)
    return {
        "id": f"urn:uuid:{row.uuid}",
        "uuid": row.uuid,
        "kind": row.kind,
        "title": title,
        "summary": summary,
        "deltas": [_delta(d) for d in deltas],
        "link": url_for("opendata.journalists.event", uuid=row.uuid, _external=True),
        "published": row.recorded_at,
        "simulated": row.simulated,
    }


def _amount(value: Decimal | None, unit: str) -> str:
    return "—" if value is None else f"{value.normalize():f}{unit}"


def _delta(d: cq.Delta) -> str:
    return _(
        "%(ref)s %(label)s：%(before)s → %(after)s（目标%(target)s）",
        ref=d.ref,
        label=d.label,
        before=_amount(d.before, d.unit),
        after=_amount(d.after, d.unit),
        target=_amount(d.target, d.unit),
    )


def _statuses(
    moves: list[cq.StatusMove], plan: q.PlanView, start: date, end: date, logged: list[cq.Logged]
) -> list[Change]:
    """Projects whose status moved: overdue when the plan's deadline passed (if it passed in
    the range), else when its item's last report in the range was recorded (the report
    moved it), else at the range's start (the schedule's curve did)."""
    reported: dict[int, datetime] = {}
    for r in logged:
        if r.kind.startswith("report.") and r.year == plan.year:
            reported[r.payload["item"]] = max(
                r.recorded_at, reported.get(r.payload["item"], r.recorded_at)
            )
    passed = end_of_day(plan.deadline)
    deadline_in_range = start_of_day(start) <= passed < end_of_day(end)
    day_before = start - timedelta(days=1)
    found = []
    for m in moves:
        when = reported.get(m.item, start_of_day(start))
        if m.after is Status.OVERDUE and deadline_in_range:
            when = passed
        key = f"urn:uuid:{uuid5(EVENTS, f'status/{plan.year}/{m.ref}/{day_before}/{end}')}"
        found.append(
            Change(
                "status",
                when,
                key,
                m.simulated,
                partial(_status, m, plan, day_before, end, when, key),
            )
        )
    return found


def _status(
    m: cq.StatusMove, plan: q.PlanView, day_before: date, end: date, when: datetime, key: str
) -> dict[str, Any]:
    before, after = label(m.before, "project_status"), label(m.after, "project_status")
    return {
        "id": key,
        "uuid": None,
        "kind": "status",
        "title": _(
            "具体项目%(ref)s：%(before)s → %(after)s", ref=m.ref, before=before, after=after
        ),
        "summary": _(
            "完成度 %(was)s%% → %(now)s%%（%(day)s与%(end)s相比）",
            was=f"{m.completion_before * 100:.0f}",
            now=f"{m.completion_after * 100:.0f}",
            day=day_before.isoformat(),
            end=end.isoformat(),
        ),
        "deltas": [],
        "link": url_for(
            "plans.progress.changes",
            year=plan.year,
            ref=m.ref,
            _external=True,
            **{"from": day_before.isoformat(), "to": end.isoformat()},
        ),
        "published": when,
        "simulated": m.simulated,
    }


def _overdue_id(o: cq.Overdue) -> str:
    return f"urn:uuid:{uuid5(EVENTS, f'overdue/{o.number}/{o.deadline}')}"  # as its feed's


def _overdue(o: cq.Overdue) -> dict[str, Any]:
    return {
        "id": _overdue_id(o),
        "uuid": None,
        "kind": "case.overdue",
        "title": _("诉求%(n)s超期未办结", n=o.number),
        "summary": _(
            "%(category)s · %(district)s · 主办：%(unit)s · 时限%(deadline)s",
            category=o.category,
            district=o.district,
            unit=o.lead_unit or "—",
            deadline=o.deadline.isoformat(),
        ),
        "deltas": [],
        "link": url_for("cases.pages.case", number=o.number, _external=True),
        "published": end_of_day(o.deadline),
        "simulated": o.simulated,
    }


def _milestones(c: Any, year: int, start: date, end: date) -> list[Change]:
    now = services().ledger.clock()
    reached = cq.milestones(c, year, start_of_day(start), end_of_day(end), now)
    simulated = cq.ratings_simulated(c, year)
    page = url_for("ratings.satisfaction.results", year=year, _external=True)
    return [
        Change(
            "satisfaction",
            m.at,
            _milestone_id(m),
            simulated,
            partial(_milestone, m, page, simulated),
        )
        for m in reached
    ]


def _milestone_id(m: sq.Milestone) -> str:
    return f"urn:uuid:{uuid5(EVENTS, f'satisfaction/{m.key}')}"  # as its feed's


def _milestone(m: sq.Milestone, page: str, simulated: bool) -> dict[str, Any]:
    if m.kind == "quarter" and m.tally is not None:
        rate = f"{(m.tally.rate or 0) * 100:.1f}"
        title = _("%(q)s满意度评价结果：满意率%(rate)s%%", q=m.quarter, rate=rate)
        summary = _("本季度共%(n)s条评价，季度结束后不再变化。", n=m.tally.total)
    elif m.kind == "ranked" and m.subject is not None:
        title = _("%(ref)s的评价满%(n)s条，进入满意度排名", ref=m.subject[1], n=m.count)
        summary = _("评价满%(n)s条（每人每季度计一次）后才参与排名。", n=m.count)
    else:
        title = _("满意度评价累计达到%(n)s条", n=f"{m.count:,}")
        summary = _("每人每季度对每个项目或条目计一次评价。")
    return {
        "id": _milestone_id(m),
        "uuid": None,
        "kind": "satisfaction",
        "title": title,
        "summary": summary,
        "deltas": [],
        "link": page,
        "published": m.at,
        "simulated": simulated,
    }
