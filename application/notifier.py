"""Messages to citizens about their cases, as a process of the event log.

The notifier reads the log as a projection does, but it is not a read model:
what it writes is a record of messages promised and sent, which a rebuild of
the read models never touches, so a rebuild never sends anything again.

Two steps, each safe to run in any number of processes at once:

- `enqueue` reads the case events past its own position and records, in the
  same transaction as its new position, one message per event, recipient and
  kind (a unique key says so too): exactly once, also after a kill mid-batch.
  A message may be due later (a reminder to evaluate, "is it fixed?" N days
  after 销号; text messages wait out the quiet hours, 21:00 to 08:00 Wuxi time).
- `deliver` claims due messages one by one (a claim expires, so a process
  killed mid-send leaves its message to another), renders the text in the
  citizen's language and hands it to the sender with the message's own key,
  which a sender passes on so that a message handed over twice arrives once.
  A failed hand-over is retried with backoff, then recorded as failed.

Nothing here holds a phone number: a message names its recipient by the keyed
hash of the number, and the number is opened from the case's sealed data with
the citizen's own key only to send. An erased citizen's messages are dropped
and their records keep no recipient. Simulated cases and facts older than the
`stale` window (a first start on an old log) never cause a message.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import ApplicationRecorder, Mapper, Notification
from eventsourcing.utils import get_topic
from sqlalchemy import (
    JSON,
    Column,
    Connection,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    and_,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from application.vault import Vault
from application.verification import Address, Router, SendFailed
from domain.actors import is_simulated
from domain.cases import CLOSED, REPLIED, Case, Erasure
from domain.contacts import normalise_mobile
from domain.wuxi import after_quiet_hours

log = logging.getLogger(__name__)
WRITE = {"sqlite_begin": "IMMEDIATE"}

metadata = MetaData()
positions = Table(
    "notifier_position",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("position", Integer, nullable=False),
)
messages = Table(
    "notifier_messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # the event that caused it (None: asked for by the citizen, e.g. their code again)
    Column("notification_id", Integer),
    Column("case_id", String(36), nullable=False, index=True),
    Column("recipient", String(64), nullable=False),  # keyed hash of the phone ("" once erased)
    Column("channel", String(8), nullable=False),  # sms | email
    Column("kind", String(24), nullable=False),
    Column("params", JSON, nullable=False),  # public facts only: number, unit, deadline
    Column("due_at", DateTime(timezone=True), nullable=False),
    # queued | sending | sent | failed | dropped
    Column("state", String(8), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("claimed_until", DateTime(timezone=True)),
    Column("sent_at", DateTime(timezone=True)),
    Column("outcome", String(120), nullable=False, default=""),  # why failed or dropped
    UniqueConstraint("notification_id", "recipient", "kind", name="uq_notifier_once"),
)
stops = Table(  # the citizen asked for no more messages about this case
    "notifier_stops",
    metadata,
    Column("case_id", String(36), primary_key=True),
    Column("stopped_at", DateTime(timezone=True), nullable=False),
)
ix_due = "ix_notifier_messages_due"

QUEUED, SENDING, SENT, FAILED, DROPPED = "queued", "sending", "sent", "failed", "dropped"
NAME = "case_messages"


@dataclass(frozen=True)
class Notice:
    """One message a case event causes: its kind, public parameters, and how long after."""

    kind: str
    params: dict[str, Any] = field(default_factory=dict)
    after: timedelta = timedelta(0)


@dataclass(frozen=True)
class Rules:
    """When messages go: configuration (README: NOTIFY_* settings)."""

    follow_up_after: timedelta = timedelta(days=28)  # "is it fixed?" after 销号
    remind_after: timedelta = timedelta(days=3)  # evaluate a reply not yet evaluated
    stale: timedelta = timedelta(days=2)  # older than this, a fact causes no message
    quiet: tuple[int, int] = (21, 8)  # Wuxi hours: no text messages from, until
    claim: timedelta = timedelta(minutes=2)  # a claimed message is another's after this
    attempts: int = 6  # hand-overs before a message is recorded as failed
    batch: int = 200


def notices(event: object, case: Case, rules: Rules) -> list[Notice]:
    """What a case event tells its citizen."""
    match event:
        case Case.Submitted():
            return [Notice("receipt")]
        case Case.Accepted():
            return [Notice("acceptance")]
        case Case.Declined(reason=reason):
            return [Notice("refusal", {"reason": reason[:60]})]
        case Case.Assigned(lead_unit=unit, deadline=deadline):
            return [Notice("assignment", {"unit": unit, "deadline": deadline})]
        case Case.Replied(unit=unit):
            version = getattr(event, "originator_version", 0)
            return [
                Notice("reply", {"unit": unit}),
                Notice("reminder", {"version": version}, rules.remind_after),
            ]
        case Case.Evaluated(new_deadline=str() as deadline):
            return [Notice("sent_back", {"unit": case.lead_unit or "", "deadline": deadline})]
        case Case.KeySupervised() | Case.SupervisionNoted():
            return [Notice("supervision")]
        case Case.Withdrawn():  # the citizen's own act: a receipt of it
            return [Notice("withdrawal")]
        case Case.FixChecked(answer="no"):
            return [Notice("reopening")]
        case Case.Merged(into_number=into):
            return [Notice("merger", {"into": into})]
        case Case.Closed():
            days = rules.follow_up_after.days
            return [Notice("closure"), Notice("follow_up", {"days": days}, rules.follow_up_after)]
    return []


def still_wanted(kind: str, params: dict[str, Any], case: Case) -> bool:
    """A later message that events since it was promised made pointless is dropped."""
    if kind == "reminder":  # evaluated (or anything else happened) since the reply
        return case.state == REPLIED and case.version == params.get("version", 0)
    if kind == "follow_up":
        return case.state == CLOSED
    return True


Render = Callable[[str, dict[str, Any], str], str]  # (kind, params, language) -> text


class Cases(Protocol):
    """What the notifier needs of the ledger: cases, their keys, the log and the clock."""

    vault: Vault
    recorder: ApplicationRecorder
    mapper: Mapper[UUID]
    clock: Callable[[], datetime]

    def case_of(self, case_id: UUID) -> Case: ...


@dataclass(frozen=True)
class Sent:
    enqueued: int = 0
    delivered: int = 0
    failed: int = 0
    dropped: int = 0


class Notifier:
    def __init__(
        self,
        engine: Engine,
        ledger: Cases,
        sender: Router,
        render: Render,
        rules: Rules | None = None,
    ) -> None:
        self.engine, self.ledger, self.sender, self.render = engine, ledger, sender, render
        self.rules = rules or Rules()
        self.topics = sorted({get_topic(c) for c in _case_events()} | {get_topic(Erasure.Recorded)})
        self._lock = threading.Lock()  # one round at a time per process

    def setup(self) -> None:
        """Create the tables; a first start begins at the head of the log (see `stale`)."""
        with self.engine.connect().execution_options(**WRITE) as c, c.begin():
            metadata.create_all(c)
            c.execute(
                text(f"CREATE INDEX IF NOT EXISTS {ix_due} ON notifier_messages (state, due_at)")
            )
            if c.execute(select(positions.c.position).where(positions.c.name == NAME)).first():
                return
            head = self.ledger.recorder.max_notification_id() or 0
            c.execute(insert(positions).values(name=NAME, position=head))

    # Enqueue ----------------------------------------------------------------

    def position(self) -> int:
        with self.engine.connect() as c:
            found = c.execute(select(positions.c.position).where(positions.c.name == NAME))
            return int(found.scalar_one())

    def enqueue(self) -> int:
        """Record the messages of one batch of events past the position; how many events."""
        start = self.position()
        head = self.ledger.recorder.max_notification_id() or 0
        if start >= head:
            return 0
        batch = self.ledger.recorder.select_notifications(
            start, self.rules.batch, stop=head, topics=self.topics, inclusive_of_start=False
        )
        end = batch[-1].id if len(batch) == self.rules.batch else head
        # Everything read before the write lock is taken (as the projector does).
        rows, erased = self._rows(batch)
        with self.engine.connect().execution_options(**WRITE) as c, c.begin():
            locked = c.execute(
                select(positions.c.position).where(positions.c.name == NAME).with_for_update()
            ).scalar_one()
            if locked != start:
                return 0  # another process took this batch meanwhile
            if rows:
                c.execute(_insert_once(c), rows)
            for cases in erased:
                _forget(c, cases)
            c.execute(update(positions).where(positions.c.name == NAME).values(position=end))
        return len(batch)

    def _rows(self, batch: Sequence[Notification]) -> tuple[list[dict[str, Any]], list[list[str]]]:
        now = self._now()
        rows: list[dict[str, Any]] = []
        erased: list[list[str]] = []
        whom: dict[UUID, tuple[Case, str, bool] | None] = {}
        for notification in batch:
            event: Any = self.ledger.mapper.to_domain_event(notification)
            if isinstance(event, Erasure.Recorded):
                erased.append(list(event.cases))
                continue
            case_id = event.originator_id
            if case_id not in whom:
                whom[case_id] = self._recipient(case_id)
            found = whom[case_id]
            if found is None:
                continue
            case, recipient, simulated = found
            if simulated:
                continue
            for notice in notices(event, case, self.rules):
                due = event.timestamp + notice.after
                if due < now - self.rules.stale:
                    continue  # a fact of the past (a first start, a restored store): no news
                rows.append(
                    {
                        "notification_id": notification.id,
                        "case_id": str(case_id),
                        "recipient": recipient,
                        "channel": "sms",
                        "kind": notice.kind,
                        "params": {"number": case.number, **notice.params},
                        "due_at": self._quiet(max(due, now)).astimezone(UTC),
                        "state": QUEUED,
                        "attempts": 0,
                        "outcome": "",
                    }
                )
        return rows, erased

    def _recipient(self, case_id: UUID) -> tuple[Case, str, bool] | None:
        """The case, its citizen's keyed hash, and whether it is simulated; None once erased."""
        try:
            case = self.ledger.case_of(case_id)
        except AggregateNotFoundError:
            return None
        personal = self.ledger.vault.open(case.key_id, case.sealed, str(case.id))
        if not personal or not personal.get("phone"):
            return None
        simulated = is_simulated(case.submitted_by)
        return case, self.ledger.vault.contact(personal["phone"]), simulated

    def _now(self) -> datetime:
        # UTC: SQLite keeps no offset, so every instant bound or compared there is UTC
        return self.ledger.clock().astimezone(UTC)

    def _quiet(self, instant: datetime) -> datetime:
        return after_quiet_hours(instant, *self.rules.quiet)

    # Deliver ----------------------------------------------------------------

    def deliver(self, limit: int = 100) -> Sent:
        """Send what is due (up to `limit`), one claimed message at a time."""
        counts = {SENT: 0, FAILED: 0, DROPPED: 0}
        for message_id in self._due(limit):
            outcome = self._deliver_one(message_id)
            if outcome in counts:
                counts[outcome] += 1
        return Sent(0, counts[SENT], counts[FAILED], counts[DROPPED])

    def _due(self, limit: int) -> list[int]:
        now = self._now()
        with self.engine.connect() as c:
            found = c.execute(
                select(messages.c.id)
                .where(
                    or_(
                        and_(messages.c.state == QUEUED, messages.c.due_at <= now),
                        and_(messages.c.state == SENDING, messages.c.claimed_until <= now),
                    )
                )
                .order_by(messages.c.due_at, messages.c.id)
                .limit(limit)
            )
            return list(found.scalars())

    def _claim(self, message_id: int) -> Any:
        """The message's row, now ours until the claim expires; None if another has it."""
        now = self._now()
        with self.engine.connect().execution_options(**WRITE) as c, c.begin():
            claimed = c.execute(
                update(messages)
                .where(
                    messages.c.id == message_id,
                    or_(
                        and_(messages.c.state == QUEUED, messages.c.due_at <= now),
                        and_(messages.c.state == SENDING, messages.c.claimed_until <= now),
                    ),
                )
                .values(
                    state=SENDING,
                    claimed_until=now + self.rules.claim,
                    attempts=messages.c.attempts + 1,
                )
            ).rowcount
            if claimed != 1:
                return None
            return c.execute(select(messages).where(messages.c.id == message_id)).one()

    def _deliver_one(self, message_id: int, at_once: bool = False) -> str | None:
        row = self._claim(message_id)
        if row is None:
            return None
        now = self._now()
        opened = self._open(row.case_id)  # the case once: its state, its citizen's contact
        why = self._drop_reason(row, now, opened)
        if why:
            self._finish(row.id, DROPPED, why)
            return DROPPED
        later = self._quiet(now)
        if row.channel == "sms" and later > now and not at_once:  # e.g. a retry at night
            self._finish(
                row.id, QUEUED, "", due_at=later.astimezone(UTC), attempts=row.attempts - 1
            )
            return None
        if not self.sender.accepts("phone"):
            self._finish(row.id, DROPPED, "no sender for text messages")
            return DROPPED
        if opened is None:
            self._finish(row.id, DROPPED, "erased", recipient="")
            return DROPPED
        case, personal = opened
        if normalise_mobile(personal["phone"]) is None:  # a landline takes no text messages
            self._finish(row.id, DROPPED, "no mobile number")
            return DROPPED
        vault = self.ledger.vault
        params = dict(row.params)
        params["stop_token"] = vault.case_token("stop", str(case.id))
        if row.kind == "follow_up":
            params["fixed_token"] = vault.case_token("fixed", str(case.id))
        if row.kind in ("receipt", "code"):  # the query code, so that it is never lost
            params["code"] = vault.ticket_code(str(case.id))
        text = self.render(row.kind, params, personal.get("lang") or "zh_Hans")
        try:
            self.sender.send(Address("phone", personal["phone"]), text, key=f"m{row.id}")
        except SendFailed as error:
            if row.attempts >= self.rules.attempts:
                self._finish(row.id, FAILED, str(error)[:120])
                return FAILED
            backoff = timedelta(minutes=2 ** (row.attempts - 1))
            self._finish(row.id, QUEUED, str(error)[:120], due_at=now + backoff)
            return None
        self._finish(row.id, SENT, "", sent_at=now)
        return SENT

    def _drop_reason(
        self, row: Any, now: datetime, opened: tuple[Case, dict[str, Any]] | None
    ) -> str:
        if self.stopped(row.case_id):
            return "stopped"
        if opened is not None and not still_wanted(row.kind, row.params, opened[0]):
            return "obsolete"
        due = row.due_at if row.due_at.tzinfo else row.due_at.replace(tzinfo=UTC)
        if due < now - self.rules.stale - timedelta(hours=12):  # a long outage: old news
            return "stale"
        return ""

    def _open(self, case_id: str) -> tuple[Case, dict[str, Any]] | None:
        try:
            case = self.ledger.case_of(UUID(case_id))
        except AggregateNotFoundError:
            return None
        personal = self.ledger.vault.open(case.key_id, case.sealed, str(case.id))
        return (case, personal) if personal and personal.get("phone") else None

    def _finish(self, message_id: int, state: str, outcome: str, **values: Any) -> None:
        with self.engine.connect().execution_options(**WRITE) as c, c.begin():
            c.execute(
                update(messages)
                .where(messages.c.id == message_id, messages.c.state == SENDING)
                .values(state=state, outcome=outcome, claimed_until=None, **values)
            )

    # The citizen's choices --------------------------------------------------

    def send_now(self, case_id: str, kind: str, params: dict[str, Any]) -> str | None:
        """A message the citizen asked for (their query code again): recorded like the others
        and sent at once, in the quiet hours too. Its outcome (SENT, FAILED, ...) or None."""
        opened = self._open(case_id)
        if opened is None:
            return None
        case, personal = opened
        with self.engine.connect().execution_options(**WRITE) as c, c.begin():
            inserted = c.execute(
                insert(messages).values(
                    notification_id=None,
                    case_id=case_id,
                    recipient=self.ledger.vault.contact(personal["phone"]),
                    channel="sms",
                    kind=kind,
                    params={"number": case.number, **params},
                    due_at=self._now(),
                    state=QUEUED,
                    attempts=0,
                    outcome="",
                )
            ).inserted_primary_key
        assert inserted is not None
        return self._deliver_one(int(inserted[0]), at_once=True)

    def stop(self, case_id: str) -> None:
        """No more messages about this case (the stop link in every message)."""
        if self.stopped(case_id):
            return
        with self.engine.connect().execution_options(**WRITE) as c, c.begin():
            c.execute(_insert_ignoring(c, stops).values(case_id=case_id, stopped_at=self._now()))

    def stopped(self, case_id: str) -> bool:
        with self.engine.connect() as c:
            return (
                c.execute(select(stops.c.case_id).where(stops.c.case_id == case_id)).first()
                is not None
            )

    # Running ----------------------------------------------------------------

    def round(self) -> Sent:
        """Enqueue everything new, then deliver what is due."""
        with self._lock:
            enqueued = 0
            while moved := self.enqueue():
                enqueued += moved
            sent = self.deliver()
        return Sent(enqueued, sent.delivered, sent.failed, sent.dropped)

    def run(self, stop: threading.Event, interval: float = 1.0) -> None:
        while not stop.is_set():
            try:
                done = self.round()
            except Exception:
                log.exception("notifier round failed; retrying")
                done = Sent()
            if not (done.enqueued or done.delivered):
                stop.wait(interval)

    def counts(self) -> dict[str, int]:
        """Messages by state (for status pages and tests)."""
        with self.engine.connect() as c:
            rows = c.execute(select(messages.c.state, func.count()).group_by(messages.c.state))
            return {state: n for state, n in rows.tuples()}

    def records(self, case_id: str | None = None) -> list[Any]:
        with self.engine.connect() as c:
            query = select(messages).order_by(messages.c.id)
            if case_id is not None:
                query = query.where(messages.c.case_id == case_id)
            return list(c.execute(query).all())


