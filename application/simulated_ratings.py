"""Simulated citizens' ratings for the simulated year, through the real commands, labelled.

About 2,200 made-up people rate projects and items from April to December;
some rate again in the same quarter (the later rating replaces the earlier),
some write a comment that the simulated task force approves or rejects, and
one evening brings a burst from one network (for the moderation page). Each
project has its own made-up level of satisfaction, so results differ.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from application.ledger import Ledger
from application.sim_schedule import SimSchedule
from application.verification import Address, Verified
from domain.cases import DISTRICTS
from domain.plan_spec import PlanSpec
from domain.ratings import Ballot
from domain.wuxi import business_date

SEED = 20230601
ACTOR = "sim:citizen"
MODERATOR = "sim:sim.gov"
COMMENTS = {
    "satisfied": (
        "工程完工后方便多了，感谢。",
        "进度比预期快，施工也很规范。",
        "家门口的变化看得见。",
    ),
    "basically": ("总体不错，希望后续维护跟上。", "完成了，但宣传不够，很多人不知道。"),
    "unsatisfied": ("施工期间噪音大，希望改进。", "说是完成了，我们小区还没有。"),
}
REJECTED = (
    ("personal", "我的电话是139xxxxxxxx，请联系我。"),
    ("advertising", "广告：专业疏通下水道。"),
)


@dataclass(frozen=True)
class RatingSummary:
    ratings: int
    replaced: int
    comments: int
    refused: int


class SimulatedRatings:
    def __init__(
        self, ledger: Ledger, plan: PlanSpec, people: int = 2200, seed: int = SEED
    ) -> None:
        self.ledger, self.plan, self.people = ledger, plan, people
        self.rng = random.Random(seed)
        self.schedule = SimSchedule(self.rng)
        self.counts = {"ratings": 0, "replaced": 0, "comments": 0, "refused": 0}
        refs = [p.number for i in plan.items for p in i.projects]
        self.subjects = [f"project:{plan.year}:{r}" for r in refs] + [
            f"item:{plan.year}:{i.number}" for i in plan.items
        ]
        # projects are rated more often than whole items
        self.weights = [3 if s.startswith("project:") else 1 for s in self.subjects]
        # each subject's made-up share of content raters, mostly high, some middling
        self.liking = {s: self.rng.betavariate(9, 1.6) for s in self.subjects}

    def write(self) -> RatingSummary:
        year = self.plan.year
        start, span = date(year, 4, 1), (date(year, 12, 20) - date(year, 4, 1)).days
        for _person in range(self.people):
            phone = "137" + f"{self.rng.randrange(10**8):08d}"
            district = self.rng.choice((*DISTRICTS, None, None))
            network = f"simnet{self.rng.randrange(300):04d}"
            chosen = {self.rng.choices(self.subjects, self.weights)[0] for _ in range(6)}
            for subject in list(chosen)[: self.rng.randint(1, 6)]:
                day = start + timedelta(days=self.rng.randrange(span))
                self._at(day, self._rating(phone, subject, district, network))
                if self.rng.random() < 0.08:  # changes their mind within the quarter
                    later = min(day + timedelta(days=self.rng.randint(1, 20)), _quarter_end(day))
                    self._at(later, self._rating(phone, subject, district, network))
        burst_day = date(year, 9, 19)
        for n in range(40):  # one evening, one network, one project: for the moderators
            phone = "136" + f"{n:08d}"
            self._at(burst_day, self._rating(phone, f"project:{year}:9.1", None, "simburst01"), 20)
        self.counts["refused"] = len(self.schedule.run(self.ledger))
        return RatingSummary(**self.counts)

    def _at(self, day: date, step: Callable[[], object], hour: int | None = None) -> None:
        self.schedule.at(day, hour if hour is not None else 8 + self.rng.randrange(14), step)

    def _rating(
        self, phone: str, subject: str, district: str | None, network: str
    ) -> Callable[[], object]:
        draw = self.rng.random()
        liking = self.liking[subject]
        level = (
            "satisfied" if draw < liking * 0.7 else "basically" if draw < liking else "unsatisfied"
        )
        comment, rejected_as = "", None
        if self.rng.random() < 0.06:
            if self.rng.random() < 0.15:
                rejected_as, comment = self.rng.choice(REJECTED)
            else:
                comment = self.rng.choice(COMMENTS[level])
        moderation_delay = self.rng.randint(1, 4)

        def rate() -> None:
            address = Address("phone", phone)
            who = Verified(self.ledger.vault.contact(f"phone:{phone}"), address)
            receipt = self.ledger.rate(who, subject, level, comment, district, network, ACTOR)
            self.counts["ratings"] += 1
            self.counts["replaced"] += receipt.replaced
            if comment:
                self.counts["comments"] += 1
                ballot: Ballot = self.ledger.ballot(receipt.ballot_id)
                version = ballot.version
                today = business_date(self.ledger.clock())
                self._at(
                    today + timedelta(days=moderation_delay),
                    self._moderate(receipt.ballot_id, version, rejected_as),
                )

        return rate

    def _moderate(self, ballot: str, version: int, rejected_as: str | None) -> Callable[[], object]:
        def moderate() -> None:
            if rejected_as:
                self.ledger.reject_comment(ballot, version, rejected_as, MODERATOR)
            else:
                self.ledger.approve_comment(ballot, version, MODERATOR)

        return moderate


def _quarter_end(day: date) -> date:
    month = ((day.month - 1) // 3 + 1) * 3
    following = date(day.year + (month == 12), month % 12 + 1, 1)
    return following - timedelta(days=1)
