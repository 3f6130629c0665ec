"""The candidates for next year's plan, the conversions of cases into them, and the vote.

One `CandidateBook` per cycle year Y (the cycle of year Y prepares the plan of year Y):

- a **conversion** (转化, "Z1", "Z2"...) groups citizens' cases that show one class of
  problem (dozens of "楼道漏水" cases across districts) so that a class of problems can
  become a project. It names every case, with each case's public facts as they stood when
  it was converted (district, lead unit). A case belongs to at most one conversion of a
  year: a class counts each case once (the case may feed another year's cycle);
- a **candidate** ("C1", "C2"...) is a project put forward for the year's plan: title,
  category, description, its sources (citizens' proposals "P17", kept as text: the
  proposals are another aggregate's; conversions "Z3", checked here), estimated targets
  and responsible units;
- the **vote** (人代会票决): the People's Congress's published result, recorded once by an
  administrator: for / against / abstain per candidate (each adding up to the delegates
  voting), and the key projects chosen (exactly the number declared, each with more votes
  for than half of those voting). A published correction replaces it, with a reason.

Everything here is public for good (the public log, the feeds): no mobile number in it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainError
from domain.plan import NAMESPACE
from domain.public_text import mentions_mobile_number
from domain.text import clean_line, clean_text

PROPOSAL_REF = re.compile(r"^P[1-9][0-9]{0,5}$")
CONVERSION_REF = re.compile(r"^Z[1-9][0-9]{0,5}$")
CANDIDATE_REF = re.compile(r"^C[1-9][0-9]{0,5}$")
TITLE_MAX = 80
TEXT_MAX = 2000
MAX_CASES = 2000  # in one conversion
MAX_TARGETS = 10
MAX_UNITS = 12


class CandidateError(DomainError):
    """A refused step of the cycle's candidates or vote: `code` names what, `subject` (a
    candidate or case ref) names where, for the form that shows it."""

    def __init__(self, code: str, message: str, subject: str = "") -> None:
        self.code, self.subject = code, subject
        super().__init__(message)


def book_id(year: int) -> UUID:
    return uuid5(NAMESPACE, f"candidates/{year}")


def _line(text: str, field: str, limit: int = TITLE_MAX) -> str:
    value = clean_line(text)
    if not value:
        raise CandidateError(field, f"{field} is needed")
    if len(value) > limit:
        raise CandidateError(field, f"{field} is longer than {limit} characters")
    if mentions_mobile_number(value):
        raise CandidateError(field, "published text may hold no mobile number")
    return value


def _text(text: str, field: str, limit: int = TEXT_MAX, required: bool = True) -> str:
    value = clean_text(text)
    if required and not value:
        raise CandidateError(field, f"{field} is needed")
    if len(value) > limit:
        raise CandidateError(field, f"{field} is longer than {limit} characters")
    if mentions_mobile_number(value):
        raise CandidateError(field, "published text may hold no mobile number")
    return value


@dataclass(frozen=True)
class Target:
    """An estimated target: 改造老旧小区楼道 120 个 (the amount as the document would write it)."""

    label: str
    amount: str
    unit: str

    def as_dict(self) -> dict[str, str]:
        return {"label": self.label, "amount": self.amount, "unit": self.unit}


def checked_target(label: str, amount: str, unit: str) -> Target:
    label = _line(label, "targets")
    unit = _line(unit, "targets", 16)
    try:
        number = Decimal(str(amount).strip().replace(",", ""))
    except InvalidOperation as error:
        raise CandidateError("targets", f"{amount!r} is not an amount") from error
    if not number.is_finite() or number <= 0 or number >= 10**12:
        raise CandidateError("targets", f"{amount!r} is not a positive amount")
    return Target(label, format(number.normalize(), "f"), unit)


@dataclass(frozen=True)
class Result:
    """One candidate's figures in the vote."""

    candidate: str
    votes_for: int
    against: int
    abstain: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "candidate": self.candidate,
            "for": self.votes_for,
            "against": self.against,
            "abstain": self.abstain,
        }


