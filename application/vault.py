"""Personal data, sealed with each person's own key, in a store apart from the event log.

A person's key is found by a keyed hash (HMAC) of their phone number, so the
store never holds the number itself. Destroying the key (erasure, PIPL art.
47) leaves their sealed data in the log unreadable for ever, while the
history around it still replays.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Engine,
    LargeBinary,
    MetaData,
    String,
    Table,
    delete,
    insert,
    select,
)
from sqlalchemy.exc import IntegrityError

from application.disk import scrub

metadata = MetaData()
keys = Table(
    "person_keys",
    metadata,
    Column("key_id", String(36), primary_key=True),
    Column("secret", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
contacts = Table(  # keyed hash of a phone number -> that person's key
    "person_contacts",
    metadata,
    Column("contact", String(64), primary_key=True),
    Column("key_id", String(36), nullable=False, index=True),
)
sealed_cases = Table(  # which cases a key sealed: what an erasure must name
    "person_cases",
    metadata,
    Column("key_id", String(36), primary_key=True),
    Column("case_id", String(36), primary_key=True),
)


class Vault:
    def __init__(self, engine: Engine, pepper: bytes) -> None:
        self.engine = engine
        self.pepper = pepper
        metadata.create_all(engine)

    def contact(self, phone: str) -> str:
        """The keyed hash of a normalised phone number (no phone number is ever stored)."""
        return hmac.new(self.pepper, phone.encode(), hashlib.sha256).hexdigest()

    def digest(self, secret: str) -> str:
        """A keyed hash of a short secret, e.g. a case's query code."""
        return hmac.new(self.pepper, b"code:" + secret.encode(), hashlib.sha256).hexdigest()

    def case_token(self, purpose: str, case_id: str) -> str:
        """What a link in a message to a case's citizen carries (to stop messages, to answer
        "is it fixed?"): only the pepper's holder can make it, and it opens nothing else."""
        return self.digest(f"{purpose}:{case_id}")[:20]

    def is_case_token(self, purpose: str, case_id: str, given: str) -> bool:
        """Whether a link's token is this case's: compared as bytes, in constant time (a
        token in any script is simply wrong, never an error)."""
        expected = self.case_token(purpose, case_id)
        return hmac.compare_digest(given.encode(), expected.encode())

    def ticket_code(self, case_id: str) -> str:
        """A hotline ticket's 8-digit query code, which only the pepper's holder can compute:
        the ledger can answer a resent ticket with it again (the first answer may be lost)."""
        mac = hmac.new(self.pepper, b"ticket-code:" + case_id.encode(), hashlib.sha256)
        return f"{int.from_bytes(mac.digest()[:8], 'big') % 10**8:08d}"

    def key_for(self, phone: str) -> str:
        """This person's key id, made on first contact."""
        contact = self.contact(phone)
        with self.engine.begin() as c:
            found = c.execute(
                select(contacts.c.key_id).where(contacts.c.contact == contact)
            ).scalar()
            if found:
                return str(found)
        key_id = str(uuid4())
        try:
            with self._writing() as c:
                c.execute(
                    insert(keys).values(
                        key_id=key_id, secret=AESGCM.generate_key(256), created_at=datetime.now(UTC)
                    )
                )
                c.execute(insert(contacts).values(contact=contact, key_id=key_id))
        except IntegrityError:  # the same person, at the same moment, in another process
            with self.engine.begin() as c:
                return str(
                    c.execute(
                        select(contacts.c.key_id).where(contacts.c.contact == contact)
                    ).scalar_one()
                )
        return key_id

    def seal(self, key_id: str, data: dict[str, Any], case_id: str) -> str:
        secret = self._secret(key_id)
        if secret is None:
            raise KeyError("no such key: erased or never made")
        nonce = os.urandom(12)
        plain = json.dumps(data, ensure_ascii=False).encode()
        body = AESGCM(secret).encrypt(nonce, plain, case_id.encode())  # bound to its case
        return base64.b64encode(nonce + body).decode()

    def remember(self, key_id: str, case_id: str) -> None:
        with self._writing() as c:
            exists = c.execute(
                select(sealed_cases.c.case_id).where(
                    sealed_cases.c.key_id == key_id, sealed_cases.c.case_id == case_id
                )
            ).first()
            if not exists:
                c.execute(insert(sealed_cases).values(key_id=key_id, case_id=case_id))

    def open(self, key_id: str, sealed: str, case_id: str) -> dict[str, Any] | None:
        """The sealed data, or None once the key is destroyed."""
        secret = self._secret(key_id)
        if secret is None or not sealed:
            return None
        raw = base64.b64decode(sealed)
        try:
            opened: dict[str, Any] = json.loads(
                AESGCM(secret).decrypt(raw[:12], raw[12:], case_id.encode())
            )
        except InvalidTag:
            return None
        return opened  # what seal() wrote: a JSON object

    def keys_of(self, phone: str) -> list[str]:
        with self.engine.connect() as c:
            return list(
                c.execute(
                    select(contacts.c.key_id).where(contacts.c.contact == self.contact(phone))
                ).scalars()
            )

    def cases_of(self, key_id: str) -> list[str]:
        with self.engine.connect() as c:
            return list(
                c.execute(
                    select(sealed_cases.c.case_id).where(sealed_cases.c.key_id == key_id)
                ).scalars()
            )

    def has_key(self, key_id: str) -> bool:
        return self._secret(key_id) is not None

    def destroy(self, key_id: str) -> None:
        """Delete the key; `scrub` then removes its bytes from the key store's files."""
        with self._writing() as c:
            c.execute(delete(keys).where(keys.c.key_id == key_id))
            c.execute(delete(contacts).where(contacts.c.key_id == key_id))

    def scrub(self) -> bool:
        """No copy of a destroyed key left in the store's files (its WAL included)."""
        return scrub(self.engine)

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        """A write transaction that takes SQLite's write lock first (no read-then-upgrade)."""
        with self.engine.connect().execution_options(sqlite_begin="IMMEDIATE") as c, c.begin():
            yield c

    def _secret(self, key_id: str) -> bytes | None:
        with self.engine.connect() as c:
            return c.execute(select(keys.c.secret).where(keys.c.key_id == key_id)).scalar()
