"""The public case board's read model: no name, no phone, no contact, ever.

A case's words are public only with the citizen's consent: then the projection
opens them and the units' replies with the person's key (or shows the public
redaction instead). Consent never covers their name and phone: words that hold
them (or any mobile number) are withheld until the task force redacts them.
When a person is erased, their cases' words and replies are dropped here as
well; replayed after an erasure (a rebuild), a consented case whose key is
gone is erased from its first row, so not even a reply stored in the clear
before version 2 of `Case.Replied` is written again.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Protocol

from eventsourcing.dispatch import singledispatchmethod
from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    Date,
    Index,
    Integer,
    String,
    Text,
    delete,
    insert,
    text,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from domain.actors import is_simulated
from domain.cases import Case, Erasure
from domain.public_text import mentions_contact, mentions_mobile_number
from domain.wuxi import business_date
from projections.database import ReadModel, UtcDateTime
from projections.projection import Batch, HeldRows, Projection, unhandled


class Opener(Protocol):
    def open(self, key_id: str, sealed: str, case_id: str) -> dict[str, Any] | None: ...


class CaseRow(ReadModel):
    __tablename__ = "cases"
    # The board's order (newest first), and the simulated-year banner: looked up, not scanned.
    __table_args__ = (
        Index("ix_cases_board", text("submitted_at DESC"), "number"),
        Index("ix_cases_simulated", "simulated"),
    )

    case_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    channel: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(16))
    district: Mapped[str] = mapped_column(String(16), index=True)
    consent: Mapped[bool] = mapped_column(Boolean)
    state: Mapped[str] = mapped_column(String(16), index=True)
    route: Mapped[str | None] = mapped_column(String(16))
    lead_unit: Mapped[str | None] = mapped_column(String(64), index=True)
    co_units: Mapped[list[str]] = mapped_column(JSON)
    working_days: Mapped[int] = mapped_column(Integer)
    deadline: Mapped[date | None] = mapped_column(Date)
    track: Mapped[str | None] = mapped_column(String(16))
    escalated: Mapped[bool] = mapped_column(Boolean)
    received_on: Mapped[date] = mapped_column(Date)
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    assigned_on: Mapped[date | None] = mapped_column(Date)
    first_reply_on: Mapped[date | None] = mapped_column(Date)
    last_reply_on_time: Mapped[bool | None] = mapped_column(Boolean)
    replies: Mapped[int] = mapped_column(Integer)
    evaluation: Mapped[str | None] = mapped_column(String(16))
    # the citizen's first: 销号 needs a content latest one, so only the first tells units apart
    first_evaluation: Mapped[str | None] = mapped_column(String(16))
    rehandled: Mapped[int] = mapped_column(Integer)
    closed_on: Mapped[date | None] = mapped_column(Date)
    fix_answer: Mapped[str | None] = mapped_column(String(8))  # "is it fixed?" (FIX_ANSWERS)
    merged_into: Mapped[str | None] = mapped_column(String(16))
    declined_reason: Mapped[str | None] = mapped_column(Text)
    projects: Mapped[list[list[Any]]] = mapped_column(JSON)
    public_title: Mapped[str | None] = mapped_column(Text)
    public_text: Mapped[str | None] = mapped_column(Text)
    redacted: Mapped[bool] = mapped_column(Boolean)
    withheld: Mapped[bool] = mapped_column(Boolean)  # consented words naming the citizen
    erased: Mapped[bool] = mapped_column(Boolean)
    simulated: Mapped[bool] = mapped_column(Boolean)


class CaseStep(ReadModel):
    """Every public step of a case, in log order. Public text only when the case is public."""

    __tablename__ = "case_steps"

    event_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(String(36), index=True)
    step: Mapped[str] = mapped_column(String(24))
    text: Mapped[str | None] = mapped_column(Text)
    unit: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CasePhotoRow(ReadModel):
    """Every photo on a case: which are public, and for whom the others are kept. The
    citizen's are public only with their consent (and the case's) once approved; the lead
    unit's are public with the case. An erased citizen's photos leave this table."""

    __tablename__ = "case_photos"

    case_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    event_id: Mapped[int] = mapped_column(Integer)  # where it was added in the log: the order
    source: Mapped[str] = mapped_column(String(8))  # citizen | before | after
    unit: Mapped[str | None] = mapped_column(String(64))
    consent: Mapped[bool] = mapped_column(Boolean)  # the citizen's, to publish once moderated
    moderation: Mapped[str | None] = mapped_column(String(16))  # approved | rejected | None
    public: Mapped[bool] = mapped_column(Boolean, index=True)
    added_at: Mapped[datetime] = mapped_column(UtcDateTime)


_CASE = insert(CaseRow.__table__)
_STEP = insert(CaseStep.__table__)
_PHOTO = CasePhotoRow.__table__


def _day(at: datetime) -> date:
    return business_date(at)


def _names_the_citizen(words: dict[str, Any]) -> bool:
    text = f"{words['title']}\n{words['content']}"
    return mentions_mobile_number(text) or mentions_contact(text, words["name"], words["phone"])


def public_words(opener: Opener, e: Case.Submitted) -> tuple[dict[str, Any] | None, bool, bool]:
    """A case's words as the public may read them (title, content), or None; and whether
    they are gone (erased: the key destroyed, an erasure lies ahead in the log) or
    withheld (consented words naming the citizen, until the task force redacts them)."""
    words = opener.open(e.key_id, e.sealed, str(e.originator_id)) if e.consent else None
    erased = e.consent and words is None
    withheld = words is not None and _names_the_citizen(words)
    return (None if withheld else words), erased, withheld


class HeldCases(Batch):
    """One transaction's case rows and steps, held in memory and written together."""

    projection: Cases

    def __init__(self, projection: Cases, connection: Connection) -> None:
        super().__init__(projection, connection)
        self.cases = HeldRows(connection, CaseRow.__table__)
        self.steps: list[dict[str, Any]] = []

    def apply(self, event: object, position: int) -> None:
        self.projection.on_event(event, self, position)

    def flush(self) -> None:
        self.cases.flush()
        if self.steps:
            self.connection.execute(_STEP, self.steps)
            self.steps = []


