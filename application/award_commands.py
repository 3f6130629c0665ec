"""Commands for the year-end awards (mixed into the Ledger): nominate, select, withdraw."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Repository
from eventsourcing.persistence import Recording

from domain.awards import Award, AwardError, award_id
from domain.cases import Case, CaseError


class AwardCommands:
    repository: Repository[UUID]
    save: Callable[..., list[Recording[Any]]]
    clock: Callable[[], datetime]
    case_by_number: Callable[[str], Case]  # from CaseCommands
    _refuse_contact: Callable[..., None]

    def _refuse_naming(self, candidate: str, text: str) -> None:
        """A case's note or reason is published: it may not name that case's citizen."""
        try:
            case = self.case_by_number(candidate)
        except CaseError:
            return  # a project
        try:
            self._refuse_contact(case, text)
        except CaseError as error:
            raise AwardError("personal", str(error)) from error

    def _award(self, year: int, award: str, name: str, places: int, actor: str) -> Award:
        try:
            return self.repository.get(award_id(year, award))
        except AggregateNotFoundError:
            return Award.open(year, award, name, places, actor, self.clock())

    def nominate(
        self, year: int, award: str, name: str, places: int, candidate: str, note: str, actor: str
    ) -> None:
        self._refuse_naming(candidate, note)
        found = self._award(year, award, name, places, actor)
        found.nominate(candidate, note, actor, self.clock())
        self.save(found)

    def select(
        self, year: int, award: str, name: str, places: int, candidate: str, note: str, actor: str
    ) -> None:
        self._refuse_naming(candidate, note)
        found = self._award(year, award, name, places, actor)
        found.select(candidate, note, actor, self.clock())
        self.save(found)

    def withdraw(
        self, year: int, award: str, name: str, places: int, candidate: str, note: str, actor: str
    ) -> None:
        self._refuse_naming(candidate, note)
        found = self._award(year, award, name, places, actor)
        found.withdraw(candidate, note, actor, self.clock())
        self.save(found)
