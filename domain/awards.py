"""Year-end awards: administrators nominate candidates, then select winners; all on record."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainError
from domain.plan import NAMESPACE
from domain.public_text import mentions_mobile_number


class AwardError(DomainError):
    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


def _published(text: str) -> str:
    """Notes and reasons are public for good: no one's mobile number in them."""
    if mentions_mobile_number(text):
        raise AwardError("mobile", "published text may hold no mobile number")
    return text.strip()


def check_nomination(candidate: str, candidates: Collection[str]) -> None:
    """Only a candidate the published rules put on the award's list can be nominated
    (`domain.evaluation`: `project_eligible`, `case_eligible`)."""
    if candidate not in candidates:
        raise AwardError("not_candidate", f"{candidate} is not among the award's candidates")


def award_id(year: int, award: str) -> UUID:
    return uuid5(NAMESPACE, f"award/{year}/{award}")


class Award(Aggregate):
    """One award of one year: its nominations and its selections, in order."""

    class Opened(Aggregate.Created):
        year: int
        award: str
        name: str
        places: int
        actor: str

    class Nominated(Aggregate.Event):
        year: int
        award: str
        candidate: str  # a project ref or a case number
        note: str
        actor: str

        def apply(self, award: Award) -> None:
            award.nominated += (self.candidate,)

    class Selected(Aggregate.Event):
        year: int
        award: str
        candidate: str
        note: str
        actor: str

        def apply(self, award: Award) -> None:
            award.selected += (self.candidate,)

    class Withdrawn(Aggregate.Event):
        """A decision taken back, with a public reason: the latest one on this candidate."""

        year: int
        award: str
        candidate: str
        decision: str  # "selection" (back to nominated) or "nomination" (off the list)
        reason: str
        actor: str

        def apply(self, award: Award) -> None:
            if self.decision == "selection":
                award.selected = tuple(c for c in award.selected if c != self.candidate)
            else:
                award.nominated = tuple(c for c in award.nominated if c != self.candidate)

    @event(Opened)
    def __init__(self, year: int, award: str, name: str, places: int, actor: str) -> None:
        self.year, self.award, self.name, self.places = year, award, name, places
        self.nominated: tuple[str, ...] = ()
        self.selected: tuple[str, ...] = ()

    @classmethod
    def open(cls, year: int, award: str, name: str, places: int, actor: str, at: datetime) -> Award:
        return cls._create(
            cls.Opened,
            id=award_id(year, award),
            timestamp=at,
            year=year,
            award=award,
            name=name,
            places=places,
            actor=actor,
        )

    def nominate(self, candidate: str, note: str, actor: str, at: datetime) -> None:
        if candidate in self.nominated:
            raise AwardError("nominated", f"{candidate} is nominated already")
        self.trigger_event(
            self.Nominated,
            timestamp=at,
            year=self.year,
            award=self.award,
            candidate=candidate,
            note=_published(note),
            actor=actor,
        )

    def select(self, candidate: str, note: str, actor: str, at: datetime) -> None:
        if candidate not in self.nominated:
            raise AwardError("not_nominated", f"{candidate} has not been nominated")
        if candidate in self.selected:
            raise AwardError("selected", f"{candidate} is selected already")
        if len(self.selected) >= self.places:
            raise AwardError("full", f"all {self.places} places are taken")
        self.trigger_event(
            self.Selected,
            timestamp=at,
            year=self.year,
            award=self.award,
            candidate=candidate,
            note=_published(note),
            actor=actor,
        )

    def withdraw(self, candidate: str, reason: str, actor: str, at: datetime) -> None:
        """Take back the latest decision on a candidate: a selection, else its nomination."""
        if not reason.strip():
            raise AwardError("reason", "a public reason is needed to withdraw a decision")
        if candidate in self.selected:
            decision = "selection"
        elif candidate in self.nominated:
            decision = "nomination"
        else:
            raise AwardError("not_nominated", f"{candidate} has not been nominated")
        self.trigger_event(
            self.Withdrawn,
            timestamp=at,
            year=self.year,
            award=self.award,
            candidate=candidate,
            decision=decision,
            reason=_published(reason),
            actor=actor,
        )
