"""Staff passwords: hashed (scrypt, via werkzeug), kept out of the event log.

A hash in an immutable log could never be removed; this small table can be
updated and its rows deleted. The log records only that a password changed.
Beside it: each account's session token (a new one ends every session of the
account: on sign-out and on a password change) and the networks it signed in
from recently, as keyed hashes only (sign-in limits let them through).
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 10
metadata = MetaData()
credentials = Table(
    "staff_credentials",
    metadata,
    Column("username", String(32), primary_key=True),
    Column("password_hash", String(255), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
)
sessions = Table(
    "staff_sessions",
    metadata,
    Column("username", String(32), primary_key=True),
    Column("token", String(64), nullable=False),
)
sign_in_networks = Table(
    "staff_sign_in_networks",
    metadata,
    Column("username", String(32), primary_key=True),
    Column("network", String(64), primary_key=True),  # a keyed hash, never an address
    Column("last_seen", Integer, nullable=False),  # POSIX seconds
)
# werkzeug's scrypt (N=32768, r=8, p=1; ~0.14 s of CPU here). A deployment may raise it; the
# test suite lowers it through the same setting (PASSWORD_HASH), as it signs in hundreds of
# times and proves nothing about the hash by paying for it.
DEFAULT_METHOD = "scrypt"


class WeakPassword(ValueError):
    pass


class CredentialStore:
    def __init__(self, engine: Engine, method: str = DEFAULT_METHOD) -> None:
        self.engine = engine
        self.method = method
        # Compared against when the username is unknown, so both paths take as long
        # (and a method werkzeug does not know fails here, at start-up).
        self._dummy = generate_password_hash("an unguessable placeholder password", method)
        metadata.create_all(engine)

    @staticmethod
    def check(password: str) -> None:
        if len(password) < MIN_LENGTH:
            raise WeakPassword(f"at least {MIN_LENGTH} characters")

    def set(self, username: str, password: str) -> None:
        self.check(password)
        row = {
            "username": username,
            "password_hash": generate_password_hash(password, self.method),
            "changed_at": datetime.now(UTC),
        }
        statement = self._insert(credentials).values(row)
        statement = statement.on_conflict_do_update(
            index_elements=["username"],
            set_={"password_hash": row["password_hash"], "changed_at": row["changed_at"]},
        )
        with self.engine.begin() as c:
            c.execute(statement)
            self._new_token(c, username)  # a copied session cookie dies with the old password

    def verify(self, username: str, password: str) -> bool:
        with self.engine.connect() as c:
            stored = c.execute(
                select(credentials.c.password_hash).where(credentials.c.username == username)
            ).scalar_one_or_none()
        if stored is None:
            check_password_hash(self._dummy, password)
            return False
        return check_password_hash(stored, password)

    # Sessions ---------------------------------------------------------------------------

    def session_token(self, username: str) -> str:
        """The token every live session of this account carries (made on first use)."""
        query = select(sessions.c.token).where(sessions.c.username == username)
        with self.engine.connect() as c:
            found = c.execute(query).scalar_one_or_none()
        if found is None:
            statement = self._insert(sessions).values(
                username=username, token=secrets.token_urlsafe(24)
            )
            with self.engine.begin() as c:
                c.execute(statement.on_conflict_do_nothing(index_elements=["username"]))
                found = c.execute(query).scalar_one()
        return str(found)

    def end_sessions(self, username: str) -> None:
        """Every session of this account is signed out (its cookies no longer work)."""
        with self.engine.begin() as c:
            self._new_token(c, username)

    def _new_token(self, c: Connection, username: str) -> None:
        token = secrets.token_urlsafe(24)
        statement = self._insert(sessions).values(username=username, token=token)
        c.execute(
            statement.on_conflict_do_update(index_elements=["username"], set_={"token": token})
        )

    # Networks signed in from ------------------------------------------------------------

    def remember_network(self, username: str, network: str, now: float) -> None:
        statement = self._insert(sign_in_networks).values(
            username=username, network=network, last_seen=int(now)
        )
        statement = statement.on_conflict_do_update(
            index_elements=["username", "network"], set_={"last_seen": int(now)}
        )
        with self.engine.begin() as c:
            c.execute(statement)

    def known_network(self, username: str, network: str, since: float) -> bool:
        """Whether the account signed in from `network` (its keyed hash) at or after `since`."""
        with self.engine.connect() as c:
            seen = c.execute(
                select(sign_in_networks.c.last_seen).where(
                    sign_in_networks.c.username == username, sign_in_networks.c.network == network
                )
            ).scalar_one_or_none()
        return seen is not None and seen >= since

    def _insert(self, table: Table) -> Any:
        dialect = sqlite if self.engine.dialect.name == "sqlite" else postgresql
        return dialect.insert(table)
