"""A daily checkpoint of the public log: its length and head hash, itself part of the log."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.plan import NAMESPACE


def checkpoint_id(day: date) -> UUID:
    return uuid5(NAMESPACE, f"log-checkpoint/{day.isoformat()}")


class Checkpoint(Aggregate):
    """One per day (its id is the day's): recording twice on one day is refused by the store."""

    class Recorded(Aggregate.Created):
        day: str
        entries: int  # how many public entries the log had
        head: str  # the hash of the last of them
        actor: str

    @event(Recorded)
    def __init__(self, day: str, entries: int, head: str, actor: str) -> None:
        self.day, self.entries, self.head = day, entries, head

    @classmethod
    def record(cls, day: date, entries: int, head: str, actor: str, at: datetime) -> Checkpoint:
        return cls._create(
            cls.Recorded,
            id=checkpoint_id(day),
            timestamp=at,
            day=day.isoformat(),
            entries=entries,
            head=head,
            actor=actor,
        )
