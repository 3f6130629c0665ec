"""E-mail alerts for anyone: follow a project, item, key project, unit, category, district,
the cases of a category or the overdue list, and get what changed by e-mail.

A subscription is personal data, kept apart from the event log: the address as the keyed
hash that finds it and sealed with the person's own key (the key their ratings use), so
an erasure that destroys the key leaves nothing readable. Double opt-in: nothing is sent
but the confirmation until its link is followed. Every alert carries a one-click
unsubscribe link (and `List-Unsubscribe` / `List-Unsubscribe-Post` headers, RFC 8058).

Which news a topic has is the site's business (a function given to `due`); this module
keeps the subscriptions, their tokens and positions, and when each is due: at once
("immediate", each round), daily or weekly (Mondays), after 08:00 Wuxi time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    insert,
    select,
    update,
)

from application.vault import Vault
from domain.wuxi import at_wuxi, business_date

FREQUENCIES = ("immediate", "daily", "weekly")
PENDING, ACTIVE, CANCELLED = "pending", "active", "cancelled"
CONFIRM_WITHIN = timedelta(days=7)
WRITE = {"sqlite_begin": "IMMEDIATE"}

metadata = MetaData()
subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("contact", String(64), nullable=False, index=True),  # keyed hash of the address
    Column("key_id", String(36), nullable=False),
    Column("sealed", String(400), nullable=False),  # {"email": ...} sealed with that key
    Column("topic", String(160), nullable=False),
    Column("frequency", String(10), nullable=False),
    Column("language", String(8), nullable=False),
    Column("state", String(10), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("confirmed_at", DateTime(timezone=True)),
    Column("after", Integer, nullable=False, default=0),  # news after this position was sent
    Column("sent_at", DateTime(timezone=True)),
)


@dataclass(frozen=True)
class Subscription:
    id: str
    topic: str
    frequency: str
    language: str
    state: str
    after: int
    email: str | None  # None once erased


class Subscriptions:
    def __init__(self, engine: Engine, vault: Vault, clock: Callable[[], datetime]) -> None:
        self.engine, self.vault, self.clock = engine, vault, clock
        metadata.create_all(engine)

    def _now(self) -> datetime:
        return self.clock().astimezone(UTC)  # SQLite keeps no offset: UTC throughout

    def request(self, email: str, topic: str, frequency: str, language: str) -> tuple[str, str]:
        """A pending subscription and the secret of its links (sent in the confirmation)."""
        if frequency not in FREQUENCIES:
            raise ValueError(f"frequency {frequency!r}")
        subscription_id = str(uuid4())
        key_id = self.vault.key_for(email)
        with self.engine.connect().execution_options(**WRITE) as c, c.begin():
            c.execute(
                insert(subscriptions).values(
                    id=subscription_id,
                    contact=self.vault.contact(email),
                    key_id=key_id,
                    sealed=self.vault.seal(key_id, {"email": email}, subscription_id),
                    topic=topic,
                    frequency=frequency,
                    language=language,
                    state=PENDING,
                    created_at=self._now(),
                    after=0,
                )
            )
        return subscription_id, self.secret(subscription_id)

    def secret(self, subscription_id: str) -> str:
        """What the links of a subscription carry (confirm, unsubscribe): made with the
        pepper, so that every alert can carry it and none need be stored."""
        return self.vault.case_token("alert", subscription_id)

    def _row(self, subscription_id: str, secret: str) -> Any | None:
        if not self.vault.is_case_token("alert", subscription_id, secret):
            return None
        with self.engine.connect() as c:
            return c.execute(
                select(subscriptions).where(subscriptions.c.id == subscription_id)
            ).first()

    def find(self, subscription_id: str, secret: str) -> Subscription | None:
        row = self._row(subscription_id, secret)
        return None if row is None else self._subscription(row)

    def confirm(self, subscription_id: str, secret: str, head: int) -> Subscription | None:
        """Double opt-in: active from now (news after `head`), within a week of the request."""
        row = self._row(subscription_id, secret)
        if row is None or row.state == CANCELLED:
            return None
        if row.state == PENDING:
            created = _aware(row.created_at)
            if self._now() - created > CONFIRM_WITHIN:
                return None
            with self.engine.connect().execution_options(**WRITE) as c, c.begin():
                c.execute(
                    update(subscriptions)
                    .where(subscriptions.c.id == subscription_id, subscriptions.c.state == PENDING)
                    .values(state=ACTIVE, confirmed_at=self._now(), after=head)
                )
        return self.find(subscription_id, secret)

    def cancel(self, subscription_id: str, secret: str) -> Subscription | None:
        """One click: no more alerts (and the address is no longer readable from the row)."""
        row = self._row(subscription_id, secret)
        if row is None:
            return None
        with self.engine.connect().execution_options(**WRITE) as c, c.begin():
            c.execute(
                update(subscriptions)
                .where(subscriptions.c.id == subscription_id)
                .values(state=CANCELLED, sealed="")
            )
        return self.find(subscription_id, secret)

    def due(self) -> list[Subscription]:
        """Active subscriptions whose alert may go now (daily after 08:00 Wuxi once a day,
        weekly on Mondays after 08:00, immediate at any time)."""
        now = self.clock()
        today = business_date(now)
        with self.engine.connect() as c:
            rows = c.execute(select(subscriptions).where(subscriptions.c.state == ACTIVE)).all()
        found = []
        for row in rows:
            sent = business_date(_aware(row.sent_at)) if row.sent_at else None
            if row.frequency != "immediate":
                if now < at_wuxi(today, 8) or sent == today:
                    continue
                if row.frequency == "weekly" and (
                    today.weekday() != 0 or (sent and (today - sent).days < 7)
                ):
                    continue
            found.append(self._subscription(row))
        return found

    def sent(self, subscription_id: str, before: int, after: int) -> bool:
        """Record that the news up to `after` went out; False if another process did first."""
        with self.engine.connect().execution_options(**WRITE) as c, c.begin():
            moved = c.execute(
                update(subscriptions)
                .where(and_(subscriptions.c.id == subscription_id, subscriptions.c.after == before))
                .values(after=after, sent_at=self._now())
            ).rowcount
        return moved == 1

    def forget(self, email: str) -> int:
        """Erasure: every subscription of this address cancelled and unreadable."""
        with self.engine.connect().execution_options(**WRITE) as c, c.begin():
            return c.execute(
                update(subscriptions)
                .where(subscriptions.c.contact == self.vault.contact(email))
                .values(state=CANCELLED, sealed="")
            ).rowcount

    def _subscription(self, row: Any) -> Subscription:
        opened = self.vault.open(row.key_id, row.sealed, row.id) if row.sealed else None
        return Subscription(
            row.id,
            row.topic,
            row.frequency,
            row.language,
            row.state,
            row.after,
            (opened or {}).get("email"),
        )


def _aware(instant: datetime) -> datetime:
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)
