"""Staff reading cases (mixed into the Ledger): who may open what, and the record of each reading.

`open_case_for_staff` is the only way to a case's personal data on the staff
side, and it records a `PersonalDataAccess` before it hands the data over:
no page can show personal data to staff without that record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.persistence import Recording

from application.case_commands import CaseDetails
from application.vault import Vault
from domain.access import PersonalDataAccess, Viewer, basis, reads_personal_data
from domain.cases import Case, CaseError


@dataclass(frozen=True)
class StaffCase:
    case: Case
    basis: str  # why this viewer may open it: task_force | lead_unit | co_unit | supervisor
    details: CaseDetails | None  # None: this viewer sees the case's public facts only


class AccessCommands:
    save: Callable[..., list[Recording[Any]]]
    clock: Callable[[], datetime]
    vault: Vault
    _case: Callable[[UUID | str], Case]
    _details: Callable[[Case, dict[str, Any] | None], CaseDetails]

    def case_for_staff(self, case_id: str, viewer: Viewer) -> StaffCase:
        """The case and why `viewer` may act on it: no personal data, nothing recorded."""
        case = self._case(case_id)
        why = basis(viewer, case)
        if why is None:
            raise CaseError("not_handler", "this case is not handled by your unit")
        return StaffCase(case, why, None)

    def open_case_for_staff(self, case_id: str, viewer: Viewer, view: str) -> StaffCase:
        """The case as `viewer` may see it on the page `view`; personal data only by right.

        Each opening that shows personal data is recorded first. A case whose
        person was erased has nothing personal left to show, so nothing is recorded.
        """
        found = self.case_for_staff(case_id, viewer)
        if not reads_personal_data(found.basis):
            return found
        case = found.case
        personal = self.vault.open(case.key_id, case.sealed, str(case.id))
        details = self._details(case, personal)
        if personal is not None:
            self.save(
                PersonalDataAccess.record(
                    id=uuid4(),
                    case=case,
                    actor=viewer.actor,
                    basis=found.basis,
                    view=view,
                    at=self.clock(),
                )
            )
        return StaffCase(case, found.basis, details)
