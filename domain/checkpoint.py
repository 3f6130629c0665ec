"""A daily checkpoint of both hash chains: each one's length and head, itself part of the log.

The public log's chain covers the public entries; the store chain covers every
stored event record, public or not (see projections/publiclog/store_chain.py).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.plan import NAMESPACE


def checkpoint_id(day: date) -> UUID:
    return uuid5(NAMESPACE, f"log-checkpoint/{day.isoformat()}")


class Checkpoint(Aggregate):
    """One per day (its id is the day's): recording twice on one day is refused by the store."""

    class Recorded(Aggregate.Created):
        # Version 2 adds the store chain. Version 1 checkpoints named only the public log.
        class_version = 2

        day: str
        entries: int  # how many public entries the log had
        head: str  # the hash of the last of them
        actor: str
        store_events: int | None  # how many stored events the store chain had (None: version 1)
        store_head: str | None  # its last link

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["store_events"] = None
            state["store_head"] = None

    @event(Recorded)
    def __init__(
        self,
        day: str,
        entries: int,
        head: str,
        actor: str,
        store_events: int | None,
        store_head: str | None,
    ) -> None:
        self.day, self.entries, self.head = day, entries, head
        self.store_events, self.store_head = store_events, store_head

    @classmethod
    def record(
        cls,
        day: date,
        public: tuple[int, str],
        store: tuple[int, str],
        actor: str,
        at: datetime,
    ) -> Checkpoint:
        """`public`: the public log's (entries, head); `store`: the store chain's (events, head)."""
        return cls._create(
            cls.Recorded,
            id=checkpoint_id(day),
            timestamp=at,
            day=day.isoformat(),
            entries=public[0],
            head=public[1],
            actor=actor,
            store_events=store[0],
            store_head=store[1],
        )
