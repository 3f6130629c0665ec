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

    def proposal_exists(self, year: int, ref: str) -> bool:
        """Is "P17" a proposal of `year`'s solicitation that can become a candidate? The
        proposals' commands override this (until then any well-formed ref is taken)."""
        return True

    def _book(self, year: int, actor: str) -> CandidateBook:
        return self.candidate_book(year) or CandidateBook.open(year, actor, self.clock())

    def convert_cases(
        self, year: int, title: str, problem: str, numbers: Sequence[str], actor: str
    ) -> str:
        """Group these cases (by number) into a conversion of `year`'s cycle: its ref "Z1".
        Refused: an unknown case, a case twice, a case in another conversion of the year."""
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
        """Put a candidate on `year`'s list: its ref "C1". A proposal it names must exist."""
        sources = list(sources)
        for raw in sources:
            ref = raw.strip().upper()
            if PROPOSAL_REF.fullmatch(ref) and not self.proposal_exists(year, ref):
                raise CandidateError("sources", f"there is no proposal {ref}", ref)
        book = self._book(year, actor)
        ref = book.list_candidate(
            title, category, description, sources, targets, units, actor, self.clock()
        )
        self.save(book)
        return ref

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
