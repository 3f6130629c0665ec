"""Citizens' proposals for next year's plan (征集): the solicitation, proposals, supports, answers.

The cycle of year Y prepares the plan of year Y: the task force opens a solicitation
(with the last Wuxi day it accepts proposals) and may close it earlier. A citizen who
proved a phone or e-mail proposes a project; the proposal is numbered within the year
(P1, P2...) by the solicitation, which is saved with it, so two proposals never get one
number. What the citizen wrote travels sealed with their key (and their contact with it);
the words become public only when the task force approves them, as the task force
publishes them (it may take out what names a person): that approval is public for good.
A rejected proposal stays sealed, and erasing the person makes it unreadable.

Others support an approved proposal, once per verified person: a support's id is derived
from the proposal and a keyed hash of the person's contact (never the contact), so a
second support is refused. The task force answers each approved proposal once: adopted as
a candidate (its ref, e.g. "C3", as text), merged into another proposal of the same year
(both keep their supports; the page counts them together), or not adopted, with a reason.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.districts import DISTRICTS
from domain.errors import DomainError
from domain.plan import NAMESPACE
from domain.text import clean_line, clean_text
from domain.wuxi import business_date

WHOLE_CITY = "全市"
PLACES = (*DISTRICTS, WHOLE_CITY)
TITLE_MAX = 60
DESCRIPTION_MAX = 2000
REASON_MAX = 500
CATEGORY_MAX = 40
CANDIDATE = re.compile(r"^C[1-9][0-9]{0,3}$")  # a candidate's public ref within its year
PROPOSAL_REF = re.compile(r"^P([1-9][0-9]{0,5})$")
# Why a proposal was not published: categories, never the text.
REJECTIONS = {
    "personal": "含有个人信息",
    "abusive": "辱骂、攻击他人",
    "off_topic": "不属于民生实事项目",
    "advertising": "广告或垃圾信息",
    "illegal": "违法或不实信息",
}
# A proposal's state: pending moderation, rejected, or approved (public).
PENDING, REJECTED, APPROVED = "pending", "rejected", "approved"
# The task force's answer to an approved proposal.
ADOPTED, MERGED, NOT_ADOPTED = "adopted", "merged", "not_adopted"
ANSWERS = (ADOPTED, MERGED, NOT_ADOPTED)


class ProposalError(DomainError):
    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


def solicitation_id(year: int) -> UUID:
    return uuid5(NAMESPACE, f"solicitation/{year}")


def proposal_id(year: int, number: int) -> UUID:
    return uuid5(NAMESPACE, f"proposal/{year}/{number}")


def support_id(year: int, number: int, supporter: str) -> UUID:
    """One per person and proposal: `supporter` is a keyed hash of the verified contact."""
    return uuid5(NAMESPACE, f"proposal-support/{year}/{number}/{supporter}")


def proposal_ref(number: int) -> str:
    return f"P{number}"


def number_of(ref: str) -> int | None:
    """12 from "P12" (or "12"); None for anything else."""
    text = ref.strip().upper()
    match = PROPOSAL_REF.match(text) or PROPOSAL_REF.match(f"P{text}")
    return int(match.group(1)) if match else None


def _words(value: str, most: int, code: str, what: str) -> str:
    text = clean_line(value or "") if code == "title" else clean_text(value or "")
    if not text:
        raise ProposalError(code, f"{what} is empty")
    if len(text) > most:
        raise ProposalError(code, f"{what}: at most {most} characters")
    return text


def check_title(value: str) -> str:
    return _words(value, TITLE_MAX, "title", "the title")


def check_description(value: str) -> str:
    return _words(value, DESCRIPTION_MAX, "description", "the description")


def check_reason(value: str) -> str:
    return _words(value, REASON_MAX, "reason", "the reason")


def check_place(category: str, district: str) -> None:
    if not category or len(category) > CATEGORY_MAX:
        raise ProposalError("category", "a category of the plan")
    if district not in PLACES:
        raise ProposalError("district", f"one of {', '.join(PLACES)}")


class Solicitation(Aggregate):
    """A year's call for proposals: open from its opening until its last day (Wuxi), or
    until the task force closes it; it numbers the proposals it receives."""

    class Opened(Aggregate.Created):
        year: int
        last_day: str  # ISO date, Asia/Shanghai: the last day proposals are accepted
        actor: str

    class Closed(Aggregate.Event):
        actor: str

        def apply(self, solicitation: Solicitation) -> None:
            solicitation.closed_at = self.timestamp

    class ProposalReceived(Aggregate.Event):
        number: int

        def apply(self, solicitation: Solicitation) -> None:
            solicitation.received = self.number

    @event(Opened)
    def __init__(self, year: int, last_day: str, actor: str) -> None:
        self.year = year
        self.last_day = last_day
        self.closed_at: datetime | None = None
        self.received = 0

    @classmethod
    def open(cls, *, year: int, last_day: date, actor: str, at: datetime) -> Solicitation:
        if not 2000 <= year <= 2100:
            raise ProposalError("year", "a year between 2000 and 2100")
        if last_day < business_date(at):
            raise ProposalError("last_day", "the last day has passed already")
        if last_day.year > year:
            raise ProposalError("last_day", "proposals for a year are gathered before its end")
        return cls._create(
            cls.Opened,
            id=solicitation_id(year),
            timestamp=at,
            year=year,
            last_day=last_day.isoformat(),
            actor=actor,
        )

    def opened_on(self) -> date:
        return business_date(self.created_on)

    def is_open(self, at: datetime) -> bool:
        return self.closed_at is None and business_date(at) <= date.fromisoformat(self.last_day)

    def close(self, actor: str, at: datetime) -> None:
        if self.closed_at is not None:
            raise ProposalError("closed", "the solicitation is closed already")
        self.trigger_event(self.Closed, timestamp=at, actor=actor)

    def receive(self, at: datetime) -> int:
        """The number of a new proposal, if the solicitation accepts one at `at`."""
        if self.closed_at is not None or not self.is_open(at):
            raise ProposalError("closed", "the solicitation is closed")
        number = self.received + 1
        self.trigger_event(self.ProposalReceived, timestamp=at, number=number)
        return number


class Proposal(Aggregate):
    """One citizen's proposal: sealed until approved, then public with its answer."""

    class Submitted(Aggregate.Created):
        year: int
        number: int
        category: str  # a category name of the latest plan
        district: str  # a district, or 全市
        key_id: str  # the person's key: the contact and the words are sealed with it
        sealed: str  # {"contact", "title", "description"}
        supporter: str  # keyed hash of the contact: the proposer cannot support their own
        actor: str  # "citizen", or "sim:..." for the labelled simulation

    class Approved(Aggregate.Event):
        title: str  # the words as published (the task force may take out personal details)
        description: str
        edited: bool  # whether they differ from what the citizen wrote
        actor: str

        def apply(self, proposal: Proposal) -> None:
            proposal.state = APPROVED
            proposal.title, proposal.description = self.title, self.description

    class Rejected(Aggregate.Event):
        category: str  # REJECTIONS
        actor: str

        def apply(self, proposal: Proposal) -> None:
            proposal.state = REJECTED

    class Adopted(Aggregate.Event):
        candidate: str  # "C3": the candidate of next year's plan it became (or went into)
        note: str
        actor: str

        def apply(self, proposal: Proposal) -> None:
            proposal.answer, proposal.candidate = ADOPTED, self.candidate

    class Merged(Aggregate.Event):
        into: int  # the number of the proposal of the same year it was merged into
        reason: str
        actor: str

        def apply(self, proposal: Proposal) -> None:
            proposal.answer, proposal.merged_into = MERGED, self.into

    class NotAdopted(Aggregate.Event):
        reason: str
        actor: str

        def apply(self, proposal: Proposal) -> None:
            proposal.answer = NOT_ADOPTED

    @event(Submitted)
    def __init__(
        self,
        year: int,
        number: int,
        category: str,
        district: str,
        key_id: str,
        sealed: str,
        supporter: str,
        actor: str,
    ) -> None:
        self.year, self.number = year, number
        self.category, self.district = category, district
        self.key_id, self.sealed, self.supporter = key_id, sealed, supporter
        self.state = PENDING
        self.title = self.description = ""
        self.answer: str | None = None
        self.candidate: str | None = None
        self.merged_into: int | None = None

    @classmethod
    def submit(
        cls,
        *,
        year: int,
        number: int,
        category: str,
        district: str,
        key_id: str,
        sealed: str,
        supporter: str,
        actor: str,
        at: datetime,
    ) -> Proposal:
        check_place(category, district)
        return cls._create(
            cls.Submitted,
            id=proposal_id(year, number),
            timestamp=at,
            year=year,
            number=number,
            category=category,
            district=district,
            key_id=key_id,
            sealed=sealed,
            supporter=supporter,
            actor=actor,
        )

    @property
    def ref(self) -> str:
        return proposal_ref(self.number)

    def _pending(self) -> None:
        if self.state != PENDING:
            raise ProposalError("moderated", "the proposal was moderated already")

    def approve(self, title: str, description: str, edited: bool, actor: str, at: datetime) -> None:
        self._pending()
        self.trigger_event(
            self.Approved,
            timestamp=at,
            title=check_title(title),
            description=check_description(description),
            edited=edited,
            actor=actor,
        )

    def reject(self, category: str, actor: str, at: datetime) -> None:
        self._pending()
        if category not in REJECTIONS:
            raise ProposalError("category", f"one of {', '.join(REJECTIONS)}")
        self.trigger_event(self.Rejected, timestamp=at, category=category, actor=actor)

    def _answerable(self) -> None:
        if self.state != APPROVED:
            raise ProposalError("not_approved", "only an approved proposal is answered")
        if self.answer is not None:
            raise ProposalError("answered", "the proposal was answered already")

    def supportable(self) -> None:
        """Raise unless others may support it now: approved and not answered yet."""
        if self.state != APPROVED:
            raise ProposalError("not_approved", "the proposal is not public")
        if self.answer is not None:
            raise ProposalError("answered", "the proposal was answered already")

    def adopt(self, candidate: str, note: str, actor: str, at: datetime) -> None:
        self._answerable()
        ref = candidate.strip().upper()
        if not CANDIDATE.match(ref):
            raise ProposalError("candidate", "a candidate's ref, such as C3")
        note = clean_text(note or "")
        if len(note) > REASON_MAX:
            raise ProposalError("reason", f"the note: at most {REASON_MAX} characters")
        self.trigger_event(self.Adopted, timestamp=at, candidate=ref, note=note, actor=actor)

    def merge_into(self, target: Proposal, reason: str, actor: str, at: datetime) -> None:
        self._answerable()
        if target.year != self.year:
            raise ProposalError("into", "a proposal of the same year")
        if target.number == self.number:
            raise ProposalError("into", "a proposal cannot be merged into itself")
        if target.state != APPROVED:
            raise ProposalError("into", "the proposal merged into must be approved")
        if target.answer == MERGED:
            raise ProposalError("into", "that proposal was merged into another itself")
        self.trigger_event(
            self.Merged, timestamp=at, into=target.number, reason=check_reason(reason), actor=actor
        )

    def decline(self, reason: str, actor: str, at: datetime) -> None:
        self._answerable()
        self.trigger_event(self.NotAdopted, timestamp=at, reason=check_reason(reason), actor=actor)


class Support(Aggregate):
    """One person's support of one proposal (附议): the id says who, never the event."""

    class Given(Aggregate.Created):
        year: int
        number: int
        actor: str

    @event(Given)
    def __init__(self, year: int, number: int, actor: str) -> None:
        self.year, self.number = year, number

    @classmethod
    def give(cls, *, proposal: Proposal, supporter: str, actor: str, at: datetime) -> Support:
        proposal.supportable()
        if supporter == proposal.supporter:
            raise ProposalError("own", "the proposer's own proposal")
        return cls._create(
            cls.Given,
            id=support_id(proposal.year, proposal.number, supporter),
            timestamp=at,
            year=proposal.year,
            number=proposal.number,
            actor=actor,
        )
