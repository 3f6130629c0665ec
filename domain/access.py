"""Who may read a citizen's personal data on the staff side, and the record of each reading.

Personal data (the name, the phone, the citizen's own title and words, the
reasons of an evaluation: everything sealed with the person's key) is for the
case task force (the 市政府办公室 of the 双专班) and for the units the case is
assigned to (lead and co-units, from assignment on). Supervisors may open a
case to 督办 it, and see its public facts only. Everyone else sees nothing.

Each time personal data is shown to staff, a `PersonalDataAccess` is recorded
(PIPL art. 51: who, which case, when, on which page). It is an aggregate of
its own, one per reading, so recording never contends with the case itself;
it holds no personal data and is never public.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.cases import Case, CaseError

CASE_TASK_FORCE = "市政府办公室"  # the task force that runs the cases (诉求专班)

# Why a viewer may open a case, strongest first.
TASK_FORCE, LEAD_UNIT, CO_UNIT, SUPERVISOR = "task_force", "lead_unit", "co_unit", "supervisor"
PERSONAL_BASES = (TASK_FORCE, LEAD_UNIT, CO_UNIT)


@dataclass(frozen=True)
class Viewer:
    """A staff member, as far as reading cases goes."""

    actor: str  # how events name them, e.g. "staff:gov.chen"
    unit: str | None  # the responsible unit they report for
    task_force: bool  # admin of CASE_TASK_FORCE
    supervisor: bool  # of 人大督查组 or 市政府督查室


def basis(viewer: Viewer, case: Case) -> str | None:
    """Why `viewer` may open `case` (one of the bases above), or None: they may not."""
    if viewer.task_force:
        return TASK_FORCE
    if viewer.unit is not None and viewer.unit == case.lead_unit:
        return LEAD_UNIT
    if viewer.unit is not None and viewer.unit in case.co_units:
        return CO_UNIT
    if viewer.supervisor:
        return SUPERVISOR
    return None


def reads_personal_data(why: str | None) -> bool:
    return why in PERSONAL_BASES


class PersonalDataAccess(Aggregate):
    """Personal data of one case was shown to one staff member, once."""

    class Recorded(Aggregate.Created):
        case_id: str
        case_number: str
        actor: str
        basis: str  # task_force | lead_unit | co_unit
        view: str  # which page showed it

    @event(Recorded)
    def __init__(self, case_id: str, case_number: str, actor: str, basis: str, view: str) -> None:
        self.case_id = case_id
        self.case_number = case_number
        self.actor = actor
        self.basis = basis
        self.view = view

    @classmethod
    def record(
        cls, *, id: UUID, case: Case, actor: str, basis: str, view: str, at: datetime
    ) -> PersonalDataAccess:
        if basis not in PERSONAL_BASES:
            raise CaseError("basis", f"{basis!r} is no reason to read personal data")
        return cls._create(
            cls.Recorded,
            id=id,
            timestamp=at,
            case_id=str(case.id),
            case_number=case.number,
            actor=actor,
            basis=basis,
            view=view,
        )
