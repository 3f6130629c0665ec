"""The simulated year's breakdowns by district, for the projects of every district (各市(县)区).

Made up, like all of the simulated year: each district gets a share of each month's new
amount, weighted by roughly how many people live there (with some play per target), so a
district's cumulative amount only grows and the districts add up to exactly what the lead
unit reports. Targets the document limits to 市区 leave 江阴市 and 宜兴市 at 0. Its own
random stream: the rest of the simulated year draws the same numbers as without it.
"""

from __future__ import annotations

import random
from decimal import Decimal

from domain.districts import (
    DISTRICTS,
    Breakdown,
    DistrictAmount,
    amounts_of,
    districts_of,
    divisible_targets,
)
from domain.plan_spec import PlanSpec, ProjectSpec
from domain.progress import ProjectValues

# Rough resident numbers (万人), only to make the made-up shares look like Wuxi.
PEOPLE = {
    "梁溪区": 96, "锡山区": 75, "惠山区": 70, "滨湖区": 69,
    "新吴区": 60, "经开区": 18, "江阴市": 178, "宜兴市": 129,
}  # fmt: skip
COUNTIES = ("江阴市", "宜兴市")  # not part of 市区

Key = tuple[str, int]  # (project ref, target index)


class DistrictSplit:
    def __init__(self, plan: PlanSpec, seed: int) -> None:
        self.rng = random.Random(f"{seed}/districts")
        shared: dict[str, list[str]] = {}
        for key in plan.key_projects:
            for ref in key.projects:
                shared.setdefault(ref, []).extend(key.units)
        self.projects: dict[str, ProjectSpec] = {
            p.number: p
            for item in plan.items
            for p in item.projects
            if districts_of(item.units, shared.get(p.number, ())) == DISTRICTS
        }
        self.weights: dict[Key, list[float]] = {}
        self.last: dict[Key, tuple[Decimal, list[Decimal]]] = {}

    def split(self, values: tuple[ProjectValues, ...]) -> tuple[Breakdown, Breakdown]:
        """This month's breakdown of these amounts, and the one before it (which a correction
        of this month may not go below)."""
        now: list[DistrictAmount] = []
        before: list[DistrictAmount] = []
        for v in values:
            project = self.projects.get(v.ref)
            if project is None:
                continue
            for index in divisible_targets(project):
                key = (v.ref, index)
                total, shares = self.last.get(key, (Decimal(0), [Decimal(0)] * len(DISTRICTS)))
                if v.amounts[index] <= 0 or v.amounts[index] < total:
                    continue
                grown = self._grow(key, shares, total, v.amounts[index])
                self.last[key] = (v.amounts[index], grown)
                if total > 0:
                    before += _amounts(key, shares)
                now += _amounts(key, grown)
        return tuple(now), tuple(before)

    def _grow(self, key: Key, shares: list[Decimal], was: Decimal, total: Decimal) -> list[Decimal]:
        """Share what was added since `was` among the districts by weight, in whole steps of
        the amount's precision (largest remainders first): each grows by zero or more."""
        step = Decimal(1).scaleb(total.as_tuple().exponent)  # type: ignore[arg-type]
        steps = int((total - was) / step)
        weights = self._weights(key)
        exact = [steps * w / sum(weights) for w in weights]
        given = [int(x) for x in exact]
        by_remainder = sorted(range(len(exact)), key=lambda i: given[i] - exact[i])
        for i in by_remainder[: steps - sum(given)]:
            given[i] += 1
        return [s + n * step for s, n in zip(shares, given, strict=True)]

    def _weights(self, key: Key) -> list[float]:
        if key not in self.weights:
            urban_only = "市区" in self.projects[key[0]].text
            self.weights[key] = [
                0.0 if urban_only and d in COUNTIES else PEOPLE[d] * self.rng.uniform(0.6, 1.4)
                for d in DISTRICTS
            ]
        return self.weights[key]


def lowered(
    breakdown: Breakdown, before: Breakdown, values: tuple[ProjectValues, ...]
) -> Breakdown:
    """A correction's breakdown: each target's reduction taken from what its districts added
    since the month before (the largest additions first), so none goes below that month."""
    floor = amounts_of(before)
    totals = {(v.ref, i): a for v in values for i, a in enumerate(v.amounts)}
    shares: dict[Key, list[DistrictAmount]] = {}
    for d in breakdown:
        shares.setdefault((d.ref, d.target), []).append(d)
    out: list[DistrictAmount] = []
    for key, parts in shares.items():
        cut = sum(p.amount for p in parts) - totals[key]
        room = {p.district: p.amount - floor.get((*key, p.district), Decimal(0)) for p in parts}
        if cut > sum(room.values()):  # below the month before: the ledger refuses it anyway
            room = {p.district: p.amount for p in parts}
        taken: dict[str, Decimal] = {}
        for p in sorted(parts, key=lambda p: -room[p.district]):
            taken[p.district] = min(cut, room[p.district])
            cut -= taken[p.district]
        out += [DistrictAmount(*key, p.district, p.amount - taken[p.district]) for p in parts]
    return tuple(out)


def _amounts(key: Key, shares: list[Decimal]) -> list[DistrictAmount]:
    return [DistrictAmount(key[0], key[1], d, a) for d, a in zip(DISTRICTS, shares, strict=True)]
