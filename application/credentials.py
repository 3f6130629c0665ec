"""Staff passwords: hashed (scrypt, via werkzeug), kept out of the event log.

A hash in an immutable log could never be removed; this small table can be
updated and its rows deleted. The log records only that a password changed.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, Engine, MetaData, String, Table, select
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
# Compared against when the username is unknown, so both paths take as long.
_DUMMY = generate_password_hash("an unguessable placeholder password")


class WeakPassword(ValueError):
    pass


class CredentialStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        metadata.create_all(engine)

    @staticmethod
    def check(password: str) -> None:
        if len(password) < MIN_LENGTH:
            raise WeakPassword(f"at least {MIN_LENGTH} characters")

    def set(self, username: str, password: str) -> None:
        self.check(password)
        row = {
            "username": username,
            "password_hash": generate_password_hash(password),
            "changed_at": datetime.now(UTC),
        }
        dialect = sqlite if self.engine.dialect.name == "sqlite" else postgresql
        statement = dialect.insert(credentials).values(row)
        statement = statement.on_conflict_do_update(
            index_elements=["username"],
            set_={"password_hash": row["password_hash"], "changed_at": row["changed_at"]},
        )
        with self.engine.begin() as c:
            c.execute(statement)

    def verify(self, username: str, password: str) -> bool:
        with self.engine.connect() as c:
            stored = c.execute(
                select(credentials.c.password_hash).where(credentials.c.username == username)
            ).scalar_one_or_none()
        if stored is None:
            check_password_hash(_DUMMY, password)
            return False
        return check_password_hash(stored, password)
