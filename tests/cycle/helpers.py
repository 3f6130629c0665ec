"""Shared by the proposal tests: a verified person, a proposal written through the ledger."""

from __future__ import annotations

from application import Ledger
from application.verification import Address, Verified

YEAR = 2024
CATEGORY = "宜居住区方面"  # a category of the 2023 plan, which the 2024 cycle proposes in


def person(ledger: Ledger, n: int, email: bool = False) -> Verified:
    """The n-th verified person: a phone (or an e-mail) as the verification proves it."""
    if email:
        address = Address("email", f"person{n}@example.cn")
        return Verified(ledger.vault.contact(f"email:{address.value}"), address)
    address = Address("phone", f"1390000{n:04d}")
    return Verified(ledger.vault.contact(f"phone:{address.value}"), address)


def propose(ledger: Ledger, who: Verified, title: str = "老旧小区加装电梯", **extra: str) -> int:
    fields = {
        "description": "希望在梁溪区更多老旧小区加装电梯，方便老人出行。",
        "category": CATEGORY,
        "district": "梁溪区",
        **extra,
    }
    return ledger.propose(who, YEAR, title, **fields).number


def listed(ledger: Ledger, count: int, actor: str, who: int = 9000) -> None:
    """`count` candidates on YEAR's list (C1, C2, ...), each from one fresh published
    proposal of person `who` (which listing the first of them answers "adopted as C1")."""
    number = propose(ledger, person(ledger, who), title="候选项目的来源")
    ledger.approve_proposal(YEAR, number, actor)
    for n in range(1, count + 1):
        ledger.list_candidate(
            YEAR,
            title=f"候选项目{n}",
            category=CATEGORY,
            description="说明",
            sources=[f"P{number}"],
            targets=[],
            units=["市民政局"],
            actor=actor,
        )
