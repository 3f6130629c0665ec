"""Citizens' cases ("微幸福" works, "市长在线·民声留言板" messages): 受理→办理→反馈→监督→销号.

What a citizen wrote and who they are travel sealed (encrypted by the
application with the person's own key, `key_id`): the domain never sees them
in the clear and the log can be kept after the key is destroyed. So do the
units' replies (they may quote the citizen) and the citizen's evaluation
reason. Staff text that is published (decline reasons, 督办 notes, link notes,
redactions) is in the clear for good, so it may hold no mobile number.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from types import MappingProxyType
from typing import Any, ClassVar, Protocol
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.districts import DISTRICTS as DISTRICTS  # the one list; named here since version 1
from domain.errors import DomainError
from domain.plan import NAMESPACE
from domain.public_text import mentions_mobile_number
from domain.satisfaction import CONTENT, LEVELS
from domain.wuxi import business_date

CATEGORIES = (
    "城市管理",
    "交通出行",
    "住房物业",
    "环境保护",
    "教育",
    "医疗卫生",
    "养老服务",
    "社会保障",
    "市场监管",
    "文体旅游",
    "其他",
)
CHANNELS = ("online", "hotline", "api", "csv")
# 三个一批
ROUTES = {
    "hotline": "12345热线交办职能部门转移一批",
    "local": "市(县)区联动属地处理一批",
    "task_force": "专班协调部门攻坚克难解决一批",
}
TRACKS = {"weixingfu": "“微幸福”民生工程", "shizhang": "“市长在线·民声留言板”"}
FIX_ANSWERS = ("yes", "no", "unsure")  # "is it fixed?": 是 / 否 / 不确定
MAX_CITIZEN_PHOTOS = 3  # per case
MAX_UNIT_PHOTOS = 3  # per reply
# Who put photos on a case: the citizen, or the lead unit before or after its work.
PHOTO_SOURCES = ("citizen", "before", "after")
# Why a citizen's photo is not published (a face, a number plate...): the public sees none.
PHOTO_REJECTIONS = ("faces", "plates", "personal", "off_topic", "unclear")
_NO_PHOTOS: tuple[str, ...] = ()
_NOT_MODERATED: Mapping[str, str] = MappingProxyType({})
FIRST_DAY = date(2000, 1, 1)  # no case of this site was received earlier (year 1 is a typo)

SUBMITTED, ACCEPTED, HANDLING, REPLIED, REHANDLING = (
    "submitted",
    "accepted",
    "handling",
    "replied",
    "rehandling",
)
CLOSED, DECLINED, MERGED = "closed", "declined", "merged"
WITHDRAWN = "withdrawn"  # by the citizen, before it was accepted
OPEN_STATES = (SUBMITTED, ACCEPTED, HANDLING, REPLIED, REHANDLING)
BEING_HANDLED = (HANDLING, REHANDLING)  # a unit is at work: the time limit runs
FINISHED_STATES = (CLOSED, DECLINED, MERGED, WITHDRAWN)
STATES = (*OPEN_STATES, *FINISHED_STATES)


class CaseError(DomainError):
    """A step the case's state does not allow, or a value the rules refuse."""

    def __init__(self, code: str, message: str, **params: object) -> None:
        self.code, self.params = code, params
        super().__init__(message)


def _require(condition: bool, code: str, message: str, **params: object) -> None:
    if not condition:
        raise CaseError(code, message, **params)


def require_no_mobile_number(*texts: str) -> None:
    """Published text stays public for good: it may hold no one's mobile number."""
    _require(
        not any(mentions_mobile_number(t) for t in texts),
        "mobile",
        "published text may hold no mobile number",
    )


# 超期未办结: only a case a unit is (re)handling runs against its time limit.
BEING_HANDLED = (HANDLING, REHANDLING)


class TimeLimited(Protocol):
    """A case as far as the time limit goes: a `Case`, or its row on the board."""

    @property
    def state(self) -> str: ...

    @property
    def deadline(self) -> date | None: ...


def is_overdue(case: TimeLimited, today: date) -> bool:
    """Being (re)handled past its time limit: the deadline day itself is still in time.

    `today` is a Wuxi business date (`domain.wuxi.business_date`).
    """
    return case.state in BEING_HANDLED and case.deadline is not None and case.deadline < today


