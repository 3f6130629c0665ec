"""The labelled simulated cycle of the year after the simulated one: its solicitation of
proposals, the conversions of the simulated cases, the candidates, the congress vote and the
labelled simulated plan they lead to (plans/2024), in that order, as the task force and the
citizens would write them. Nothing here is true; every entry is tagged 模拟."""

from __future__ import annotations

import random
from dataclasses import dataclass

from application.ledger import Ledger, PlanRegistration
from application.sim_schedule import SimSchedule
from application.simulated_candidates import CandidateSummary, write_simulated_candidates
from application.simulated_proposals import ProposalSummary, write_simulated_proposals
from domain.plan_spec import PlanSpec

SETUP = "sim:setup"


@dataclass(frozen=True)
class CycleSummary:
    proposals: ProposalSummary
    candidates: CandidateSummary
    plan: PlanRegistration | None  # None: no plan file for the year (nothing registered)


def write_simulated_cycle(
    ledger: Ledger, year: int, plan: PlanSpec | None, seed: int
) -> CycleSummary:
    """The cycle of `year` (proposals in the autumn before it, candidates in December, the
    vote in January) and then `plan`, the labelled simulated plan of `year`, registered on
    its document's date: its projects name the candidates they came from."""
    proposals = write_simulated_proposals(ledger, year, seed=seed)
    candidates = write_simulated_candidates(ledger, year, proposals.unanswered)
    registered: list[PlanRegistration] = []
    if plan is not None:
        if plan.year != year or not plan.document.simulated:
            raise ValueError(f"the simulated cycle of {year} registers a simulated {year} plan")
        schedule = SimSchedule(random.Random(seed))
        schedule.at(plan.document.date, 9, lambda: registered.append(_register(ledger, plan)))
        if refused := schedule.run(ledger):
            raise ValueError(f"the simulated {year} plan was refused: {refused}")
    return CycleSummary(proposals, candidates, registered[0] if registered else None)


def _register(ledger: Ledger, plan: PlanSpec) -> PlanRegistration:
    return ledger.register_plan(plan, SETUP)
