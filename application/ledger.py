"""The one application of the site: every public fact is an event in its log."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.persistence import IntegrityError, OperationalError, Recording
from eventsourcing.utils import EnvType, retry

from application.access_commands import AccessCommands
from application.amendment_commands import AmendmentCommands
from application.award_commands import AwardCommands
from application.candidate_commands import CandidateCommands
from application.case_commands import CaseCommands
from application.commands import Commands
from application.proposal_commands import ProposalCommands
from application.rating_commands import RatingCommands
from domain.errors import PlanConflict, UnstorableText
from domain.plan import Item, KeyProject, Plan, item_id, key_project_id, plan_id
from domain.plan_rules import diff_plans, validate_origins, validate_plan
from domain.plan_spec import PlanSpec
from domain.text import unstorable_fields


@dataclass(frozen=True)
class PlanRegistration:
    year: int
    created: bool  # False: this exact plan was registered already, nothing was written
    events: int
    last_notification_id: int | None


def system_clock() -> datetime:
    return datetime.now(UTC)


class Ledger(
    AmendmentCommands,
    AccessCommands,
    AwardCommands,
    CandidateCommands,
    ProposalCommands,
    RatingCommands,
    CaseCommands,
    Commands,
    Application[UUID],
):
    """Commands take plain values, load aggregates, call one method, save."""

    # Fixed: the name sets the table names and environment prefix of the store.
    name = "minsheng"

    def __init__(
        self, env: EnvType | None = None, clock: Callable[[], datetime] = system_clock
    ) -> None:
        super().__init__(env)
        # When events are recorded: the system's, a test's stopped clock, or (for a
        # moment) the simulated year's.
        self.clock = clock

    # Told the log position of each save (the composition root's read-your-writes).
    on_saved: Callable[[int], None] | None = None

    def save(self, *objects: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """Save, refusing any new event whose text a store or XML could not carry."""
        for obj in objects:
            for event in getattr(obj, "pending_events", ()):
                if bad := unstorable_fields(vars(event)):
                    raise UnstorableText(type(event).__qualname__, bad)
        return super().save(*objects, **kwargs)

    def _notify(self, recordings: list[Recording[UUID]]) -> None:
        if self.on_saved is not None and recordings:
            self.on_saved(max(r.notification.id for r in recordings))

    @retry(OperationalError, max_attempts=6, wait=0.1)
    def _record(self, processing_event: ProcessingEvent[UUID]) -> list[Recording[UUID]]:
        """Record, retrying what failed before anything was written: a busy store (no
        connection in time, a lock held elsewhere). A conflict is not retried here."""
        return super()._record(processing_event)

    def register_plan(self, spec: PlanSpec, actor: str) -> PlanRegistration:
        """Register a year's plan atomically; the same plan again changes nothing."""
        validate_plan(spec)
        if self.plan_spec(spec.year) is not None:
            return self._unchanged_or_conflict(spec)
        validate_origins(spec, self.plan_spec(spec.year - 1), actor)
        # Order matters to readers of the log: the plan, its items, then key projects.
        aggregates = [
            Plan.register(spec, actor),
            *(Item.register(spec.year, item, actor) for item in spec.items),
            *(KeyProject.register(spec.year, key, actor) for key in spec.key_projects),
        ]
        try:
            recordings = self.save(*aggregates)
        except IntegrityError:
            # Registered concurrently by another process between our read and write.
            return self._unchanged_or_conflict(spec)
        last = max((r.notification.id for r in recordings), default=None)
        return PlanRegistration(spec.year, True, len(recordings), last)

    def _unchanged_or_conflict(self, spec: PlanSpec) -> PlanRegistration:
        stored = self.plan_spec(spec.year)
        assert stored is not None
        if stored != spec:
            raise PlanConflict(spec.year, diff_plans(stored, spec))
        return PlanRegistration(spec.year, False, 0, None)

    def plan_spec(self, year: int) -> PlanSpec | None:
        """The registered plan for `year`, rebuilt from its aggregates, or None."""
        try:
            plan: Plan = self.repository.get(plan_id(year))
        except AggregateNotFoundError:
            return None
        items: list[Item] = [self.repository.get(item_id(year, n)) for n in plan.item_numbers]
        keys: list[KeyProject] = [
            self.repository.get(key_project_id(year, n)) for n in plan.key_project_numbers
        ]
        return PlanSpec(
            year=plan.year,
            document=plan.document,
            schedule=plan.schedule,
            declared=plan.declared,
            categories=plan.categories,
            items=tuple(i.spec() for i in items),
            key_projects=tuple(k.spec() for k in keys),
        )