@dataclass(frozen=True)
class VoteSpec:
    """The published result of the congress's vote, as an administrator types it in."""

    session: str  # e.g. 无锡市第十七届人民代表大会第三次会议
    held_on: date
    document_number: str
    document_url: str
    voting: int  # delegates voting: each candidate's three figures add up to it
    declared: int  # how many key projects the vote chooses (e.g. 10)
    results: tuple[Result, ...]
    chosen: tuple[str, ...]


def check_vote(spec: VoteSpec, candidates: Sequence[str]) -> dict[str, Any]:
    """The vote as stored, or the first thing wrong with it (naming the candidate)."""
    session = _line(spec.session, "session", 120)
    number = _line(spec.document_number, "document_number", 60)
    url = spec.document_url.strip()
    if not re.fullmatch(r"https?://[^\s<>\"']{3,500}", url):
        raise CandidateError("document_url", "the source document's link (http or https) is needed")
    if spec.voting <= 0:
        raise CandidateError("voting", "the number of delegates voting must be positive")
    if not candidates:
        raise CandidateError("results", "there is no candidate to vote on")
    seen: set[str] = set()
    for r in spec.results:
        if r.candidate not in candidates:
            raise CandidateError("unknown", f"{r.candidate} is not a candidate", r.candidate)
        if r.candidate in seen:
            raise CandidateError("twice", f"{r.candidate} has two results", r.candidate)
        seen.add(r.candidate)
        if min(r.votes_for, r.against, r.abstain) < 0:
            raise CandidateError("negative", f"{r.candidate}: a figure is negative", r.candidate)
        total = r.votes_for + r.against + r.abstain
        if total != spec.voting:
            raise CandidateError(
                "sum",
                f"{r.candidate}: {r.votes_for} + {r.against} + {r.abstain} = {total},"
                f" not the {spec.voting} delegates voting",
                r.candidate,
            )
    for ref in candidates:
        if ref not in seen:
            raise CandidateError("missing", f"{ref} has no result", ref)
    if spec.declared <= 0 or spec.declared > len(candidates):
        raise CandidateError("declared", "the number of key projects chosen is out of range")
    if len(set(spec.chosen)) != len(spec.chosen):
        raise CandidateError("chosen", "a candidate is chosen twice")
    if len(spec.chosen) != spec.declared:
        raise CandidateError(
            "count", f"{len(spec.chosen)} chosen, but the vote declares {spec.declared}"
        )
    figures = {r.candidate: r for r in spec.results}
    for ref in spec.chosen:
        if ref not in figures:
            raise CandidateError("unknown", f"{ref} is not a candidate", ref)
        if 2 * figures[ref].votes_for <= spec.voting:
            raise CandidateError(
                "majority",
                f"{ref} has {figures[ref].votes_for} votes for, not more than half of"
                f" the {spec.voting} voting",
                ref,
            )
    return {
        "session": session,
        "held_on": spec.held_on.isoformat(),
        "document_number": number,
        "document_url": url,
        "voting": spec.voting,
        "declared": spec.declared,
        # in the list's order, whatever order they were typed in
        "results": [figures[ref].as_dict() for ref in candidates],
        "chosen": [ref for ref in candidates if ref in spec.chosen],
    }


def check_sources(sources: Iterable[str], conversions: Mapping[str, Any]) -> list[str]:
    """Proposal refs ("P17", checked by the proposals' owner at merge) and conversion refs
    ("Z3", which must exist), each once, in the order given."""
    refs: list[str] = []
    for raw in sources:
        ref = raw.strip().upper()
        if not ref:
            continue
        if PROPOSAL_REF.fullmatch(ref):
            pass
        elif CONVERSION_REF.fullmatch(ref):
            if ref not in conversions:
                raise CandidateError("sources", f"there is no conversion {ref}", ref)
        else:
            raise CandidateError("sources", f"{raw!r} is neither a proposal nor a conversion", raw)
        if ref not in refs:
            refs.append(ref)
    if not refs:
        raise CandidateError("sources", "a candidate comes from a proposal or a conversion")
    return refs


