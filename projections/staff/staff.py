"""Staff accounts and their current roles, for signing in. Never shown publicly."""

from __future__ import annotations

from dataclasses import dataclass

from eventsourcing.dispatch import singledispatchmethod
from sqlalchemy import Connection, String, delete, insert, select
from sqlalchemy.orm import Mapped, mapped_column

from domain.staff import MAX_DISPLAY_NAME, StaffAccount
from projections.database import ReadModel
from projections.projection import Projection, unhandled


class StaffRow(ReadModel):
    __tablename__ = "staff_accounts"

    username: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(36), unique=True)
    display_name: Mapped[str] = mapped_column(String(MAX_DISPLAY_NAME))


class StaffRole(ReadModel):
    __tablename__ = "staff_roles"

    username: Mapped[str] = mapped_column(String(32), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    scope: Mapped[str] = mapped_column(String(64), primary_key=True)


class Staff(Projection):
    name = "staff"
    version = 1
    tables = (StaffRow, StaffRole)

    @singledispatchmethod
    def process_event(self, event: object, c: Connection, position: int) -> None:
        unhandled(self, event)

    @process_event.register
    def _created(self, e: StaffAccount.Created, c: Connection, _: int) -> None:
        c.execute(
            insert(StaffRow).values(
                username=e.username, account_id=str(e.originator_id), display_name=e.display_name
            )
        )

    @process_event.register
    def _granted(self, e: StaffAccount.RoleGranted, c: Connection, _: int) -> None:
        username = _username(c, e)
        c.execute(insert(StaffRole).values(username=username, role=e.role, scope=e.scope))

    @process_event.register
    def _revoked(self, e: StaffAccount.RoleRevoked, c: Connection, _: int) -> None:
        username = _username(c, e)
        c.execute(
            delete(StaffRole).where(
                StaffRole.username == username, StaffRole.role == e.role, StaffRole.scope == e.scope
            )
        )


def _username(c: Connection, e: StaffAccount.Event) -> str:
    return c.execute(
        select(StaffRow.username).where(StaffRow.account_id == str(e.originator_id))
    ).scalar_one()


@dataclass(frozen=True)
class StaffMember:
    username: str
    display_name: str
    roles: frozenset[tuple[str, str]]  # (role, scope)

    def has(self, role: str) -> bool:
        return any(name == role for name, _ in self.roles)

    def scopes(self, role: str) -> list[str]:
        return sorted(scope for name, scope in self.roles if name == role)

    @property
    def unit(self) -> str | None:
        """The responsible unit this member reports for."""
        units = self.scopes("reporter")
        return units[0] if units else None


def staff_member(c: Connection, username: str) -> StaffMember | None:
    row = c.execute(select(StaffRow.display_name).where(StaffRow.username == username)).first()
    if row is None:
        return None
    roles = c.execute(select(StaffRole.role, StaffRole.scope).where(StaffRole.username == username))
    return StaffMember(username, row.display_name, frozenset((r, s) for r, s in roles))


def staff_members(c: Connection) -> list[StaffMember]:
    names = c.execute(select(StaffRow.username).order_by(StaffRow.username)).scalars().all()
    return [m for name in names if (m := staff_member(c, name)) is not None]
