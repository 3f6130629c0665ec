"""Commands for the year-end awards (mixed into the Ledger): nominate, select, withdraw."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import Recording

from domain.awards import Award, award_id


class AwardCommands:
    repository: Any
    save: Callable[..., list[Recording[Any]]]
    clock: Callable[[], datetime]

    def _award(self, year: int, award: str, name: str, places: int, actor: str) -> Award:
        try:
            return self.repository.get(award_id(year, award))
        except AggregateNotFoundError:
            return Award.open(year, award, name, places, actor, self.clock())

    def nominate(
        self, year: int, award: str, name: str, places: int, candidate: str, note: str, actor: str
    ) -> None:
        found = self._award(year, award, name, places, actor)
        found.nominate(candidate, note, actor, self.clock())
        self.save(found)

    def select(
        self, year: int, award: str, name: str, places: int, candidate: str, note: str, actor: str
    ) -> None:
        found = self._award(year, award, name, places, actor)
        found.select(candidate, note, actor, self.clock())
        self.save(found)

    def withdraw(
        self, year: int, award: str, name: str, places: int, candidate: str, note: str, actor: str
    ) -> None:
        found = self._award(year, award, name, places, actor)
        found.withdraw(candidate, note, actor, self.clock())
        self.save(found)
