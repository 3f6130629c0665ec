"""The PIPL access log: who was shown which case's personal data, when, on which page.

For the case task force only; never public (the public log has no entry for
these events). The rows name staff accounts and case numbers, never a citizen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from eventsourcing.dispatch import singledispatchmethod
from sqlalchemy import BigInteger, Connection, String, func, insert, select
from sqlalchemy.orm import Mapped, mapped_column

from domain.access import PersonalDataAccess
from projections.database import ReadModel, UtcDateTime
from projections.projection import Projection, unhandled

PAGE = 50


class AccessRow(ReadModel):
    __tablename__ = "personal_data_access"

    access_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger, index=True)  # order in the event log
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    case_id: Mapped[str] = mapped_column(String(36))
    case_number: Mapped[str] = mapped_column(String(16), index=True)
    actor: Mapped[str] = mapped_column(String(64), index=True)
    basis: Mapped[str] = mapped_column(String(16))
    view: Mapped[str] = mapped_column(String(32))


class AccessLog(Projection):
    name = "access_log"
    version = 1
    tables = (AccessRow,)

    @singledispatchmethod
    def process_event(self, event: object, c: Connection, position: int) -> None:
        unhandled(self, event)

    @process_event.register
    def _recorded(self, e: PersonalDataAccess.Recorded, c: Connection, position: int) -> None:
        c.execute(
            insert(AccessRow).values(
                access_id=str(e.originator_id),
                position=position,
                recorded_at=e.timestamp,
                case_id=e.case_id,
                case_number=e.case_number,
                actor=e.actor,
                basis=e.basis,
                view=e.view,
            )
        )


@dataclass(frozen=True)
class Access:
    recorded_at: datetime
    case_id: str
    case_number: str
    actor: str
    basis: str
    view: str


def accesses(
    c: Connection,
    case_number: str | None = None,
    actor: str | None = None,
    page: int = 1,
    per_page: int = PAGE,
) -> tuple[list[Access], int]:
    """One page of the log, newest first, and how many entries match in all."""
    where = []
    if case_number:
        where.append(AccessRow.case_number == case_number)
    if actor:
        where.append(AccessRow.actor == actor)
    total = c.execute(select(func.count()).select_from(AccessRow).where(*where)).scalar_one()
    rows = c.execute(
        select(
            AccessRow.recorded_at,
            AccessRow.case_id,
            AccessRow.case_number,
            AccessRow.actor,
            AccessRow.basis,
            AccessRow.view,
        )
        .where(*where)
        .order_by(AccessRow.position.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return [Access(*row) for row in rows], total