class Cases(Projection):
    name = "cases"
    # 2: replies sealed (Case.Replied v2), erased consented cases stay erased, `withheld`
    # 3: indexes for the board's order and the simulated flag; 4: photos (case_photos),
    # withdrawals with their consented reason; 5: fix_answer ("is it fixed?");
    # 6: first_evaluation (满意率 of the first evaluation)
    version = 6
    tables = (CaseRow, CaseStep, CasePhotoRow)
    dispatch = "on_event"

    def __init__(self, opener: Opener) -> None:
        self.opener = opener

    def batch(self, connection: Connection) -> Batch:
        return HeldCases(self, connection)

    @singledispatchmethod
    def on_event(self, event: object, held: HeldCases, position: int) -> None:
        unhandled(self, event)

    @on_event.register
    def _step(self, e: Case.Event, held: HeldCases, position: int) -> None:
        """A step with nothing more to show (受理, or a step yet to come): its state, its row."""
        self._update(held, e, {})
        self._insert_step(held, e, position, None, None, {})

    @on_event.register
    def _submitted(self, e: Case.Submitted, held: HeldCases, position: int) -> None:
        case_id = str(e.originator_id)
        words, erased, withheld = public_words(self.opener, e)
        held.cases.add(
            {
                "case_id": case_id,
                "number": e.number,
                "year": e.year,
                "channel": e.channel,
                "category": e.category,
                "district": e.district,
                "consent": e.consent,
                "state": e.state_after(),
                "route": None,
                "lead_unit": None,
                "co_units": [],
                "working_days": 0,
                "deadline": None,
                "track": None,
                "escalated": False,
                "received_on": date.fromisoformat(e.received_on),
                "submitted_at": e.timestamp,
                "assigned_on": None,
                "first_reply_on": None,
                "last_reply_on_time": None,
                "replies": 0,
                "evaluation": None,
                "first_evaluation": None,
                "rehandled": 0,
                "closed_on": None,
                "fix_answer": None,
                "merged_into": None,
                "declined_reason": None,
                "projects": [],
                "public_title": words["title"] if words else None,
                "public_text": words["content"] if words else None,
                "redacted": False,
                "withheld": withheld,
                "erased": erased,
                "simulated": is_simulated(e.actor),
            },
        )
        self._insert_step(held, e, position, None, None, {})

    @on_event.register
    def _declined(self, e: Case.Declined, held: HeldCases, position: int) -> None:
        self._update(held, e, {"declined_reason": e.reason})
        self._insert_step(held, e, position, e.reason, None, {})

    @on_event.register
    def _assigned(self, e: Case.Assigned, held: HeldCases, position: int) -> None:
        self._update(
            held,
            e,
            {
                "route": e.route,
                "lead_unit": e.lead_unit,
                "co_units": list(e.co_units),
                "working_days": e.working_days,
                "deadline": date.fromisoformat(e.deadline),
                "assigned_on": _day(e.timestamp),
            },
        )
        detail = {"route": e.route, "deadline": e.deadline, "co_units": e.co_units}
        self._insert_step(held, e, position, None, e.lead_unit, detail)

    @on_event.register
    def _key_supervised(self, e: Case.KeySupervised, held: HeldCases, position: int) -> None:
        self._update(held, e, {"track": e.track})
        self._insert_step(held, e, position, None, None, {})

    @on_event.register
    def _replied(self, e: Case.Replied, held: HeldCases, position: int) -> None:
        row = self._row(held, e)
        on_time = row["deadline"] is None or _day(e.timestamp) <= row["deadline"]
        changes = {"replies": row["replies"] + 1, "last_reply_on_time": on_time}
        if row["first_reply_on"] is None:
            changes["first_reply_on"] = _day(e.timestamp)
        self._update(held, e, changes)
        text = self._reply_text(e) if row["consent"] and not row["erased"] else None
        self._insert_step(held, e, position, text, e.unit, {"on_time": on_time})

    def _reply_text(self, e: Case.Replied) -> str | None:
        if not e.sealed_text:
            return e.legacy_text or None  # stored in the clear before version 2
        opened = self.opener.open(e.key_id, e.sealed_text, str(e.originator_id))
        return str(opened["text"]) if opened else None

    @on_event.register
    def _evaluated(self, e: Case.Evaluated, held: HeldCases, position: int) -> None:
        row = self._row(held, e)
        changes: dict[str, Any] = {"evaluation": e.level}
        if row["first_evaluation"] is None:
            changes["first_evaluation"] = e.level
        if e.level == "unsatisfied":
            changes["rehandled"] = row["rehandled"] + 1
            if e.new_deadline:  # as the aggregate: sent back with a new time limit
                changes["deadline"] = date.fromisoformat(e.new_deadline)
        self._update(held, e, changes)
        self._insert_step(
            held, e, position, None, None, {"level": e.level, "deadline": e.new_deadline}
        )

    @on_event.register
    def _noted(self, e: Case.SupervisionNoted, held: HeldCases, position: int) -> None:
        if e.new_deadline:
            changes = {"deadline": date.fromisoformat(e.new_deadline), "escalated": True}
            self._update(held, e, changes)
        self._insert_step(held, e, position, e.text, None, {"deadline": e.new_deadline})

    @on_event.register
    def _merged(self, e: Case.Merged, held: HeldCases, position: int) -> None:
        self._update(held, e, {"merged_into": e.into_number})
        self._insert_step(held, e, position, None, None, {})

    @on_event.register
    def _closed(self, e: Case.Closed, held: HeldCases, position: int) -> None:
        self._update(held, e, {"closed_on": _day(e.timestamp), "fix_answer": None})
        self._insert_step(held, e, position, None, None, {})

    @on_event.register
    def _fix_checked(self, e: Case.FixChecked, held: HeldCases, position: int) -> None:
        changes: dict[str, Any] = {"fix_answer": e.answer}
        if e.answer == "no":  # reopened: accepted again, no longer closed
            changes["closed_on"] = None
        self._update(held, e, changes)
        self._insert_step(held, e, position, None, None, {"answer": e.answer})

    @on_event.register
    def _linked(self, e: Case.LinkedToProject, held: HeldCases, position: int) -> None:
        row = self._row(held, e)
        self._update(held, e, {"projects": [*row["projects"], [e.project_year, e.project]]})
        self._insert_step(
            held, e, position, e.note, None, {"year": e.project_year, "project": e.project}
        )

    @on_event.register
    def _redacted(self, e: Case.ContentRedacted, held: HeldCases, position: int) -> None:
        self._update(
            held,
            e,
            {
                "public_title": e.public_title,
                "public_text": e.public_text,
                "redacted": True,
                "withheld": False,
            },
        )
        self._insert_step(held, e, position, e.reason, None, {})

    @on_event.register
    def _erased(self, e: Erasure.Recorded, held: HeldCases, position: int) -> None:
        """Drop every copy of the person's words; keep redactions (they hold none by design)."""
        held.flush()  # the steps written so far are among the copies (erasures are rare)
        c = held.connection
        for case_id in e.cases:
            row = held.cases.get(case_id)
            if row is None:
                continue
            changes: dict[str, Any] = {"erased": True}
            if not row["redacted"]:
                changes.update(public_title=None, public_text=None)
            held.cases.change(case_id, changes)
            c.execute(
                update(CaseStep)
                .where(
                    CaseStep.case_id == case_id,
                    CaseStep.step.in_((Case.Replied.step, Case.Withdrawn.step)),
                )
                .values(text=None)
            )
            # their photos' files are destroyed with their key: no row names them any more
            c.execute(
                delete(_PHOTO).where(_PHOTO.c.case_id == case_id, _PHOTO.c.source == "citizen")
            )

    # The citizen's additions, withdrawal and photos ---------------------------------------

    @on_event.register
    def _withdrawn(self, e: Case.Withdrawn, held: HeldCases, position: int) -> None:
        """已撤回 for all; the reason's words only with consent, and not when they name the
        citizen or give a mobile number (withheld, as the case's words would be: the ledger
        judged that when it sealed them, with the citizen's data at hand)."""
        row = self._row(held, e)
        self._update(held, e, {})
        reason, withheld = None, False
        if row["consent"] and not row["erased"] and e.sealed_reason:
            opened = self.opener.open(e.key_id, e.sealed_reason, str(e.originator_id))
            if opened is not None and opened.get("publishable"):
                reason = str(opened["reason"])
            withheld = opened is not None and reason is None
        self._insert_step(held, e, position, reason, None, {"withheld": withheld})

    @on_event.register
    def _photos_added(self, e: Case.PhotosAttached, held: HeldCases, position: int) -> None:
        row = self._row(held, e)
        by_unit = e.source != "citizen"
        held.connection.execute(
            insert(_PHOTO),
            [
                {
                    "case_id": str(e.originator_id),
                    "sha256": sha,
                    "event_id": position,
                    "source": e.source,
                    "unit": e.unit or None,
                    "consent": e.consent,
                    "moderation": None,
                    "public": by_unit and row["consent"],
                    "added_at": e.timestamp,
                }
                for sha in e.photos
            ],
        )
        detail = {"photos": len(e.photos), "source": e.source}
        self._insert_step(held, e, position, None, e.unit or None, detail)

    @on_event.register
    def _photo_approved(self, e: Case.PhotoApproved, held: HeldCases, position: int) -> None:
        row = self._row(held, e)
        self._moderate(held, e, "approved", bool(row["consent"]) and not row["erased"])
        self._insert_step(held, e, position, None, None, {})

    @on_event.register
    def _photo_rejected(self, e: Case.PhotoRejected, held: HeldCases, position: int) -> None:
        self._moderate(held, e, "rejected", False)
        self._insert_step(held, e, position, None, None, {"reason": e.reason})

    @staticmethod
    def _moderate(
        held: HeldCases, e: Case.PhotoApproved | Case.PhotoRejected, decision: str, public: bool
    ) -> None:
        held.connection.execute(
            update(_PHOTO)
            .where(_PHOTO.c.case_id == str(e.originator_id), _PHOTO.c.sha256 == e.photo)
            .values(moderation=decision, public=public and _PHOTO.c.consent)
        )

    def _row(self, held: HeldCases, e: Case.Event) -> dict[str, Any]:
        row = held.cases.get(str(e.originator_id))
        if row is None:
            raise LookupError(f"no case {e.originator_id}")
        return row

    def _update(self, held: HeldCases, e: Case.Event, changes: dict[str, Any]) -> None:
        """The event's changes, and the state it leads to (the domain's state machine)."""
        state = e.state_after()
        if state is not None:
            changes = {**changes, "state": state}
        held.cases.change(str(e.originator_id), changes)

    @staticmethod
    def _insert_step(
        held: HeldCases,
        e: Case.Event,
        position: int,
        text: str | None,
        unit: str | None,
        detail: dict[str, Any],
    ) -> None:
        held.steps.append(
            {
                "event_id": position,
                "case_id": str(e.originator_id),
                "step": e.step,
                "text": text,
                "unit": unit,
                "detail": detail,
                "recorded_at": e.timestamp,
            }
        )
