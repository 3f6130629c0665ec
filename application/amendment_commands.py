"""Amending a registered plan (mixed into the Ledger): one `Plan.Amended` event per decision."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Repository
from eventsourcing.persistence import Recording

from domain.errors import NotFound
from domain.plan import Item, Plan, item_id, plan_id
from domain.plan_amendments import Amendment, Basis, Change


class AmendmentCommands:
    repository: Repository[UUID]
    save: Callable[..., list[Recording[Any]]]
    clock: Callable[[], datetime]

    def amend_plan(
        self,
        year: int,
        change: Change,
        basis: Basis,
        reason: str,
        actor: str,
        effective: date | None = None,
    ) -> Amendment:
        """Record an amendment of `year`'s plan (refused: `AmendmentRefused`; no plan: NotFound).

        The rules see the items as registered and every earlier amendment (the Plan holds
        them); two administrators amending at once: the second save conflicts and is retried
        by the caller, never merged blindly."""
        try:
            plan: Plan = self.repository.get(plan_id(year))
        except AggregateNotFoundError as error:
            raise NotFound(f"plan {year}") from error
        items: list[Item] = [self.repository.get(item_id(year, n)) for n in plan.item_numbers]
        amendment = plan.amend(
            change, basis, effective, reason, [i.spec() for i in items], actor, self.clock()
        )
        self.save(plan)
        return amendment

    def plan_amendments(self, year: int) -> list[Amendment]:
        """Every amendment of `year`'s plan recorded so far, in order (none: no plan)."""
        try:
            plan: Plan = self.repository.get(plan_id(year))
        except AggregateNotFoundError:
            return []
        return list(plan.amendments)
