"""Commands for citizens' cases (mixed into the Ledger): intake, handling, evaluation, erasure.

Personal data is sealed here with the person's key before any event holds
it (their words, the units' replies, their evaluation reasons), and opened
here only for the citizen (with their case number and query code) and to
refuse published staff text that names them; staff reach it only through
`access_commands`, which records each reading.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError, Repository
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import ApplicationRecorder, IntegrityError, Mapper, Recording

from application.calendar import OfficialCalendar
from application.photos import Photo, PhotoStore, kept
from application.vault import Vault
from domain.cases import Case, CaseError, CaseIndex, Erasure, index_id, require_no_mobile_number
from domain.plan import Item, item_id
from domain.public_text import mentions_contact, mentions_mobile_number
from domain.text import unstorable_fields
from domain.workdays import Calendar, add_workdays
from domain.wuxi import business_date

NUMBER_LETTERS = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I
# A hotline ticket sent again this soon after the first gets its query code again.
RESEND_CODE_FOR = timedelta(days=1)


def citizen_holder(case_id: UUID | str) -> str:
    """How the photo store names a case's hold on its citizen's photos."""
    return f"case-{case_id}"


def unit_holder(case_id: UUID | str) -> str:
    """...and on its units' photos (which the citizen's erasure leaves)."""
    return f"case-{case_id}-unit"


@dataclass(frozen=True)
class Intake:
    """What a citizen (or the hotline on their behalf) submits."""

    year: int
    channel: str
    category: str
    district: str
    title: str
    content: str
    name: str
    phone: str  # normalised
    consent: bool
    received_on: date
    external_id: str | None = None
    submission: str | None = None  # a form's one-time token: sending it twice is one case
    language: str = "zh_Hans"  # the messages about the case speak it
    address: str = ""  # an address or landmark in words: sealed, for the units handling it

    def resend_ref(self) -> str | None:
        """What makes sending this intake again register nothing new (None: nothing does)."""
        if self.external_id:
            return f"{self.channel}/{self.external_id}"
        return f"{self.channel}/form:{self.submission}" if self.submission else None


@dataclass(frozen=True)
class CaseReceipt:
    case_id: str
    number: str
    query_code: str | None  # None when the intake was seen before (idempotent by external id)
    created: bool
    notification_id: int | None


@dataclass(frozen=True)
class CaseDetails:
    """A case as its citizen or its handling unit may see it."""

    case: Case
    personal: dict[str, Any] | None  # None once erased
    evaluation_reasons: list[str]
    replies: list[tuple[datetime, str, str]]  # when, which unit, what it said
    notes: list[CitizenNote] = field(default_factory=list)  # what the citizen added
    photos: list[CasePhoto] = field(default_factory=list)  # every photo, theirs and the units'
    withdrawal_reason: str | None = None  # why they withdrew it ("" once erased)
    # "is it fixed?": each answer, with the words the citizen added ("" once erased)
    fix_checks: list[tuple[datetime, str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class CitizenNote:
    at: datetime
    text: str  # "" once erased
    to_unit: bool  # added after acceptance: an addition for the unit handling it


@dataclass(frozen=True)
class CasePhoto:
    """A photo on a case, as those who may see all of them see it."""

    sha256: str
    source: str  # citizen | before | after
    unit: str
    consent: bool  # the citizen agreed to publish it once moderated
    moderation: str | None  # approved | rejected | None (a citizen's photo not yet looked at)
    at: datetime


class CaseCommands:
    repository: Repository[UUID]
    recorder: ApplicationRecorder
    mapper: Mapper[UUID]
    save: Callable[..., list[Recording[Any]]]
    clock: Callable[[], datetime]
    vault: Vault
    calendar: Calendar = OfficialCalendar()
    photos: PhotoStore | None = None  # None: no photo store (a tool, a test without one)

    def _case(self, case_id: UUID | str) -> Case:
        try:
            return self.repository.get(UUID(str(case_id)))
        except (AggregateNotFoundError, ValueError) as error:
            raise CaseError("not_found", "no such case") from error

    def case_of(self, case_id: UUID) -> Case:
        """A case by its id (raises AggregateNotFoundError): for the notifier."""
        case: Case = self.repository.get(case_id)
        return case

    def case_by_number(self, number: str) -> Case:
        try:
            index: CaseIndex = self.repository.get(index_id("number", number.strip().upper()))
        except AggregateNotFoundError as error:
            raise CaseError("not_found", "no such case") from error
        return self._case(index.case_id)

    def _today(self) -> date:
        return business_date(self.clock())

    # Intake -----------------------------------------------------------------

    def submit_case(
        self,
        intake: Intake,
        actor: str,
        photos: Sequence[Photo] = (),
        photo_consent: bool = False,
    ) -> CaseReceipt:
        """A new case (or the one this intake made already). `photos`, cleaned
        (application.photos), are kept for it and named by the same save."""
        if bad := unstorable_fields(vars(intake)):  # sealed text is never seen by save()
            raise CaseError("unstorable", f"{', '.join(bad)} hold characters that cannot be stored")
        ref = intake.resend_ref()
        if ref:
            seen = self._seen(intake, ref)
            if seen is not None and (intake.external_id or seen.query_code):
                return seen
            if seen is not None:  # a form sent again with another message (back, edit, send)
                ref = None
        for _attempt in range(5):
            case_id = uuid4()
            number = f"{intake.year}-" + "".join(secrets.choice(NUMBER_LETTERS) for _ in range(6))
            # Derived with the pepper, so that the receipt message can carry it and a lost code
            # can be sent again (cases stored earlier may have a code drawn at random).
            code = self.vault.ticket_code(str(case_id))
            key_id = self.vault.key_for(intake.phone)
            sealed = self.vault.seal(
                key_id,
                {
                    "name": intake.name,
                    "phone": intake.phone,
                    "title": intake.title,
                    "content": intake.content,
                    "address": intake.address,
                    "query_code": self.vault.digest(code),
                    "lang": intake.language,
                },
                str(case_id),
            )
            case = Case.submit(
                id=case_id,
                year=intake.year,
                number=number,
                channel=intake.channel,
                external_id=intake.external_id,
                category=intake.category,
                district=intake.district,
                consent=intake.consent,
                received_on=intake.received_on,
                key_id=key_id,
                sealed=sealed,
                actor=actor,
                recorded_at=self.clock(),
            )
            now = case.created_on
            indexes = [CaseIndex.reserve("number", number, case_id, now)]
            if ref:
                indexes.append(CaseIndex.reserve("ref", ref, case_id, now))
            try:
                with kept(self.photos, photos, citizen_holder(case_id)) as hashes:
                    if hashes:
                        case.attach_citizen_photos(hashes, photo_consent, now)
                    recordings = self.save(case, *indexes)
            except IntegrityError:
                seen = self._seen(intake, ref) if ref else None
                if seen is not None:
                    return seen  # submitted concurrently by another process
                continue  # the number was taken: draw another
            self.vault.remember(key_id, str(case_id))
            last = max(r.notification.id for r in recordings)
            return CaseReceipt(str(case_id), number, code, True, last)
        raise CaseError("number", "could not draw a free case number")

    def _seen(self, intake: Intake, ref: str) -> CaseReceipt | None:
        try:
            index: CaseIndex = self.repository.get(index_id("ref", ref))
        except AggregateNotFoundError:
            return None
        case = self._case(index.case_id)
        return CaseReceipt(str(case.id), case.number, self._code_again(case, intake), False, None)

    def _code_again(self, case: Case, intake: Intake) -> str | None:
        """A resent ticket's (or form's) query code: the answer to the first may never have arrived.

        Only for the same caller's phone and within a day of the first, so that the
        intake token alone cannot collect codes; never for a case erased or whose code
        was drawn at random (tickets stored before codes were derived)."""
        if self.clock() - case.created_on > RESEND_CODE_FOR:
            return None
        personal = self.vault.open(case.key_id, case.sealed, str(case.id))
        code = self.vault.ticket_code(str(case.id))
        if personal is None or personal.get("phone") != intake.phone:
            return None
        if intake.submission and not intake.external_id:  # a form: only the same message
            sent = (personal.get("title"), personal.get("content"), personal.get("name"))
            if sent != (intake.title, intake.content, intake.name):
                return None
        same = secrets.compare_digest(personal.get("query_code", ""), self.vault.digest(code))
        return code if same else None

    # Reading with the right to read --------------------------------------------

    def details_for_citizen(self, number: str, query_code: str) -> CaseDetails:
        """The citizen's own view: only with the case number and its query code."""
        try:
            case = self.case_by_number(number)
        except CaseError:
            raise CaseError("lookup", "number and code do not match") from None
        personal = self.vault.open(case.key_id, case.sealed, str(case.id))
        if personal is None or not secrets.compare_digest(
            personal.get("query_code", ""), self.vault.digest(query_code.strip())
        ):
            raise CaseError("lookup", "number and code do not match")
        return self._details(case, personal)

    def cases_of_phone(self, phone: str) -> list[str]:
        """The ids of every case filed with this (verified) phone number, erased ones not."""
        return [c for key_id in self.vault.keys_of(phone) for c in self.vault.cases_of(key_id)]

    def citizen_code(self, number: str, phone: str) -> str | None:
        """The query code of a case filed with this phone: for the person who proved the phone
        ("my cases") or to send again to it. None if the phone did not file it, it was erased,
        or its code was drawn at random (cases stored before codes were derived)."""
        try:
            case = self.case_by_number(number)
        except CaseError:
            return None
        personal = self.vault.open(case.key_id, case.sealed, str(case.id))
        if personal is None or not secrets.compare_digest(personal.get("phone", ""), phone):
            return None
        code = self.vault.ticket_code(str(case.id))
        same = secrets.compare_digest(personal.get("query_code", ""), self.vault.digest(code))
        return code if same else None

    def _details(self, case: Case, personal: dict[str, Any] | None) -> CaseDetails:
        reasons, replies = [], []
        notes: list[CitizenNote] = []
        photos: list[CasePhoto] = []
        withdrawal: str | None = None
        fixes: list[tuple[datetime, str, str]] = []
        accepted = False
        for event in self.repository.event_store.get(case.id):
            if isinstance(event, Case.Evaluated) and event.sealed_reason:
                opened = self.vault.open(case.key_id, event.sealed_reason, str(case.id))
                reasons.append(opened["reason"] if opened else "")
            elif isinstance(event, Case.Replied):
                replies.append((event.timestamp, event.unit, self._reply(case, event, personal)))
            elif isinstance(event, Case.NoteAdded):
                text = self._opened(case, event.sealed_text, "text")
                notes.append(CitizenNote(event.timestamp, text, accepted))
            elif isinstance(event, Case.Withdrawn):
                withdrawal = self._opened(case, event.sealed_reason, "reason")
            elif isinstance(event, Case.PhotosAttached):
                photos.extend(self._photos(case, event, personal))
            elif isinstance(event, Case.FixChecked):
                words = self._opened(case, event.sealed_words, "words")
                fixes.append((event.timestamp, event.answer, words))
            accepted |= isinstance(event, Case.Accepted)
        return CaseDetails(case, personal, reasons, replies, notes, photos, withdrawal, fixes)

    def _opened(self, case: Case, sealed: str, key: str) -> str:
        opened = self.vault.open(case.key_id, sealed, str(case.id)) if sealed else None
        return str(opened[key]) if opened else ""

    def _photos(
        self, case: Case, event: Case.PhotosAttached, personal: dict[str, Any] | None
    ) -> list[CasePhoto]:
        if event.source == "citizen" and personal is None:
            return []  # erased: their photos were destroyed with their key
        return [
            CasePhoto(
                sha256=sha,
                source=event.source,
                unit=event.unit,
                consent=event.consent,
                moderation=case.moderation.get(sha),
                at=event.timestamp,
            )
            for sha in event.photos
        ]

    def _reply(self, case: Case, event: Case.Replied, personal: dict[str, Any] | None) -> str:
        if personal is None:  # erased: nothing said to them is shown, a version 1 reply neither
            return ""
        if not event.sealed_text:
            return event.legacy_text
        opened = self.vault.open(event.key_id, event.sealed_text, str(case.id))
        return str(opened["text"]) if opened else ""

    def _refuse_contact(self, case: Case, *published: str) -> None:
        """Text published for good may not name the case's citizen or give their phone."""
        personal = self.vault.open(case.key_id, case.sealed, str(case.id))
        if personal is None:  # erased: nothing left to compare with (nor to leak)
            return
        if any(mentions_contact(t, personal["name"], personal["phone"]) for t in published):
            raise CaseError("personal", "published text may not name the citizen or their phone")

    def _refuse_contact_of(self, key_id: str, contact: str, *published: str) -> None:
        """Refuse text naming the person of this key: by their contact, or as in their cases."""
        if any(mentions_contact(t, "", contact) for t in published):
            raise CaseError("personal", "published text may not name the citizen or their phone")
        for case_id in self.vault.cases_of(key_id):
            sealed: Aggregate = self.repository.get(UUID(case_id))
            if isinstance(sealed, Case):  # the key also seals ratings
                self._refuse_contact(sealed, *published)

    # Handling ---------------------------------------------------------------

    def _step(
        self,
        case_id: UUID | str,
        act: Callable[[Case, datetime], None],
        published: tuple[str, ...] = (),
    ) -> Recording[Any]:
        """Load, act, save; `published`: the staff text this step makes public for good."""
        case = self._case(case_id)
        self._refuse_contact(case, *published)
        act(case, self.clock())
        return self.save(case)[-1]

    def accept_case(self, case_id: str, actor: str) -> None:
        self._step(case_id, lambda c, at: c.accept(actor, at))

    def decline_case(self, case_id: str, reason: str, actor: str) -> None:
        self._step(case_id, lambda c, at: c.decline(reason, actor, at), (reason,))

    def assign_case(
        self,
        case_id: str,
        route: str,
        lead_unit: str,
        co_units: list[str],
        working_days: int,
        actor: str,
    ) -> None:
        deadline = add_workdays(self._today(), working_days, self.calendar)
        self._step(
            case_id,
            lambda c, at: c.assign(route, lead_unit, co_units, working_days, deadline, actor, at),
        )

    def supervise_case_key(self, case_id: str, track: str, actor: str) -> None:
        self._step(case_id, lambda c, at: c.supervise_key(track, actor, at))

    def reply_case(
        self,
        case_id: str,
        text: str,
        unit: str,
        actor: str,
        photos: Sequence[Photo] = (),
        photo_source: str = "after",
    ) -> None:
        """The reply is sealed with the citizen's key: it may quote them, and their erasure
        takes it too. With their consent it is published with the case, so then it obeys
        the rules of published text. The unit's photos of the place (before or after its
        work) go with it, in the same save."""
        case = self._case(case_id)
        text = text.strip()
        if case.consent:
            self._refuse_contact(case, text)
            require_no_mobile_number(text)
        case.reply(
            self._seal(case, {"text": text}) if text else "", bool(text), unit, actor, self.clock()
        )
        with kept(self.photos, photos, unit_holder(case.id)) as hashes:
            if hashes:
                case.attach_unit_photos(hashes, photo_source, unit, actor, self.clock())
            self.save(case)

    def _seal(self, case: Case, data: dict[str, Any]) -> str:
        """Sealed with the case's key; "" once that key is destroyed (kept for no one)."""
        try:
            return self.vault.seal(case.key_id, data, str(case.id))
        except KeyError:
            return ""

    def evaluate_case(self, number: str, query_code: str, level: str, reason: str) -> None:
        """The citizen's evaluation; 不满意 sends the case back with a fresh time limit."""
        case = self.details_for_citizen(number, query_code).case
        sealed = (
            self.vault.seal(case.key_id, {"reason": reason.strip()}, str(case.id))
            if reason.strip()
            else ""
        )
        fresh = add_workdays(self._today(), case.working_days or 5, self.calendar)
        case.evaluate(
            level,
            sealed,
            bool(reason.strip()),
            fresh if level == "unsatisfied" else None,
            self.clock(),
        )
        self.save(case)

    def check_case_fix(self, case_id: str, answer: str, words: str) -> None:
        """The citizen's answer to "is it fixed?" (the link in the message proved who), with
        their words sealed with their key."""
        if unstorable_fields({"words": words}):  # sealed text is never seen by save()
            raise CaseError("unstorable", "words hold characters that cannot be stored")
        case = self._case(case_id)
        sealed = self._seal(case, {"words": words.strip()}) if words.strip() else ""
        case.check_fix(answer, sealed, self.clock())
        self.save(case)

    def note_case_supervision(
        self, case_id: str, text: str, within_days: int | None, actor: str
    ) -> None:
        deadline = add_workdays(self._today(), within_days, self.calendar) if within_days else None
        self._step(case_id, lambda c, at: c.note_supervision(text, deadline, actor, at), (text,))

    def merge_case(self, case_id: str, into_number: str, actor: str) -> None:
        other = self.case_by_number(into_number)
        self._step(case_id, lambda c, at: c.merge_into(other, actor, at))

    def close_case(self, case_id: str, actor: str) -> None:
        self._step(case_id, lambda c, at: c.close(actor, at))

    def link_case_to_project(
        self, case_id: str, year: int, project: str, note: str, actor: str
    ) -> None:
        if not self._has_project(year, project):  # a link to nothing would be a broken page
            raise CaseError("unknown_projects", f"no project {project} in {year}", refs=project)
        self._step(case_id, lambda c, at: c.link_project(year, project, note, actor, at), (note,))

    def _has_project(self, year: int, ref: str) -> bool:
        head = ref.split(".")[0]
        if not (head.isascii() and head.isdigit() and len(head) < 4):
            return False
        try:
            item: Item = self.repository.get(item_id(year, int(head)))
        except AggregateNotFoundError:
            return False
        return ref in {p.number for p in item.projects}

    def redact_case(self, case_id: str, title: str, text: str, reason: str, actor: str) -> None:
        self._step(
            case_id, lambda c, at: c.redact(title, text, reason, actor, at), (title, text, reason)
        )

    # The citizen adds to, or withdraws, their case ---------------------------------------

    def add_case_note(self, number: str, query_code: str, text: str) -> None:
        """Before acceptance, to the case; after it, an addition for the unit handling it.
        Sealed with the citizen's key, like their words."""
        case = self.details_for_citizen(number, query_code).case
        text = text.strip()
        if bad := unstorable_fields({"text": text}):
            raise CaseError("unstorable", f"{', '.join(bad)} hold characters that cannot be stored")
        case.add_note(self._seal(case, {"text": text}) if text else "", bool(text), self.clock())
        self.save(case)

    def withdraw_case(self, number: str, query_code: str, reason: str) -> None:
        """Only while it waits to be accepted; the reason sealed (public only with consent)."""
        case = self.details_for_citizen(number, query_code).case
        reason = reason.strip()
        if bad := unstorable_fields({"reason": reason}):
            raise CaseError("unstorable", f"{', '.join(bad)} hold characters that cannot be stored")
        # Published with the case if they consented, unless it names them or a mobile number
        # (judged here, where their data is at hand; the read model reads the verdict).
        personal = self.vault.open(case.key_id, case.sealed, str(case.id)) or {}
        publishable = not mentions_mobile_number(reason) and not mentions_contact(
            reason, personal.get("name", ""), personal.get("phone", "")
        )
        data = {"reason": reason, "publishable": publishable}
        sealed = self._seal(case, data) if reason else ""
        case.withdraw(sealed, bool(reason), self.clock())
        self.save(case)

    def add_case_photos(
        self, number: str, query_code: str, photos: Sequence[Photo], consent: bool
    ) -> None:
        """More photos of the citizen's, while the case waits to be accepted (3 in all)."""
        case = self.details_for_citizen(number, query_code).case
        case.require_room_for_photos(len(photos))  # refused before a file is written
        with kept(self.photos, photos, citizen_holder(case.id)) as hashes:
            case.attach_citizen_photos(hashes, consent, self.clock())
            self.save(case)

    # Photos: moderation and files ----------------------------------------------------

    def approve_case_photo(self, case_id: str, photo: str, actor: str) -> None:
        self._step(case_id, lambda c, at: c.approve_photo(photo, actor, at))

    def reject_case_photo(self, case_id: str, photo: str, reason: str, actor: str) -> None:
        self._step(case_id, lambda c, at: c.reject_photo(photo, reason, actor, at))

    def photo_file(self, sha256: str, thumb: bool = False) -> Path | None:
        """Where a kept photo's file is (None: not kept). Who may see it is the caller's
        question: the read model's for the public, the case's for its citizen and units."""
        return self.photos.path(sha256, thumb) if self.photos is not None else None

    # Erasure ----------------------------------------------------------------

    def erase_person(self, phone: str, reason: str, actor: str) -> list[str]:
        """Destroy every key of this phone number; record which keys and cases, not whose.

        The event is saved first: read models drop their copies when they see it,
        and a failure between the two steps leaves a key to destroy on retry,
        never a key destroyed without the record.
        """
        keys = self.vault.keys_of(phone)
        for key_id in keys:  # the reason is published: it may not say whose data this was
            self._refuse_contact_of(key_id, phone, reason)
        erased = []
        for key_id in keys:
            cases = self.vault.cases_of(key_id)
            self.save(
                Erasure.record(
                    id=uuid4(),
                    key_id=key_id,
                    cases=cases,
                    reason=reason,
                    actor=actor,
                    at=self.clock(),
                )
            )
            self.vault.destroy(key_id)
            self._destroy_photos(cases)
            erased.extend(cases)
        self.vault.scrub()  # the destroyed keys' bytes out of the key store's files and WAL
        return erased

    def _destroy_photos(self, case_ids: list[str]) -> None:
        """The erased person's photos leave the photo store (those another case holds too
        stay for it)."""
        if self.photos is None:
            return
        for case_id in case_ids:
            sealed: Aggregate = self.repository.get(UUID(case_id))
            if isinstance(sealed, Case):  # the key also seals ratings
                for sha256 in sealed.citizen_photos:
                    self.photos.release(sha256, citizen_holder(sealed.id))

    def erase_again(self) -> int:
        """Destroy again every key an erasure names that is back in the key store (restored
        from a backup taken before the erasure); how many."""
        again, position = 0, 0
        topic = "domain.cases:Erasure.Recorded"
        while notes := self.recorder.select_notifications(
            position, 500, topics=[topic], inclusive_of_start=False
        ):
            for note in notes:
                erasure = self.mapper.to_domain_event(note)
                assert isinstance(erasure, Erasure.Recorded)  # the only topic selected
                if self.vault.has_key(erasure.key_id):
                    self.vault.destroy(erasure.key_id)
                    again += 1
            position = notes[-1].id
        return again
