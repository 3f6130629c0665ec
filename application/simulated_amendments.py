"""Amendments of the 2023 plan for the labelled simulated year (actors sim:..., basis documents
marked 模拟): a target lowered, a unit added, a target raised — written through the real
command with the ledger's clock on each amendment's (simulated) day.

Nothing here is true: the basis numbers say 模拟 and no such documents exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from application.ledger import Ledger
from domain.plan_amendments import Amendment, Basis, Change
from domain.wuxi import at_wuxi

ACTOR = "sim:task-force"


@dataclass(frozen=True)
class SimulatedAmendment:
    day: date  # recorded that day at 10:00 Wuxi; the basis is dated that day too
    change: Change
    basis_number: str
    reason: str
    effective: date | None = None


SIMULATED_AMENDMENTS: tuple[SimulatedAmendment, ...] = (
    SimulatedAmendment(
        date(2023, 8, 10),
        Change("target", project="9.1", target=0, amount=Decimal(260)),
        "锡政办发〔2023〕模拟1号",
        "部分小区业主意见未能统一，经市政府同意，加装电梯目标由300台调整为260台（模拟）",
    ),
    SimulatedAmendment(
        date(2023, 8, 10),
        Change("units", item=9, units=("市住房城乡建设局", "市财政局")),
        "锡政办发〔2023〕模拟1号",
        "加装电梯补贴资金由市财政局统筹，增列为配合单位（模拟）",
    ),
    SimulatedAmendment(
        date(2023, 9, 15),
        Change("target", project="8.3", target=0, amount=Decimal(900)),
        "锡政办发〔2023〕模拟2号",
        "老旧小区消防改造需求增加，市政消火栓目标由800个调整为900个（模拟）",
        effective=date(2023, 10, 1),
    ),
)


def write_simulated_amendments(
    ledger: Ledger,
    spec: Sequence[SimulatedAmendment] = SIMULATED_AMENDMENTS,
    year: int = 2023,
) -> list[Amendment]:
    """Write `spec`'s amendments of `year`'s plan (registered first), each at its simulated
    day; what is written already (by basis, kind and subject) is not written again."""
    done = {(a.basis.number, a.kind, a.project or a.item) for a in ledger.plan_amendments(year)}
    written: list[Amendment] = []
    system = ledger.clock
    try:
        for s in spec:
            subject = s.change.project or s.change.item
            if (s.basis_number, s.change.kind, subject) in done:
                continue
            when: datetime = at_wuxi(s.day, 10)
            ledger.clock = lambda when=when: when  # type: ignore[misc]
            written.append(
                ledger.amend_plan(
                    year,
                    s.change,
                    Basis(s.basis_number, s.day),
                    s.reason,
                    ACTOR,
                    effective=s.effective,
                )
            )
    finally:
        ledger.clock = system
    return written
