"""The labelled simulated cycle of the year after the simulated one: its solicitation of
proposals, the conversions of the simulated cases, the candidates, the congress vote and the
labelled simulated plan they lead to (plans/2024), in that order, as the task force and the
citizens would write them. Nothing here is true; every entry is tagged 模拟."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from functools import partial

from application.ledger import Ledger, PlanRegistration
from application.sim_schedule import SimSchedule
from application.simulated_candidates import CandidateSummary, write_simulated_candidates
from application.simulated_proposals import STAFF, ProposalSummary, write_simulated_proposals
from domain.plan_spec import PlanSpec

SETUP = "sim:setup"
DECLINED = "已有同类候选项目，本建议的内容转有关部门在日常工作中研究办理。"


@dataclass(frozen=True)
class CycleSummary:
    proposals: ProposalSummary
    candidates: CandidateSummary
    plan: PlanRegistration | None  # None: no plan file for the year (nothing registered)
    refused: list[str]  # codes of the cycle's own steps the rules refused (none, normally)


def write_simulated_cycle(
    ledger: Ledger, year: int, plan: PlanSpec | None, seed: int
) -> CycleSummary:
    """The cycle of `year` (proposals in the autumn before it, candidates in December, the
    vote in January) and then `plan`, the labelled simulated plan of `year`, registered on
    its document's date: its projects name the candidates they came from."""
    proposals = write_simulated_proposals(ledger, year, seed=seed)
    candidates = write_simulated_candidates(ledger, year, proposals.unanswered)
    schedule = SimSchedule(random.Random(seed))
    # Every proposal is answered before the vote: those no candidate came from, "not adopted".
    for ref in proposals.unanswered:
        number = int(ref[1:])
        if ledger.proposal(year, number).answer is None:
            schedule.at(date(year - 1, 12, 20), 15, partial(_decline, ledger, year, number))
    refused = schedule.run(ledger)
    registered: list[PlanRegistration] = []
    if plan is not None:
        if plan.year != year or not plan.document.simulated:
            raise ValueError(f"the simulated cycle of {year} registers a simulated {year} plan")
        schedule.at(plan.document.date, 9, lambda: registered.append(_register(ledger, plan)))
        refused += schedule.run(ledger)
        if not registered:
            raise ValueError(f"the simulated {year} plan was refused: {refused}")
    return CycleSummary(proposals, candidates, registered[0] if registered else None, refused)


def _decline(ledger: Ledger, year: int, number: int) -> None:
    ledger.decline_proposal(year, number, DECLINED, STAFF)


def _register(ledger: Ledger, plan: PlanSpec) -> PlanRegistration:
    return ledger.register_plan(plan, SETUP)