class CandidateBook(Aggregate):
    """The year's conversions, candidates and vote, numbered in the order they were made."""

    class Opened(Aggregate.Created):
        year: int
        actor: str

    class CasesConverted(Aggregate.Event):
        year: int
        ref: str  # "Z1"
        title: str
        problem: str  # the class of problem the cases show
        cases: list[dict[str, Any]]  # number, district, lead_unit (public facts, then)
        actor: str

        def apply(self, book: CandidateBook) -> None:
            book.conversions[self.ref] = tuple(c["number"] for c in self.cases)
            for case in self.cases:
                book.converted[case["number"]] = self.ref

    class CandidateListed(Aggregate.Event):
        year: int
        ref: str  # "C1"
        title: str
        category: str
        description: str
        sources: list[str]  # "P17", "Z3"
        targets: list[dict[str, str]]  # label, amount, unit
        units: list[str]  # responsible units, the lead first
        actor: str

        def apply(self, book: CandidateBook) -> None:
            book.listed[self.ref] = _listing(self)

    class CandidateCorrected(Aggregate.Event):
        """A listed candidate's words, targets or units corrected before the vote (a title
        typed wrong, a unit left out), with a public reason. Its sources stay: the proposals
        it adopted were answered with it."""

        year: int
        ref: str
        title: str
        category: str
        description: str
        targets: list[dict[str, str]]
        units: list[str]
        reason: str
        actor: str

        def apply(self, book: CandidateBook) -> None:
            book.listed[self.ref] = _listing(self)

    class VoteRecorded(Aggregate.Event):
        year: int
        vote: dict[str, Any]  # check_vote's
        actor: str

        def apply(self, book: CandidateBook) -> None:
            book.vote = self.vote

    class VoteCorrected(Aggregate.Event):
        """The recorded vote replaced whole (a figure typed wrong), with a public reason."""

        year: int
        vote: dict[str, Any]
        reason: str
        actor: str

        def apply(self, book: CandidateBook) -> None:
            book.vote = self.vote

    @event(Opened)
    def __init__(self, year: int, actor: str) -> None:
        self.year = year
        self.conversions: dict[str, tuple[str, ...]] = {}
        self.converted: dict[str, str] = {}  # case number -> conversion ref
        self.listed: dict[str, dict[str, Any]] = {}  # ref -> its words, targets and units now
        self.vote: dict[str, Any] | None = None

    @property
    def candidates(self) -> tuple[str, ...]:
        """The listed candidates' refs, in the order they were listed (C1, C2...)."""
        return tuple(self.listed)

    @classmethod
    def open(cls, year: int, actor: str, at: datetime) -> CandidateBook:
        return cls._create(cls.Opened, id=book_id(year), timestamp=at, year=year, actor=actor)

    def convert(
        self,
        title: str,
        problem: str,
        cases: Sequence[Mapping[str, Any]],
        actor: str,
        at: datetime,
    ) -> str:
        """Group cases (their public facts: number, district, lead_unit) into a conversion."""
        title, problem = _line(title, "title"), _text(problem, "problem", 500)
        if not cases:
            raise CandidateError("cases", "a conversion groups at least one case")
        if len(cases) > MAX_CASES:
            raise CandidateError("cases", f"at most {MAX_CASES} cases in one conversion")
        numbers = [str(c["number"]) for c in cases]
        times = Counter(numbers)
        for number in numbers:
            if times[number] > 1:
                raise CandidateError("cases", f"case {number} is listed twice", number)
            if number in self.converted:
                raise CandidateError(
                    "converted",
                    f"case {number} is already in conversion {self.converted[number]}",
                    number,
                )
        ref = f"Z{len(self.conversions) + 1}"
        self.trigger_event(
            self.CasesConverted,
            timestamp=at,
            year=self.year,
            ref=ref,
            title=title,
            problem=problem,
            cases=[
                {"number": str(c["number"]), "district": c["district"], "lead_unit": c["lead_unit"]}
                for c in cases
            ],
            actor=actor,
        )
        return ref

    def list_candidate(
        self,
        title: str,
        category: str,
        description: str,
        sources: Iterable[str],
        targets: Iterable[Target],
        units: Iterable[str],
        actor: str,
        at: datetime,
    ) -> str:
        if self.vote is not None:
            raise CandidateError("voted", "the vote is recorded: the list is closed")
        words = _checked_listing(title, category, description, targets, units)
        refs = check_sources(sources, self.conversions)
        ref = f"C{len(self.candidates) + 1}"
        self.trigger_event(
            self.CandidateListed,
            timestamp=at,
            year=self.year,
            ref=ref,
            sources=refs,
            actor=actor,
            **words,
        )
        return ref

    def correct_candidate(
        self,
        ref: str,
        title: str,
        category: str,
        description: str,
        targets: Iterable[Target],
        units: Iterable[str],
        reason: str,
        actor: str,
        at: datetime,
    ) -> None:
        """Correct a listed candidate before the vote; the list as voted is not rewritten."""
        if ref not in self.listed:
            raise CandidateError("unknown", f"there is no candidate {ref}", ref)
        if self.vote is not None:
            raise CandidateError("voted", "the vote is recorded: the list is closed")
        words = _checked_listing(title, category, description, targets, units)
        reason = _text(reason, "reason", 500)
        if words == self.listed[ref]:
            raise CandidateError("unchanged", "the correction changes nothing")
        self.trigger_event(
            self.CandidateCorrected,
            timestamp=at,
            year=self.year,
            ref=ref,
            reason=reason,
            actor=actor,
            **words,
        )

    def record_vote(self, spec: VoteSpec, actor: str, at: datetime) -> None:
        if self.vote is not None:
            raise CandidateError("recorded", "the vote is recorded already (correct it instead)")
        vote = check_vote(spec, self.candidates)
        self.trigger_event(self.VoteRecorded, timestamp=at, year=self.year, vote=vote, actor=actor)

    def correct_vote(self, spec: VoteSpec, reason: str, actor: str, at: datetime) -> None:
        if self.vote is None:
            raise CandidateError("not_recorded", "no vote is recorded yet")
        reason = _text(reason, "reason", 500)
        vote = check_vote(spec, self.candidates)
        if vote == self.vote:
            raise CandidateError("unchanged", "the correction changes nothing")
        self.trigger_event(
            self.VoteCorrected,
            timestamp=at,
            year=self.year,
            vote=vote,
            reason=reason,
            actor=actor,
        )


def _checked_listing(
    title: str,
    category: str,
    description: str,
    targets: Iterable[Target],
    units: Iterable[str],
) -> dict[str, Any]:
    """A candidate's words, targets and units as listed (or corrected), checked."""
    title = _line(title, "title")
    category = _line(category, "category", 40)
    description = _text(description, "description")
    goals = [t.as_dict() for t in targets]
    if len(goals) > MAX_TARGETS:
        raise CandidateError("targets", f"at most {MAX_TARGETS} targets")
    names: list[str] = []
    for unit in units:
        name = clean_line(unit)
        if name and name not in names:
            names.append(_line(name, "units", 40))
    if not names:
        raise CandidateError("units", "a responsible unit is needed")
    if len(names) > MAX_UNITS:
        raise CandidateError("units", f"at most {MAX_UNITS} responsible units")
    return {
        "title": title,
        "category": category,
        "description": description,
        "targets": goals,
        "units": names,
    }


def _listing(
    e: CandidateBook.CandidateListed | CandidateBook.CandidateCorrected,
) -> dict[str, Any]:
    return {
        "title": e.title,
        "category": e.category,
        "description": e.description,
        "targets": list(e.targets),
        "units": list(e.units),
    }
