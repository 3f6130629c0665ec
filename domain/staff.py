"""Staff accounts and their roles. Granting and revoking are audited events.

Passwords are not events: a hash in an immutable log could never be
removed. The log records only that a password was changed, by whom.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainError
from domain.plan import NAMESPACE

# The two task forces (双专班) administer; the two supervising bodies inspect.
ADMIN_SCOPES = ("市政府办公室", "市发展改革委")
SUPERVISOR_SCOPES = ("人大督查组", "市政府督查室")
ROLES = ("admin", "reporter", "supervisor")
USERNAME = re.compile(r"^[a-z][a-z0-9_.-]{2,31}$")
MAX_DISPLAY_NAME = 64


class RoleError(DomainError):
    pass


@dataclass(frozen=True)
class Role:
    name: str  # admin | reporter | supervisor
    scope: str  # the task force, the responsible unit, or the supervising body

    def __str__(self) -> str:
        return f"{self.name}:{self.scope}"


def staff_id(username: str) -> UUID:
    return uuid5(NAMESPACE, f"staff/{username}")


class StaffAccount(Aggregate):
    class Created(Aggregate.Created):
        username: str
        display_name: str
        actor: str

    class RoleGranted(Aggregate.Event):
        role: str
        scope: str
        actor: str

        def apply(self, account: StaffAccount) -> None:
            account.roles.add(Role(self.role, self.scope))

    class RoleRevoked(Aggregate.Event):
        role: str
        scope: str
        actor: str

        def apply(self, account: StaffAccount) -> None:
            account.roles.discard(Role(self.role, self.scope))

    class PasswordChanged(Aggregate.Event):
        actor: str

        def apply(self, account: StaffAccount) -> None:
            account.password_changes += 1

    @staticmethod
    def create_id(username: str) -> UUID:
        return staff_id(username)

    @event(Created)
    def __init__(self, username: str, display_name: str, actor: str) -> None:
        self.username = username
        self.display_name = display_name
        self.roles: set[Role] = set()
        self.password_changes = 0

    @classmethod
    def open(
        cls, username: str, display_name: str, actor: str, recorded_at: datetime
    ) -> StaffAccount:
        if not USERNAME.match(username):
            raise RoleError("usernames are 3-32 of a-z 0-9 _ . - and begin with a letter")
        if not display_name.strip():
            raise RoleError("a display name is needed")
        if len(display_name.strip()) > MAX_DISPLAY_NAME:  # what the staff read model holds
            raise RoleError(f"a display name has at most {MAX_DISPLAY_NAME} characters")
        return cls._create(
            cls.Created,
            id=staff_id(username),
            timestamp=recorded_at,
            username=username,
            display_name=display_name.strip(),
            actor=actor,
        )

    def grant(self, role: Role, actor: str, recorded_at: datetime) -> None:
        if role.name not in ROLES:
            raise RoleError(f"no role {role.name!r}; roles are {', '.join(ROLES)}")
        if role.name == "admin" and role.scope not in ADMIN_SCOPES:
            raise RoleError(f"admins belong to {' or '.join(ADMIN_SCOPES)}")
        if role.name == "supervisor" and role.scope not in SUPERVISOR_SCOPES:
            raise RoleError(f"supervisors belong to {' or '.join(SUPERVISOR_SCOPES)}")
        if role in self.roles:
            raise RoleError(f"{self.username} has {role} already")
        if role.name == "reporter" and self.unit is not None:
            raise RoleError(f"{self.username} reports for {self.unit} already: revoke that first")
        self.trigger_event(
            self.RoleGranted, timestamp=recorded_at, role=role.name, scope=role.scope, actor=actor
        )

    def revoke(self, role: Role, actor: str, recorded_at: datetime) -> None:
        if role not in self.roles:
            raise RoleError(f"{self.username} does not have {role}")
        self.trigger_event(
            self.RoleRevoked, timestamp=recorded_at, role=role.name, scope=role.scope, actor=actor
        )

    def password_changed(self, actor: str, recorded_at: datetime) -> None:
        self.trigger_event(self.PasswordChanged, timestamp=recorded_at, actor=actor)

    @property
    def unit(self) -> str | None:
        """The one responsible unit this account reports for, if any."""
        return next((r.scope for r in self.roles if r.name == "reporter"), None)
