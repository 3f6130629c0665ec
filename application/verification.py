"""Proving control of a phone number or an e-mail address with a one-time code.

Codes are kept as keyed hashes in the key store (apart from the event log),
for one contact at a time: a new request replaces the pending code. A code
expires, works once, and allows a few wrong guesses before it is void.
Codes are sent by a `Sender`: SMTP for e-mail, an SMS gateway for phones, or
(development only) a local outbox that a page shows.
"""

from __future__ import annotations

import hmac
import secrets
import smtplib
import unicodedata
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from json import dumps
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    insert,
    inspect,
    select,
    update,
)

from application.vault import Vault
from domain.contacts import normalise_email, normalise_mobile

metadata = MetaData()
codes = Table(
    "verification_codes",
    metadata,
    Column("contact", String(64), primary_key=True),  # keyed hash of the address
    Column("digest", String(64), nullable=False),  # keyed hash of the code
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
)
outbox = Table(  # development only: what would have been sent
    "dev_outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # a message's own key: handed over twice (a sender killed before it recorded the
    # first hand-over), it is kept once, as an SMS gateway or mail client de-duplicates
    Column("key", String(40), unique=True),
    Column("address", String(254), nullable=False),
    Column("text", Text, nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class Address:
    kind: str  # "phone" or "email"
    value: str  # normalised

    @classmethod
    def parse(cls, raw: str) -> Address | None:
        """A mainland mobile number (SMS) or an e-mail address, normalised; else None."""
        if "@" in unicodedata.normalize("NFKC", raw or ""):
            email = normalise_email(raw)
            return cls("email", email) if email else None
        mobile = normalise_mobile(raw)
        return cls("phone", mobile) if mobile else None


class Sender(Protocol):
    def send(
        self, address: Address, text: str, key: str | None = None, mail: Mail | None = None
    ) -> None:
        """Hand `text` over; `key` names the message, so the same key twice arrives once;
        `mail`: an e-mail's subject and headers (e.g. List-Unsubscribe)."""


@dataclass(frozen=True)
class Mail:
    subject: str
    headers: tuple[tuple[str, str], ...] = ()


class SendFailed(Exception):
    """The code could not be handed to the e-mail server or the SMS gateway."""


class Outbox:
    """Development: messages go to a table that the debug-only outbox page lists."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        found = inspect(engine)
        columns = (
            {c["name"] for c in found.get_columns("dev_outbox")}
            if found.has_table("dev_outbox")
            else {"key"}
        )
        if "key" not in columns:  # made before messages had keys: a development table, remade
            outbox.drop(engine)
        metadata.create_all(engine, tables=[outbox])

    def send(
        self, address: Address, text: str, key: str | None = None, mail: Mail | None = None
    ) -> None:
        if mail is not None:  # what a mail client shows: the subject, the headers, the text
            text = "\n".join(
                [f"Subject: {mail.subject}", *(f"{k}: {v}" for k, v in mail.headers), "", text]
            )
        with self.engine.begin() as c:
            if key and c.execute(select(outbox.c.id).where(outbox.c.key == key)).first():
                return
            c.execute(
                insert(outbox).values(
                    key=key, address=address.value, text=text, sent_at=datetime.now(UTC)
                )
            )

    def latest(self, limit: int = 20) -> list[tuple[str, str, datetime]]:
        """Newest first: (address, text, when)."""
        with self.engine.connect() as c:
            rows = c.execute(select(outbox).order_by(outbox.c.id.desc()).limit(limit)).all()
        return [(r.address, r.text, r.sent_at) for r in rows]


class Smtp:
    """E-mail through an SMTP server: smtp://user:password@host:587?from=noreply@example.org."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("SMTP_URL: smtp://user:password@host:port?from=address")
        query = parse_qs(parts.query)
        self.ssl = parts.scheme == "smtps"
        self.host, self.port = parts.hostname, parts.port or (465 if self.ssl else 587)
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.sender = query.get("from", [f"noreply@{self.host}"])[0]
        self.starttls = not self.ssl and query.get("starttls", ["1"])[0] == "1"

    def send(
        self, address: Address, text: str, key: str | None = None, mail: Mail | None = None
    ) -> None:
        message = EmailMessage()
        message["From"], message["To"] = self.sender, address.value
        message["Subject"] = (
            mail.subject if mail else "民生实事公开台 验证码" if key is None else "民生实事公开台"
        )
        for name, value in mail.headers if mail else ():
            message[name] = value
        if key:  # the same message handed over twice carries the same Message-ID
            message["Message-ID"] = f"<{key}@{self.host}>"
        message.set_content(text)
        try:
            factory = smtplib.SMTP_SSL if self.ssl else smtplib.SMTP
            with factory(self.host, self.port, timeout=10) as server:
                if self.starttls:
                    server.starttls()
                if self.user:
                    server.login(self.user, self.password or "")
                server.send_message(message)
        except (OSError, smtplib.SMTPException) as error:
            raise SendFailed(type(error).__name__) from None


class SmsGateway:
    """SMS through a provider's HTTP gateway: POST {"to", "text", "id"} with a bearer token
    (`id`, when given, names the message: the gateway is expected to send an id once).

    Providers differ; an adapter in front of the real one keeps this interface.
    """

    def __init__(self, url: str, token: str) -> None:
        self.url, self.token = url, token

    def send(
        self, address: Address, text: str, key: str | None = None, mail: Mail | None = None
    ) -> None:
        body = {"to": address.value, "text": text} | ({"id": key} if key else {})
        request = urllib.request.Request(
            self.url,
            data=dumps(body).encode(),
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                if response.status >= 300:
                    raise SendFailed(f"gateway answered {response.status}")
        except OSError as error:
            raise SendFailed(type(error).__name__) from None


class Router:
    """E-mail to one sender, phones to another; a kind without one cannot be verified."""

    def __init__(self, email: Sender | None, phone: Sender | None) -> None:
        self.by_kind = {"email": email, "phone": phone}

    def accepts(self, kind: str) -> bool:
        return self.by_kind.get(kind) is not None

    def send(
        self, address: Address, text: str, key: str | None = None, mail: Mail | None = None
    ) -> None:
        sender = self.by_kind.get(address.kind)
        if sender is None:
            raise SendFailed(f"no sender for {address.kind}")
        sender.send(address, text, key, mail)


@dataclass(frozen=True)
class Verified:
    voter: str  # the keyed hash of the address: who, for de-duplication
    address: Address


class Verifier:
    def __init__(
        self,
        engine: Engine,
        vault: Vault,
        sender: Router,
        clock: Callable[[], datetime],
        lifetime: timedelta = timedelta(minutes=10),
        attempts: int = 5,
    ) -> None:
        self.engine, self.vault, self.sender, self.clock = engine, vault, sender, clock
        self.lifetime, self.attempts = lifetime, attempts
        metadata.create_all(engine, tables=[codes])

    def voter(self, address: Address) -> str:
        return self.vault.contact(f"{address.kind}:{address.value}")

    def request(self, address: Address) -> None:
        """Send a fresh six-digit code; it replaces any code pending for this address."""
        code = f"{secrets.randbelow(10**6):06d}"
        contact = self.voter(address)
        row = {
            "digest": self.vault.digest(code),
            # UTC: SQLite keeps no offset, and a naive value is read back as UTC
            "expires_at": (self.clock() + self.lifetime).astimezone(UTC),
            "attempts": 0,
        }
        with self.engine.connect().execution_options(sqlite_begin="IMMEDIATE") as c, c.begin():
            c.execute(delete(codes).where(codes.c.contact == contact))
            c.execute(insert(codes).values(contact=contact, **row))
        minutes = int(self.lifetime.total_seconds() // 60)
        self.sender.send(
            address, f"您的验证码是 {code}，{minutes} 分钟内有效，仅可使用一次。请勿告诉他人。"
        )

    def confirm(self, address: Address, code: str) -> Verified | None:
        """The address proven (and the code used up), or None: wrong, expired or void."""
        contact = self.voter(address)
        with self.engine.connect().execution_options(sqlite_begin="IMMEDIATE") as c, c.begin():
            row = c.execute(select(codes).where(codes.c.contact == contact)).first()
            if row is None:
                return None
            expires = (
                row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
            )
            if expires <= self.clock() or row.attempts >= self.attempts:
                c.execute(delete(codes).where(codes.c.contact == contact))
                return None
            if not hmac.compare_digest(row.digest, self.vault.digest(code.strip())):
                c.execute(
                    update(codes)
                    .where(codes.c.contact == contact)
                    .values(attempts=codes.c.attempts + 1)
                )
                return None
            c.execute(delete(codes).where(codes.c.contact == contact))  # used once
        return Verified(contact, address)
