"""Commands for the cycle's candidates (mixed into the Ledger): convert cases, list a
candidate, record the congress's vote and correct it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Repository
from eventsourcing.persistence import Recording

from domain.candidates import (
    PROPOSAL_REF,
    CandidateBook,
    CandidateError,
    Target,
    VoteSpec,
    book_id,
)
from domain.cases import Case, CaseError
from domain.proposals import (
    APPROVED,
    MERGED,
    NOT_ADOPTED,
    Proposal,
    number_of,
    proposal_id,
    proposal_ref,
)


class CandidateCommands:
    repository: Repository[UUID]
    save: Callable[..., list[Recording[Any]]]
    clock: Callable[[], datetime]
    case_by_number: Callable[[str], Case]  # from CaseCommands

    def candidate_book(self, year: int) -> CandidateBook | None:
        try:
            book: CandidateBook = self.repository.get(book_id(year))
        except AggregateNotFoundError:
            return None
        return book

    def _source_proposal(self, year: int, ref: str) -> Proposal:
        """The proposal "P17" of `year`'s solicitation, as a candidate's source: published,
        and not merged into another or answered "not adopted" (name the one it was merged
        into instead). Refused with the ref otherwise."""
        number = number_of(ref)
        try:
            proposal: Proposal = self.repository.get(proposal_id(year, number or 0))
        except AggregateNotFoundError:
            raise CandidateError("sources", f"there is no proposal {ref}", ref) from None
        if proposal.state != APPROVED:
            raise CandidateError("sources", f"proposal {ref} is not published", ref)
        if proposal.answer == MERGED:
            into = proposal_ref(proposal.merged_into or 0)
            raise CandidateError("sources", f"proposal {ref} was merged into {into}", ref)
        if proposal.answer == NOT_ADOPTED:
            raise CandidateError("sources", f"proposal {ref} was answered: not adopted", ref)
        return proposal

    def _book(self, year: int, actor: str) -> CandidateBook:
        return self.candidate_book(year) or CandidateBook.open(year, actor, self.clock())

    def convert_cases(
        self, year: int, title: str, problem: str, numbers: Sequence[str], actor: str
    ) -> str:
        """Group these cases (by number) into a conversion of `year`'s cycle: its ref "Z1".
        Refused: an unknown case, a case twice, a case in another conversion of the year, and
        a case whose citizen did not agree to publish their words (a conversion is public for
        good, and its class of problem would tell what such a case is about)."""
        cases = []
        for raw in numbers:
            number = raw.strip().upper()
            if not number:
                continue
            try:
                case = self.case_by_number(number)
            except CaseError as error:
                raise CandidateError(
                    "unknown_case", f"there is no case {number}", number
                ) from error
            if not case.consent:
                raise CandidateError(
                    "no_consent", f"case {number}: its words are not to be published", number
                )
            cases.append(
                {"number": case.number, "district": case.district, "lead_unit": case.lead_unit}
            )
        book = self._book(year, actor)
        ref = book.convert(title, problem, cases, actor, self.clock())
        self.save(book)
        return ref

    def list_candidate(
        self,
        year: int,
        *,
        title: str,
        category: str,
        description: str,
        sources: Iterable[str],
        targets: Iterable[Target],
        units: Iterable[str],
        actor: str,
    ) -> str:
        """Put a candidate on `year`'s list: its ref "C1". A proposal it names must be
        published and not merged away or declined; one not answered yet is answered
        "adopted as" this candidate in the same transaction (its page and feed say so)."""
        sources = list(sources)
        answered: dict[str, Proposal] = {}
        for raw in sources:
            ref = raw.strip().upper()
            if PROPOSAL_REF.fullmatch(ref):
                proposal = self._source_proposal(year, ref)
                if proposal.answer is None:
                    answered[ref] = proposal
        book = self._book(year, actor)
        at = self.clock()
        ref = book.list_candidate(title, category, description, sources, targets, units, actor, at)
        for proposal in answered.values():
            proposal.adopt(ref, "", actor, at)
        self.save(book, *answered.values())
        return ref

    def correct_candidate(
        self,
        year: int,
        ref: str,
        *,
        title: str,
        category: str,
        description: str,
        targets: Iterable[Target],
        units: Iterable[str],
        reason: str,
        actor: str,
    ) -> None:
        """Correct a listed candidate before the vote, with a public reason."""
        book = self.candidate_book(year)
        if book is None:
            raise CandidateError("unknown", f"there is no candidate {ref}", ref)
        book.correct_candidate(
            ref, title, category, description, targets, units, reason, actor, self.clock()
        )
        self.save(book)

    def record_vote(self, year: int, spec: VoteSpec, actor: str) -> None:
        book = self.candidate_book(year)
        if book is None:
            raise CandidateError("results", "there is no candidate to vote on")
        book.record_vote(spec, actor, self.clock())
        self.save(book)

    def correct_vote(self, year: int, spec: VoteSpec, reason: str, actor: str) -> None:
        book = self.candidate_book(year)
        if book is None:
            raise CandidateError("not_recorded", "no vote is recorded yet")
        book.correct_vote(spec, reason, actor, self.clock())
        self.save(book)
