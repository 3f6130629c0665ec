"""Staff accounts and their current roles, for signing in. Never shown publicly."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, String, delete, insert, select
from sqlalchemy.orm import Mapped, mapped_column

from domain.staff import StaffAccount
from projections.database import ReadModel
from projections.projection import Handler, Projection


class StaffRow(ReadModel):
    __tablename__ = "staff_accounts"

    username: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(36), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))


class StaffRole(ReadModel):
    __tablename__ = "staff_roles"

    username: Mapped[str] = mapped_column(String(32), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    scope: Mapped[str] = mapped_column(String(64), primary_key=True)


class Staff(Projection):
    name = "staff"
    version = 1
    tables = (StaffRow, StaffRole)

    def handlers(self) -> dict[type, Handler]:
        return {
            StaffAccount.Created: self._created,
            StaffAccount.RoleGranted: self._granted,
            StaffAccount.RoleRevoked: self._revoked,
        }

    def _created(self, c: Connection, e: Any, _: int) -> None:
        c.execute(
            insert(StaffRow).values(
                username=e.username, account_id=str(e.originator_id), display_name=e.display_name
            )
        )

    def _granted(self, c: Connection, e: Any, _: int) -> None:
        username = _username(c, e)
        c.execute(insert(StaffRole).values(username=username, role=e.role, scope=e.scope))

    def _revoked(self, c: Connection, e: Any, _: int) -> None:
        username = _username(c, e)
        c.execute(
            delete(StaffRole).where(
                StaffRole.username == username, StaffRole.role == e.role, StaffRole.scope == e.scope
            )
        )


def _username(c: Connection, e: Any) -> str:
    return c.execute(
        select(StaffRow.username).where(StaffRow.account_id == str(e.originator_id))
    ).scalar_one()