def _case_events() -> Iterable[type]:
    return [
        Case.Submitted,
        Case.Accepted,
        Case.Declined,
        Case.Assigned,
        Case.Replied,
        Case.Evaluated,
        Case.KeySupervised,
        Case.SupervisionNoted,
        Case.Merged,
        Case.Closed,
        Case.FixChecked,
        Case.Withdrawn,
    ]


def _insert_once(c: Connection) -> Any:
    """INSERT that leaves a message already recorded as it is (the unique key)."""
    return _insert_ignoring(c, messages, ["notification_id", "recipient", "kind"])


def _insert_ignoring(c: Connection, table: Table, keys: list[str] | None = None) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING, on either store."""
    dialect = postgresql if c.dialect.name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing(index_elements=keys)


def _forget(c: Connection, cases: list[str]) -> None:
    """An erasure: nothing more is sent to that person, and no record names them."""
    if not cases:
        return
    c.execute(
        update(messages)
        .where(messages.c.case_id.in_(cases), messages.c.state.in_((QUEUED, SENDING)))
        .values(state=DROPPED, outcome="erased", claimed_until=None)
    )
    c.execute(update(messages).where(messages.c.case_id.in_(cases)).values(recipient=""))
    c.execute(stops.delete().where(stops.c.case_id.in_(cases)))