class Case(Aggregate):
    class Event(Aggregate.Event):
        """Every event of a case. The case's state machine is written here, once: `leads_to`
        is the state a case is in after the event (None: unchanged). The aggregate, the case
        board's read model and the public log's stage all read it (`state_after`).

        `step` names the event in the case's public record and in the public log (its kind
        is `case.<step>`). Neither is stored with the event: class attributes, not fields.
        """

        step: ClassVar[str]
        leads_to: ClassVar[str | None] = None

        def state_after(self) -> str | None:
            return self.leads_to

        def apply(self, case: Case) -> None:
            state = self.state_after()
            if state is not None:
                case.state = state

    class Submitted(Event, Aggregate.Created):
        step, leads_to = "submitted", SUBMITTED
        year: int
        number: str
        channel: str
        external_id: str | None
        category: str
        district: str
        consent: bool
        received_on: str
        key_id: str
        sealed: str
        actor: str

    class Accepted(Event):
        step, leads_to = "accepted", ACCEPTED
        actor: str

    class Declined(Event):
        step, leads_to = "declined", DECLINED
        reason: str  # published
        actor: str

    class Assigned(Event):
        step, leads_to = "assigned", HANDLING
        route: str
        lead_unit: str
        co_units: list[str]
        working_days: int
        deadline: str
        actor: str

        def apply(self, case: Case) -> None:
            super().apply(case)
            case.lead_unit = self.lead_unit
            case.co_units = tuple(self.co_units)
            case.working_days = self.working_days
            case.deadline = date.fromisoformat(self.deadline)

    class KeySupervised(Event):
        step = "key_supervised"
        track: str
        actor: str

        def apply(self, case: Case) -> None:
            case.track = self.track

    class Replied(Event):
        """Version 2: the reply is sealed with the citizen's key (it may quote them).

        Version 1 held the reply in the clear as `text`; such replies are kept as
        `legacy_text` (there is no key in an upcast) and stay in the log as stored.
        """

        class_version = 2
        step, leads_to = "replied", REPLIED
        key_id: str  # the citizen's key, which sealed the reply ("" in version 1)
        sealed_text: str  # {"text": ...} sealed with that key, bound to the case
        legacy_text: str  # a version 1 reply, in the clear ("" since version 2)
        unit: str
        actor: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["legacy_text"] = state.pop("text")
            state["key_id"] = ""
            state["sealed_text"] = ""

        def apply(self, case: Case) -> None:
            super().apply(case)
            case.replies += 1

    class Evaluated(Event):
        step = "evaluated"
        level: str
        sealed_reason: str  # the citizen's words, sealed with their key
        new_deadline: str | None  # 不满意: sent back for rehandling, with a new time limit
        actor: str

        def state_after(self) -> str | None:
            return REHANDLING if self.level == "unsatisfied" else None  # sent back

        def apply(self, case: Case) -> None:
            super().apply(case)
            case.evaluation = self.level
            if self.level == "unsatisfied":
                case.rehandled += 1
                case.deadline = (
                    date.fromisoformat(self.new_deadline) if self.new_deadline else case.deadline
                )

    class SupervisionNoted(Event):
        step = "supervised"
        text: str
        new_deadline: str | None  # 限时督办: a shorter time limit
        actor: str

        def apply(self, case: Case) -> None:
            if self.new_deadline:
                case.deadline = date.fromisoformat(self.new_deadline)
                case.escalated = True

    class Merged(Event):
        step, leads_to = "merged", MERGED
        into: str  # the case id it is merged into
        into_number: str
        actor: str

    class Closed(Event):
        step, leads_to = "closed", CLOSED
        actor: str

        def apply(self, case: Case) -> None:
            super().apply(case)
            case.fix_answer = None  # this closure's "is it fixed?" is still to be answered

    class LinkedToProject(Event):
        step = "linked"
        project_year: int
        project: str
        note: str
        actor: str

        def apply(self, case: Case) -> None:
            case.projects += ((self.project_year, self.project),)

    class ContentRedacted(Event):
        """A public version of the citizen's words; the original stays sealed for the unit."""

        step = "redacted"

        public_title: str
        public_text: str
        reason: str
        actor: str

    class FixChecked(Event):
        """The citizen's answer to "is it fixed?" some days after 销号 (FixMyStreet's
        questionnaire; 12345's 回访). The answer is a public fact, counted per unit and
        district; the citizen's words are sealed with their key. "no" reopens the case:
        it is accepted again, for the task force to assign anew."""

        step = "fix_checked"
        answer: str  # FIX_ANSWERS
        key_id: str
        sealed_words: str  # {"words": ...} sealed with the citizen's key ("" when none)
        actor: str

        def state_after(self) -> str | None:
            return ACCEPTED if self.answer == "no" else None

        def apply(self, case: Case) -> None:
            super().apply(case)
            case.fix_answer = self.answer
            if self.answer == "no":
                case.reopened += 1

    @event(Submitted)
    def __init__(
        self,
        year: int,
        number: str,
        channel: str,
        external_id: str | None,
        category: str,
        district: str,
        consent: bool,
        received_on: str,
        key_id: str,
        sealed: str,
        actor: str,
    ) -> None:
        self.year = year
        self.number = number
        self.channel = channel
        self.external_id = external_id
        self.category = category
        self.district = district
        self.consent = consent
        self.received_on = date.fromisoformat(received_on)
        self.key_id = key_id
        self.sealed = sealed
        self.submitted_by = actor  # "sim:..." for the labelled simulated year
        self.state = ""  # the Submitted event's `leads_to`, set right after (Case.Event.apply)
        self.lead_unit: str | None = None
        self.co_units: tuple[str, ...] = ()
        self.working_days = 0
        self.deadline: date | None = None
        self.track: str | None = None
        self.replies = 0
        self.evaluation: str | None = None
        self.rehandled = 0
        self.escalated = False
        self.projects: tuple[tuple[int, str], ...] = ()
        self.fix_answer: str | None = None  # "is it fixed?" since the last 销号
        self.reopened = 0

    @classmethod
    def submit(
        cls,
        *,
        id: UUID,
        year: int,
        number: str,
        channel: str,
        external_id: str | None,
        category: str,
        district: str,
        consent: bool,
        received_on: date,
        key_id: str,
        sealed: str,
        actor: str,
        recorded_at: datetime,
    ) -> Case:
        _require(channel in CHANNELS, "channel", f"no channel {channel!r}")
        _require(category in CATEGORIES, "category", f"no category {category!r}")
        _require(district in DISTRICTS, "district", f"no district {district!r}")
        _require(
            FIRST_DAY <= received_on <= business_date(recorded_at),
            "received_on",
            f"received between {FIRST_DAY} and the day it is recorded (Wuxi days)",
        )
        return cls._create(
            cls.Submitted,
            id=id,
            timestamp=recorded_at,
            year=year,
            number=number,
            channel=channel,
            external_id=external_id,
            category=category,
            district=district,
            consent=consent,
            received_on=received_on.isoformat(),
            key_id=key_id,
            sealed=sealed,
            actor=actor,
        )

    # 受理 -----------------------------------------------------------------

    def accept(self, actor: str, at: datetime) -> None:
        self._in(SUBMITTED, "accept")
        self.trigger_event(self.Accepted, timestamp=at, actor=actor)

    def decline(self, reason: str, actor: str, at: datetime) -> None:
        self._in(SUBMITTED, "decline")
        _require(bool(reason.strip()), "reason", "a declined case says why, publicly")
        require_no_mobile_number(reason)
        self.trigger_event(self.Declined, timestamp=at, reason=reason.strip(), actor=actor)

    # 办理 -----------------------------------------------------------------

    def assign(
        self,
        route: str,
        lead_unit: str,
        co_units: list[str],
        working_days: int,
        deadline: date,
        actor: str,
        at: datetime,
    ) -> None:
        self._in(ACCEPTED, "assign")
        _require(route in ROUTES, "route", f"no route {route!r}")
        _require(bool(lead_unit), "lead_unit", "a lead unit (主办) is needed")
        _require(lead_unit not in co_units, "co_units", "the lead unit is not also a co-unit")
        _require(1 <= working_days <= 60, "working_days", "a time limit of 1 to 60 working days")
        self.trigger_event(
            self.Assigned,
            timestamp=at,
            route=route,
            lead_unit=lead_unit,
            co_units=list(co_units),
            working_days=working_days,
            deadline=deadline.isoformat(),
            actor=actor,
        )

    def supervise_key(self, track: str, actor: str, at: datetime) -> None:
        _require(track in TRACKS, "track", f"no track {track!r}")
        _require(self.state in OPEN_STATES, "state", "the case is finished", state=self.state)
        _require(self.track is None, "track", "the case is key-supervised already")
        self.trigger_event(self.KeySupervised, timestamp=at, track=track, actor=actor)

    def reply(self, sealed_text: str, has_text: bool, unit: str, actor: str, at: datetime) -> None:
        """`sealed_text` is the reply sealed with this case's key ("" once the key is destroyed)."""
        self._in(BEING_HANDLED, "reply")
        _require(unit == self.lead_unit, "unit", "only the lead unit replies")
        _require(has_text, "text", "a reply says something")
        self.trigger_event(
            self.Replied,
            timestamp=at,
            key_id=self.key_id,
            sealed_text=sealed_text,
            legacy_text="",
            unit=unit,
            actor=actor,
        )

    # 反馈 / 监督 ---------------------------------------------------------------

    def evaluate(
        self,
        level: str,
        sealed_reason: str,
        has_reason: bool,
        new_deadline: date | None,
        at: datetime,
    ) -> None:
        self._in(REPLIED, "evaluate")
        _require(level in LEVELS, "level", f"no level {level!r}")
        if level == "unsatisfied":
            _require(has_reason, "reason", "不满意 needs a reason")
            _require(new_deadline is not None, "deadline", "a case sent back gets a new time limit")
        self.trigger_event(
            self.Evaluated,
            timestamp=at,
            level=level,
            sealed_reason=sealed_reason,
            new_deadline=new_deadline.isoformat()
            if level == "unsatisfied" and new_deadline
            else None,
            actor="citizen",
        )

    def note_supervision(
        self, text: str, new_deadline: date | None, actor: str, at: datetime
    ) -> None:
        _require(self.state in OPEN_STATES, "state", "the case is finished", state=self.state)
        _require(bool(text.strip()), "text", "a supervision note says something")
        require_no_mobile_number(text)
        if new_deadline is not None:
            _require(
                self.state in BEING_HANDLED,
                "deadline",
                "only a case being handled has a time limit",
            )
            overdue = is_overdue(self, business_date(at))
            _require(
                overdue or self.deadline is None or new_deadline < self.deadline,
                "deadline",
                "督办 shortens the time limit (or sets one for an overdue case)",
            )
        self.trigger_event(
            self.SupervisionNoted,
            timestamp=at,
            text=text.strip(),
            new_deadline=new_deadline.isoformat() if new_deadline else None,
            actor=actor,
        )

    def merge_into(self, other: Case, actor: str, at: datetime) -> None:
        _require(other.id != self.id, "into", "a case is not merged into itself")
        _require(
            self.state in (SUBMITTED, ACCEPTED),
            "state",
            "only a case not yet handled is merged",
            state=self.state,
        )
        _require(
            other.state in (*OPEN_STATES, CLOSED), "into", "merge into a case that was accepted"
        )
        self.trigger_event(
            self.Merged, timestamp=at, into=str(other.id), into_number=other.number, actor=actor
        )

    # 销号 -----------------------------------------------------------------

    def close(self, actor: str, at: datetime) -> None:
        """Only when the loop is complete: replied, and the reply not rejected by the citizen."""
        self._in(REPLIED, "close")
        _require(
            self.evaluation in CONTENT,
            "evaluation",
            "销号 after the citizen's evaluation (满意 or 基本满意)",
        )
        self.trigger_event(self.Closed, timestamp=at, actor=actor)

    def check_fix(self, answer: str, sealed_words: str, at: datetime) -> None:
        """The citizen answers "is it fixed?", once per closure."""
        self._in(CLOSED, "check_fix")
        _require(answer in FIX_ANSWERS, "answer", f"no answer {answer!r}")
        _require(self.fix_answer is None, "answered", "this closure was checked already")
        self.trigger_event(
            self.FixChecked,
            timestamp=at,
            answer=answer,
            key_id=self.key_id,
            sealed_words=sealed_words,
            actor="citizen",
        )

    def link_project(
        self, project_year: int, project: str, note: str, actor: str, at: datetime
    ) -> None:
        _require((project_year, project) not in self.projects, "project", "linked already")
        _require(
            self.state not in (DECLINED, MERGED), "state", "the case is not kept", state=self.state
        )
        require_no_mobile_number(note)
        self.trigger_event(
            self.LinkedToProject,
            timestamp=at,
            project_year=project_year,
            project=project,
            note=note.strip(),
            actor=actor,
        )

    def redact(
        self, public_title: str, public_text: str, reason: str, actor: str, at: datetime
    ) -> None:
        _require(self.consent, "consent", "without consent nothing of the content is published")
        _require(bool(reason.strip()), "reason", "a redaction gives its reason, publicly")
        require_no_mobile_number(public_title, public_text, reason)
        self.trigger_event(
            self.ContentRedacted,
            timestamp=at,
            public_title=public_title.strip(),
            public_text=public_text.strip(),
            reason=reason.strip(),
            actor=actor,
        )

    def _in(self, states: str | tuple[str, ...], step: str) -> None:
        allowed = (states,) if isinstance(states, str) else states
        _require(
            self.state in allowed,
            "transition",
            f"cannot {step} a case that is {self.state}",
            step=step,
            state=self.state,
        )

    # The citizen's additions, withdrawal and photos (issue 13) -------------------------

    class NoteAdded(Event):
        """The citizen adds to their case: before acceptance to the case itself, after it
        to the unit handling it. Their words, sealed with their key."""

        step = "note_added"
        key_id: str
        sealed_text: str  # {"text": ...} sealed with the citizen's key, bound to the case
        actor: str

        def apply(self, case: Case) -> None:
            case.notes += 1

    class Withdrawn(Event):
        """The citizen takes the case back before it is accepted; the reason is sealed (it
        is public only with their consent, and goes with their erasure)."""

        step, leads_to = "withdrawn", WITHDRAWN
        key_id: str
        sealed_reason: str  # {"reason": ...} sealed with the citizen's key
        actor: str

    class PhotosAttached(Event):
        """Photos put on the case: the SHA-256 of each file in the photo store (the files
        live outside the log). A citizen's are public only with their consent and once
        approved; the lead unit's (before / after its work) are public with the case."""

        step = "photos_added"
        photos: list[str]
        source: str  # citizen | before | after
        unit: str  # the lead unit, for its photos ("" for the citizen's)
        consent: bool  # the citizen agrees to publish these once moderated (units: True)
        actor: str

        def apply(self, case: Case) -> None:
            if self.source == "citizen":
                case.citizen_photos += tuple(self.photos)
                if self.consent:
                    case.publishable += tuple(self.photos)

    class PhotoApproved(Event):
        step = "photo_approved"
        photo: str
        actor: str

        def apply(self, case: Case) -> None:
            case.moderation = {**case.moderation, self.photo: "approved"}

    class PhotoRejected(Event):
        step = "photo_rejected"
        photo: str
        reason: str  # one of PHOTO_REJECTIONS
        actor: str

        def apply(self, case: Case) -> None:
            case.moderation = {**case.moderation, self.photo: "rejected"}

    # What these events add to a case, before any of them happened: class attributes (not
    # annotated here, or the aggregate's dataclass would take them for fields), so cases
    # submitted before these events existed need nothing more.
    notes = 0
    citizen_photos = _NO_PHOTOS
    publishable = _NO_PHOTOS  # the citizen's photos they agreed to publish
    moderation = _NOT_MODERATED  # photo -> approved | rejected

    def add_note(self, sealed_text: str, has_text: bool, at: datetime) -> None:
        """`sealed_text`: the citizen's note sealed with this case's key."""
        self._in(OPEN_STATES, "add_note")
        _require(has_text, "text", "a note says something")
        self.trigger_event(
            self.NoteAdded,
            timestamp=at,
            key_id=self.key_id,
            sealed_text=sealed_text,
            actor="citizen",
        )

    def withdraw(self, sealed_reason: str, has_reason: bool, at: datetime) -> None:
        self._in(SUBMITTED, "withdraw")
        _require(has_reason, "reason", "a withdrawal says why")
        self.trigger_event(
            self.Withdrawn,
            timestamp=at,
            key_id=self.key_id,
            sealed_reason=sealed_reason,
            actor="citizen",
        )

    def attach_citizen_photos(self, photos: list[str], consent: bool, at: datetime) -> None:
        """Up to MAX_CITIZEN_PHOTOS in all, while the case waits to be accepted."""
        self.require_room_for_photos(len(photos))
        self._new_photos(photos)
        self.trigger_event(
            self.PhotosAttached,
            timestamp=at,
            photos=list(photos),
            source="citizen",
            unit="",
            consent=consent,
            actor="citizen",
        )

    def require_room_for_photos(self, count: int) -> None:
        """Whether the citizen may add `count` photos now (asked before files are kept)."""
        self._in(SUBMITTED, "add_photos")
        _require(
            len(self.citizen_photos) + count <= MAX_CITIZEN_PHOTOS,
            "photo_limit",
            f"at most {MAX_CITIZEN_PHOTOS} photos per case",
            limit=MAX_CITIZEN_PHOTOS,
        )

    def attach_unit_photos(
        self, photos: list[str], source: str, unit: str, actor: str, at: datetime
    ) -> None:
        """The lead unit's photos of the place before or after its work, with its reply."""
        _require(source in PHOTO_SOURCES[1:], "source", f"no source {source!r}")
        self._in((*BEING_HANDLED, REPLIED), "add_photos")
        _require(unit == self.lead_unit, "unit", "only the lead unit adds its photos")
        self._new_photos(photos)
        _require(
            len(photos) <= MAX_UNIT_PHOTOS,
            "photo_limit",
            f"at most {MAX_UNIT_PHOTOS} photos at a time",
            limit=MAX_UNIT_PHOTOS,
        )
        self.trigger_event(
            self.PhotosAttached,
            timestamp=at,
            photos=list(photos),
            source=source,
            unit=unit,
            consent=True,
            actor=actor,
        )

    def approve_photo(self, photo: str, actor: str, at: datetime) -> None:
        """Published: the citizen agreed, and the task force saw no face or plate in it."""
        self._publishable(photo)
        _require(photo not in self.moderation, "moderated", "this photo was moderated already")
        self.trigger_event(self.PhotoApproved, timestamp=at, photo=photo, actor=actor)

    def reject_photo(self, photo: str, reason: str, actor: str, at: datetime) -> None:
        """Not published (or taken down again, once approved)."""
        self._publishable(photo)
        _require(reason in PHOTO_REJECTIONS, "reason", f"no reason {reason!r}")
        _require(
            self.moderation.get(photo) != "rejected", "moderated", "this photo was rejected already"
        )
        self.trigger_event(
            self.PhotoRejected, timestamp=at, photo=photo, reason=reason, actor=actor
        )

    def _publishable(self, photo: str) -> None:
        _require(photo in self.citizen_photos, "photo", "no such photo on this case")
        _require(
            self.consent and photo in self.publishable,
            "consent",
            "without the citizen's consent a photo is never published",
        )

    def _new_photos(self, photos: list[str]) -> None:
        _require(bool(photos), "photos", "no photo")
        _require(
            all(_is_sha256(p) for p in photos) and len(set(photos)) == len(photos),
            "photos",
            "photos are named by their SHA-256, each once",
        )
        # Also keeps a unit from publishing a citizen's photo at once, unmoderated.
        _require(
            not set(photos) & set(self.citizen_photos), "photos", "a photo already on the case"
        )


