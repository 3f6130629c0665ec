"""Wuxi's districts and county-level cities (市(县)区), and reports broken down by them.

One list for the whole site: cases, ratings and progress reports name districts from it.

Which projects are the districts': the document names responsible units for each item
(附件1) and for each key project (附件2). A project is carried out by the districts its
item or its key project names — 无锡经开区 is 经开区 — and by all of them where either says
各市(县)区 (items 1, 8, 11, 17, 46 and 47; through key project 1 also 9.1, 加装电梯).

A breakdown: the lead unit's monthly report (or a correction) may split the cumulative
amount of a target among the project's districts. Rules (`breakdown_problems`):
- only projects with districts, only targets that add up (a rate in % does not);
- given for a target, it names every one of the project's districts (0 where nothing was
  done) and no other, once each, with non-negative amounts in the target's own unit;
- the districts' amounts add up to exactly the target's reported cumulative amount;
- a district's cumulative amount never goes down from one month to a later one either
  (checked with the other months' breakdowns in `domain.progress.ReportRules`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from domain.plan_spec import ProjectSpec

DISTRICTS = ("梁溪区", "锡山区", "惠山区", "滨湖区", "新吴区", "经开区", "江阴市", "宜兴市")
EVERY_DISTRICT = "各市(县)区"
# How the document names a district where it does not use the short name above.
DOCUMENT_NAMES = {"无锡经开区": "经开区"}
MAX_AMOUNT = Decimal(10) ** 12

Problem = tuple[str, str, dict[str, Any]]  # (field, code, params), as a ReportProblem holds


def district_named(unit: str) -> str | None:
    """The district a responsible unit is, if it is one."""
    name = DOCUMENT_NAMES.get(unit, unit)
    return name if name in DISTRICTS else None


def unit_names(district: str) -> tuple[str, ...]:
    """How the document may name this district as a unit (its unit page's names)."""
    return (district, *(written for written, name in DOCUMENT_NAMES.items() if name == district))


def districts_of(*unit_lists: Iterable[str]) -> tuple[str, ...]:
    """The districts named among these responsible units, in the list's order; every one
    of them where the units say 各市(县)区."""
    named: set[str] = set()
    for units in unit_lists:
        for unit in units:
            if unit == EVERY_DISTRICT:
                return DISTRICTS
            if district := district_named(unit):
                named.add(district)
    return tuple(d for d in DISTRICTS if d in named)


def divisible(unit: str) -> bool:
    """Can a target in this unit be split among districts? Amounts add up; rates (%) do not."""
    return unit.strip() != "%"


def divisible_targets(project: ProjectSpec) -> tuple[int, ...]:
    return tuple(i for i, t in enumerate(project.targets) if divisible(t.unit))


@dataclass(frozen=True, order=True)
class DistrictAmount:
    """A district's share of a target's cumulative amount, as a report states it."""

    ref: str  # the specific project, "8.1"
    target: int  # the index of the target in the project
    district: str
    amount: Decimal


Breakdown = tuple[DistrictAmount, ...]


def breakdown_to_data(breakdown: Iterable[DistrictAmount]) -> list[dict[str, Any]]:
    return [
        {"ref": d.ref, "target": d.target, "district": d.district, "amount": str(d.amount)}
        for d in breakdown
    ]


def breakdown_from_data(data: Sequence[Mapping[str, Any]]) -> Breakdown:
    """The breakdown an event holds; ValueError if it is not one."""
    try:
        return tuple(
            DistrictAmount(
                str(d["ref"]), int(d["target"]), str(d["district"]), Decimal(str(d["amount"]))
            )
            for d in data
        )
    except (KeyError, TypeError, ValueError, InvalidOperation) as error:
        raise ValueError("not a breakdown by district") from error


def amounts_of(breakdown: Iterable[DistrictAmount]) -> dict[tuple[str, int, str], Decimal]:
    return {(d.ref, d.target, d.district): d.amount for d in breakdown}


def breakdown_problems(
    projects: Sequence[ProjectSpec],
    scopes: Mapping[str, tuple[str, ...]],
    totals: Mapping[tuple[str, int], Decimal],
    breakdown: Sequence[DistrictAmount],
) -> list[Problem]:
    """What is wrong with a report's breakdown by district (see the module's rules).

    `scopes`: each project's districts; `totals`: the report's cumulative amount of each
    (project, target).
    """
    found: list[Problem] = []
    by_ref = {p.number: p for p in projects}
    given: dict[tuple[str, int], list[DistrictAmount]] = {}
    for share in breakdown:
        given.setdefault((share.ref, share.target), []).append(share)
    for (ref, index), shares in sorted(given.items()):
        project = by_ref.get(ref)
        where = f"{ref}.districts[{index}]"
        if project is None:
            found.append((f"{ref}.districts", "unknown_project", {}))
        elif not scopes.get(ref):
            found.append((f"{ref}.districts", "no_districts", {}))
        elif index not in divisible_targets(project):
            found.append((where, "not_divisible", {}))
        else:
            found += _target_problems(where, scopes[ref], totals.get((ref, index)), shares)
    return found


def _target_problems(
    where: str, scope: tuple[str, ...], total: Decimal | None, shares: list[DistrictAmount]
) -> list[Problem]:
    found: list[Problem] = []
    counts = Counter(s.district for s in shares)
    for share in shares:
        at = f"{where}.{share.district}"
        if share.district not in DISTRICTS:
            found.append((at, "unknown_district", {"district": share.district[:20]}))
        elif share.district not in scope:
            found.append((at, "not_its_district", {"district": share.district}))
        elif counts[share.district] > 1:
            found.append((at, "twice", {"district": share.district}))
        if not _quantity(share.amount):
            found.append((at, "not_a_quantity", {}))
    missing = [d for d in scope if d not in counts]
    for district in missing:
        found.append((f"{where}.{district}", "district_missing", {"district": district}))
    if not found and total is not None and sum(s.amount for s in shares) != total:
        added = sum(s.amount for s in shares)
        found.append((where, "sum_differs", {"sum": str(added), "amount": str(total)}))
    return found


def _quantity(amount: Decimal) -> bool:
    return amount.is_finite() and 0 <= amount <= MAX_AMOUNT
