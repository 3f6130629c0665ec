"""A plausible year of progress, written through the real commands, labelled as simulated.

Deterministic: the same seed writes the same reports, corrections, visits,
findings and rectifications, at the same (simulated) recorded times. Every
actor is ``sim:<account>``, which every page shows as simulated while any of
it is present. Nothing here is true: it only lets the site look alive.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from functools import partial
from uuid import UUID

from application.ledger import Ledger
from application.sim_schedule import SimSchedule
from application.simulated_districts import DistrictSplit, lowered
from domain.districts import Breakdown
from domain.plan_spec import PlanSpec, ProjectSpec, Target
from domain.progress import Period, ProjectValues
from domain.schedule import expected_share
from domain.staff import Role
from domain.supervision import KINDS

SEED = 20230314
SETUP = "sim:setup"
NPC, GOV = "sim.npc", "sim.gov"
REASONS = (
    "统计口径调整，核减未验收部分",
    "录入错误，更正累计数",
    "补录遗漏的已完工数量",
    "重复计数，予以核减",
)
# What a unit writes, by how far along it is: not begun, under way, done.
NARRATIVES = (
    ("正在开展前期手续办理，预计下月开工。", "正在进行方案设计和招标准备。"),
    (
        "按计划推进，本月完成情况见上表。",
        "施工进入高峰期，已协调各市(县)区加快进度。",
        "受天气影响进度略有放缓，已制定赶工计划。",
        "已完成阶段性验收，下月将继续推进。",
    ),
    ("已全面完成年度目标任务，正在组织验收。", "年度任务已完成，转入后续管护。"),
)
FINDINGS = (
    "进度滞后于序时要求，需加快推进",
    "部分点位施工组织不够有序，群众反映施工扰民",
    "资金拨付进度偏慢，影响施工进度",
    "月度报告数据与现场核查情况不一致",
    "已完工项目后续管护机制尚未建立",
)
RECTIFICATIONS = (
    "已召开专题推进会，明确节点，增加施工力量。",
    "已约谈施工单位，调整夜间施工安排并公示。",
    "已协调财政部门加快拨付，资金已到位。",
    "已重新核对台账并更正月度报告。",
    "已制定管护办法，明确管护主体。",
)


@dataclass(frozen=True)
class Summary:
    reports: int
    corrections: int
    visits: int
    findings: int
    skipped: int


class SimulatedYear:
    def __init__(self, ledger: Ledger, plan: PlanSpec, seed: int = SEED) -> None:
        self.ledger, self.plan = ledger, plan
        self.rng = random.Random(seed)
        self.year = plan.year
        self.first = Period.of(plan.document.date)
        self.last = Period.of(plan.schedule.deadline)
        self.schedule = SimSchedule(self.rng)
        self.counts = {"reports": 0, "corrections": 0, "visits": 0, "findings": 0, "skipped": 0}
        self.report_ids: dict[tuple[int, Period], str] = {}
        self.districts = DistrictSplit(plan, seed)

    def write(self) -> Summary:
        self._accounts()
        for item in self.plan.items:
            self._reports(item.number, item.units[0], item.projects)
        self._supervision()
        self.counts["skipped"] = len(self.schedule.run(self.ledger))
        return Summary(**self.counts)

    def _at(self, day: date, hour: int, action: Callable[[], object]) -> None:
        self.schedule.at(day, hour, action)

    # Accounts --------------------------------------------------------------

    def _accounts(self) -> None:
        start = date(self.year, 3, 15)
        units = sorted({item.units[0] for item in self.plan.items})
        self.reporters = {unit: f"sim.r{index:02d}" for index, unit in enumerate(units, start=1)}
        for unit, username in self.reporters.items():
            name = f"模拟填报员{username[5:]}"
            self._at(start, 9, partial(self.ledger.open_account, username, name, SETUP))
            role = Role("reporter", unit)
            self._at(start, 10, partial(self.ledger.grant_role, username, role, SETUP))
        for username, body, name in (
            (NPC, "人大督查组", "模拟督查员（人大）"),
            (GOV, "市政府督查室", "模拟督查员（督查室）"),
        ):
            self._at(start, 9, partial(self.ledger.open_account, username, name, SETUP))
            role = Role("supervisor", body)
            self._at(start, 10, partial(self.ledger.grant_role, username, role, SETUP))

    # Reports ---------------------------------------------------------------

    def _reports(self, item: int, unit: str, projects: tuple[ProjectSpec, ...]) -> None:
        habit = self.rng.choices(("punctual", "usually", "sloppy"), weights=(5, 4, 1))[0]
        paces = {p.number: self._pace() for p in projects}
        period, months = self.first, []
        while period <= self.last:
            months.append(period)
            period = period.next()
        for period in months:
            late_chance, miss_chance = {
                "punctual": (0.05, 0),
                "usually": (0.3, 0.03),
                "sloppy": (0.5, 0.12),
            }[habit]
            if self.rng.random() < miss_chance:
                continue
            due = period.last_day
            if self.rng.random() < late_chance:
                day = due + timedelta(days=self.rng.randint(1, 12))
            else:
                day = due - timedelta(days=self.rng.randint(0, 5))
            values = tuple(self._values(p, paces[p.number], period) for p in projects)
            by_district, before = self.districts.split(values)
            shares = [self._share(paces[p.number], period) for p in projects]
            stage = 0 if max(shares) == 0 else 2 if min(shares) >= 1 else 1
            narrative = self.rng.choice(NARRATIVES[stage])
            self._at(
                day,
                self.rng.randint(9, 17),
                self._report(item, unit, period, values, narrative, by_district),
            )
            if self.rng.random() < 0.03:
                fix = day + timedelta(days=self.rng.randint(2, 10))
                fixed = (by_district, before)
                self._at(fix, 11, self._correction(item, unit, period, values, projects, fixed))

    def _pace(self) -> tuple[float, float, int]:
        """(share done at the end, speed against the document's expected curve, first month)."""
        kind = self.rng.choices(("early", "steady", "slow", "late"), weights=(3, 6, 2, 1))[0]
        return {
            "early": (1.0, self.rng.uniform(1.2, 1.5), 3),
            "steady": (1.0, self.rng.uniform(1.0, 1.2), self.rng.randint(3, 4)),
            "slow": (
                self.rng.uniform(0.7, 0.95),
                self.rng.uniform(0.6, 0.9),
                self.rng.randint(3, 5),
            ),
            "late": (self.rng.uniform(0.85, 1.0), 1.4, self.rng.randint(6, 7)),
        }[kind]

    def _share(self, pace: tuple[float, float, int], period: Period) -> float:
        final, speed, start = pace
        if period.month < start:
            return 0.0
        expected = float(expected_share(self.plan.schedule, period.last_day))
        return min(expected * speed, final, 1.0)

    def _values(
        self, project: ProjectSpec, pace: tuple[float, float, int], period: Period
    ) -> ProjectValues:
        share = self._share(pace, period)
        amounts = tuple(_amount(t, share) for t in project.targets)
        milestones = tuple(
            share >= (i + 1) / (len(project.milestones) + 1) for i in range(len(project.milestones))
        )
        return ProjectValues(project.number, amounts, milestones)

    def _report(
        self,
        item: int,
        unit: str,
        period: Period,
        values: tuple[ProjectValues, ...],
        narrative: str,
        districts: Breakdown,
    ) -> Callable[[], object]:
        def file() -> None:
            receipt = self.ledger.report_progress(
                year=self.year,
                item=item,
                period=str(period),
                unit=unit,
                values=values,
                narrative=narrative,
                evidence=(),
                actor=f"sim:{self.reporters[unit]}",
                districts=districts,
            )
            self.report_ids[(item, period)] = receipt.id
            self.counts["reports"] += 1

        return file

    def _correction(
        self,
        item: int,
        unit: str,
        period: Period,
        values: tuple[ProjectValues, ...],
        projects: tuple[ProjectSpec, ...],
        districts: tuple[Breakdown, Breakdown],  # the month's, and the month before's
    ) -> Callable[[], object]:
        def correct() -> None:
            report_id = self.report_ids.get((item, period))
            if report_id is None:
                return
            less = tuple(
                ProjectValues(v.ref, tuple(_less(a) for a in v.amounts), v.milestones)
                for v in values
            )
            self.ledger.correct_report(
                year=self.year,
                item=item,
                corrects=report_id,
                reason=self.rng.choice(REASONS),
                unit=unit,
                values=less,
                narrative="更正后数据见上表。",
                evidence=(),
                actor=f"sim:{self.reporters[unit]}",
                districts=lowered(*districts, less),
            )
            self.counts["corrections"] += 1

        return correct

    # Supervision -----------------------------------------------------------

    def _supervision(self) -> None:
        y = self.year
        visits = [
            ("monthly_contact", date(y, m, self.rng.randint(8, 20)), f"{m}月联系")
            for m in range(4, 12)
        ]
        visits += [
            ("quarterly_inspection", date(y, 4, 20), "一季度督查"),
            ("quarterly_inspection", date(y, 7, 18), "二季度督查"),
            ("quarterly_inspection", date(y, 10, 17), "三季度督查"),
            ("half_year_report", date(y, 7, 26), "听取半年进展报告并开展专题询问"),
        ]
        visits += [
            ("inspection", date(y, m, self.rng.randint(5, 25)), f"{m}月专项督查")
            for m in (5, 6, 8, 9, 11)
        ]
        for kind, day, title in visits:
            with_findings = kind != "monthly_contact" or self.rng.random() < 0.3
            self._at(day + timedelta(days=1), 15, self._visit(kind, day, title, with_findings))

    def _visit(self, kind: str, day: date, title: str, with_findings: bool) -> Callable[[], object]:
        def record() -> None:
            items = (
                self.rng.sample(self.plan.items, k=self.rng.randint(1, 3)) if with_findings else []
            )
            findings = [
                ([self.rng.choice(item.projects).number], self.rng.choice(FINDINGS))
                for item in items
            ]
            actor = f"sim:{NPC if KINDS[kind][0] == '人大督查组' else GOV}"
            receipt = self.ledger.record_supervision(
                year=self.year,
                kind=kind,
                held_on=day,
                title=title,
                summary="督查组实地查看项目现场，听取责任单位情况汇报。",
                findings=findings,
                actor=actor,
            )
            self.counts["visits"] += 1
            self.counts["findings"] += len(findings)
            for finding_id in receipt.related:
                self._follow_up(UUID(finding_id), day, actor)

        return record

    def _follow_up(self, finding_id: UUID, day: date, supervisor: str) -> None:
        """Rectify and close a finding later; a few are reopened first, a few stay open."""
        fate = self.rng.choices(
            ("closed", "reopened", "rectifying", "open"), weights=(14, 2, 2, 1)
        )[0]
        if fate == "open":
            return
        unit = self.ledger.finding(finding_id).unit
        reporter = f"sim:{self.reporters[unit]}"
        fixed = day + timedelta(days=self.rng.randint(7, 20))
        text = self.rng.choice(RECTIFICATIONS)
        self._at(
            fixed, 16, lambda: self.ledger.report_rectification(finding_id, text, unit, reporter)
        )
        if fate == "rectifying":
            return
        checked = fixed + timedelta(days=self.rng.randint(5, 15))
        if fate == "reopened":
            self._at(
                checked,
                10,
                lambda: self.ledger.reopen_finding(
                    finding_id, "现场复查发现整改不到位", supervisor
                ),
            )
            fixed = checked + timedelta(days=self.rng.randint(5, 12))
            self._at(
                fixed,
                16,
                lambda: self.ledger.report_rectification(
                    finding_id, "已按复查意见再次整改。", unit, reporter
                ),
            )
            checked = fixed + timedelta(days=self.rng.randint(3, 10))
        self._at(
            checked,
            10,
            lambda: self.ledger.close_finding(
                finding_id, "经复查，整改到位，予以销号。", supervisor
            ),
        )


def _amount(target: Target, share: float) -> Decimal:
    places = Decimal("0.01") if "万" in target.unit or target.amount < 10 else Decimal(1)
    ceiling = target.amount * (Decimal("1.05") if target.at_least else 1)
    return min(Decimal(str(share)) * ceiling, ceiling).quantize(places, rounding=ROUND_DOWN)


def _less(amount: Decimal) -> Decimal:
    """A little less: what a correction of an over-count looks like."""
    places = Decimal(1) if amount == amount.to_integral_value() else Decimal("0.01")
    return (amount * Decimal("0.97")).quantize(places, rounding=ROUND_DOWN)