def _is_sha256(name: str) -> bool:
    return len(name) == 64 and all(c in "0123456789abcdef" for c in name)


class Erasure(Aggregate):
    """A person's data made unrecoverable (PIPL art. 47): their key is destroyed.

    Records which key and which cases, never who: the public history still replays.
    """

    class Recorded(Aggregate.Created):
        key_id: str
        cases: list[str]
        reason: str
        actor: str

    @event(Recorded)
    def __init__(self, key_id: str, cases: list[str], reason: str, actor: str) -> None:
        self.key_id = key_id
        self.cases = tuple(cases)

    @classmethod
    def record(
        cls, *, id: UUID, key_id: str, cases: list[str], reason: str, actor: str, at: datetime
    ) -> Erasure:
        require_no_mobile_number(reason)  # the reason is published with the erasure
        return cls._create(
            cls.Recorded,
            id=id,
            timestamp=at,
            key_id=key_id,
            cases=cases,
            reason=reason,
            actor=actor,
        )


def index_id(kind: str, key: str) -> UUID:
    return uuid5(NAMESPACE, f"case-{kind}/{key}")


class CaseIndex(Aggregate):
    """A case number or an intake's external reference, held by exactly one case.

    Saved with the case: a second case with the same key fails the whole save.
    """

    class Reserved(Aggregate.Created):
        kind: str  # number | ref
        key: str
        case_id: str

    @event(Reserved)
    def __init__(self, kind: str, key: str, case_id: str) -> None:
        self.kind, self.key, self.case_id = kind, key, case_id

    @classmethod
    def reserve(cls, kind: str, key: str, case_id: UUID, at: datetime) -> CaseIndex:
        return cls._create(
            cls.Reserved,
            id=index_id(kind, key),
            timestamp=at,
            kind=kind,
            key=key,
            case_id=str(case_id),
        )
