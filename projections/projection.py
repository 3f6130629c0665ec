"""A projection: one read model, kept up to date from the event log."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import cached_property
from typing import Any, ClassVar

from eventsourcing.persistence import Notification
from eventsourcing.utils import get_topic
from sqlalchemy import BigInteger, Connection, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column

from projections.database import ReadModel, UtcDateTime

Handler = Callable[[Connection, Any, int], None]


class Position(ReadModel):
    """How far each projection has read the log, committed with its rows."""

    __tablename__ = "projection_positions"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger, default=0)
    version: Mapped[int] = mapped_column(Integer, default=0)


class Failure(ReadModel):
    """A projection that could not apply an event: which one, why, since when.

    Kept apart from the position (and its transaction), so that the failure
    outlives the rolled-back batch. Cleared when the projection moves on.
    """

    __tablename__ = "projection_failures"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    notification_id: Mapped[int] = mapped_column(BigInteger)
    event: Mapped[str] = mapped_column(String(200))  # the event's class, never its content
    error: Mapped[str] = mapped_column(String(300))
    attempts: Mapped[int] = mapped_column(Integer)
    first_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Projection:
    """Subclasses name their tables and map event classes to handlers.

    A handler gets the connection of the projector's transaction, the event
    and its notification id; it must be deterministic so that a rebuild from
    zero gives the same rows. Bump `version` when the tables or handlers
    change: the projector then rebuilds this read model from zero.
    """

    name: ClassVar[str]
    version: ClassVar[int]
    tables: ClassVar[tuple[type[ReadModel], ...]]

    def handlers(self) -> dict[type, Handler]:
        raise NotImplementedError

    @cached_property
    def _dispatch(self) -> dict[type, Handler]:
        return self.handlers()

    def topics(self) -> list[str]:
        return [get_topic(cls) for cls in self._dispatch]

    def table_objects(self) -> list[Table]:
        return [model.__table__ for model in self.tables]  # type: ignore[misc]

    def apply(self, connection: Connection, event: Any, position: int) -> None:
        self._dispatch[type(event)](connection, event, position)


class RawProjection(Projection):
    """A projection of the stored records themselves: every notification of every topic,
    as stored (ids, topic, state bytes), never decoded into domain events. The projector
    hands it each batch whole (`apply_records`).
    """

    def topics(self) -> list[str]:
        return []  # select_notifications reads every topic when given none

    def handlers(self) -> dict[type, Handler]:
        return {}

    def apply_records(self, connection: Connection, notifications: Sequence[Notification]) -> None:
        raise NotImplementedError
