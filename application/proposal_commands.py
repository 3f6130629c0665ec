"""Commands for the solicitation of proposals (mixed into the Ledger): open, close, propose,
moderate, support, answer.

The citizen's contact and words are sealed with their own key (the same key as their
cases and ratings), and the proposal is remembered under that key, so erasing the person
(`flask cases erase`) makes a proposal's sealed words and contact unrecoverable. The words
the task force approves are public for good, so approval refuses text that gives a mobile
number or the proposer's contact.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Repository
from eventsourcing.persistence import IntegrityError, Recording

from application.vault import Vault
from application.verification import Verified
from domain.candidates import CandidateBook, book_id
from domain.plan import Plan, plan_id
from domain.proposals import (
    Proposal,
    ProposalError,
    Solicitation,
    Support,
    check_description,
    check_title,
    proposal_id,
    solicitation_id,
    support_id,
)
from domain.public_text import mentions_contact, mentions_mobile_number
from domain.text import unstorable_fields

PLAN_LOOKBACK = 5  # years back to the latest registered plan whose categories a proposal uses


@dataclass(frozen=True)
class ProposalReceipt:
    year: int
    number: int
    notification_id: int

    @property
    def ref(self) -> str:
        return f"P{self.number}"


class ProposalCommands:
    repository: Repository[UUID]
    save: Callable[..., list[Recording[Any]]]
    clock: Callable[[], datetime]
    vault: Vault

    # The solicitation ------------------------------------------------------------------

    def solicitation(self, year: int) -> Solicitation | None:
        try:
            found: Solicitation = self.repository.get(solicitation_id(year))
        except AggregateNotFoundError:
            return None
        return found

    def open_solicitation(self, year: int, last_day: date, actor: str) -> None:
        if self.solicitation(year) is not None:
            raise ProposalError("opened", "the solicitation of this year was opened already")
        try:
            self.save(Solicitation.open(year=year, last_day=last_day, actor=actor, at=self.clock()))
        except IntegrityError as error:  # opened at the same moment elsewhere
            raise ProposalError("opened", "the solicitation was opened already") from error

    def close_solicitation(self, year: int, actor: str) -> None:
        found = self.solicitation(year)
        if found is None:
            raise ProposalError("not_open", "no solicitation for this year")
        found.close(actor, self.clock())
        self.save(found)

    def proposal_categories(self, year: int) -> list[str]:
        """The category names a proposal for `year` may take: those of the latest plan
        registered up to that year (the 2024 cycle proposes in 2023's categories)."""
        for y in range(year, year - PLAN_LOOKBACK, -1):
            try:
                plan: Plan = self.repository.get(plan_id(y))
            except AggregateNotFoundError:
                continue
            return [c.name for c in plan.categories]
        return []

    # Proposing ---------------------------------------------------------------------------

    def propose(
        self,
        who: Verified,
        year: int,
        title: str,
        description: str,
        category: str,
        district: str,
        actor: str = "citizen",
    ) -> ProposalReceipt:
        """Number and record a citizen's proposal, sealed until the task force approves it."""
        title, description = check_title(title), check_description(description)
        if bad := unstorable_fields({"title": title, "description": description}):
            raise ProposalError(bad[0], "characters that cannot be stored")
        categories = self.proposal_categories(year)
        if category not in categories:
            raise ProposalError("category", "one of the plan's categories")
        key_id = self.vault.key_for(who.address.value)
        for _attempt in range(5):
            solicitation = self.solicitation(year)
            if solicitation is None:
                raise ProposalError("not_open", "no solicitation is open for this year")
            number = solicitation.receive(self.clock())
            uuid = proposal_id(year, number)
            sealed = self.vault.seal(
                key_id,
                {"contact": who.address.value, "title": title, "description": description},
                str(uuid),
            )
            proposal = Proposal.submit(
                year=year,
                number=number,
                category=category,
                district=district,
                key_id=key_id,
                sealed=sealed,
                supporter=who.voter,
                actor=actor,
                at=self.clock(),
            )
            try:
                recordings = self.save(solicitation, proposal)
            except IntegrityError:
                continue  # another proposal took this number: number again
            self.vault.remember(key_id, str(uuid))
            last = max(r.notification.id for r in recordings)
            return ProposalReceipt(year, number, last)
        raise ProposalError("busy", "could not record the proposal; try again")

    def proposal(self, year: int, number: int) -> Proposal:
        try:
            found: Proposal = self.repository.get(proposal_id(year, number))
        except AggregateNotFoundError as error:
            raise ProposalError("not_found", "no such proposal") from error
        return found

    def proposals_of(self, contact: str) -> list[Proposal]:
        """The proposals this (verified) contact made, oldest year and number first; none
        once the person is erased (their key, and so the record of what they made, is gone)."""
        found: list[Proposal] = []
        for key_id in self.vault.keys_of(contact):
            for aggregate_id in self.vault.cases_of(key_id):
                try:
                    aggregate: object = self.repository.get(UUID(aggregate_id))
                except (AggregateNotFoundError, ValueError):
                    continue
                if isinstance(aggregate, Proposal):
                    found.append(aggregate)
        return sorted(found, key=lambda p: (p.year, p.number))

    def is_proposal(self, aggregate_id: str) -> bool:
        """Whether this id (one of a person's sealed records) is a proposal."""
        try:
            return isinstance(self.repository.get(UUID(aggregate_id)), Proposal)
        except (AggregateNotFoundError, ValueError):
            return False

    def proposal_words(self, proposal: Proposal) -> dict[str, str] | None:
        """What the citizen wrote (title, description), for the task force moderating it and
        the citizen; None once the person is erased. Never the contact."""
        opened = self.vault.open(proposal.key_id, proposal.sealed, str(proposal.id))
        if opened is None:
            return None
        return {"title": opened.get("title", ""), "description": opened.get("description", "")}

    # Moderation --------------------------------------------------------------------------

    def approve_proposal(
        self,
        year: int,
        number: int,
        actor: str,
        title: str | None = None,
        description: str | None = None,
    ) -> None:
        """Publish the proposal: its words as the citizen wrote them, or as the task force
        edited them (`title`, `description`) to take out what names a person."""
        proposal = self.proposal(year, number)
        opened = self.vault.open(proposal.key_id, proposal.sealed, str(proposal.id))
        if opened is None:
            raise ProposalError("erased", "the proposer's data was erased: it can only be rejected")
        words = (title or opened["title"], description or opened["description"])
        words = (check_title(words[0]), check_description(words[1]))
        for text in words:
            if mentions_mobile_number(text) or mentions_contact(text, "", opened["contact"]):
                raise ProposalError("personal", "published text may not give a phone or contact")
        edited = words != (opened["title"], opened["description"])
        proposal.approve(words[0], words[1], edited, actor, self.clock())
        self.save(proposal)

    def reject_proposal(self, year: int, number: int, category: str, actor: str) -> None:
        proposal = self.proposal(year, number)
        proposal.reject(category, actor, self.clock())
        self.save(proposal)

    # Support -----------------------------------------------------------------------------

    def support_proposal(
        self, who: Verified, year: int, number: int, actor: str = "citizen"
    ) -> int:
        """Record this person's support; refused (code "twice") the second time. The log
        position of the support."""
        proposal = self.proposal(year, number)
        try:
            self.repository.get(support_id(year, number, who.voter))
        except AggregateNotFoundError:
            pass
        else:
            raise ProposalError("twice", "this person supports the proposal already")
        support = Support.give(proposal=proposal, supporter=who.voter, actor=actor, at=self.clock())
        try:
            recordings = self.save(support)
        except IntegrityError as error:  # the same person, at the same moment
            raise ProposalError("twice", "this person supports the proposal already") from error
        return max(r.notification.id for r in recordings)

    def supports(self, who: Verified, year: int, number: int) -> bool:
        """Whether this person supports the proposal."""
        try:
            self.repository.get(support_id(year, number, who.voter))
        except AggregateNotFoundError:
            return False
        return True

    # Answers -----------------------------------------------------------------------------

    def candidate_exists(self, year: int, ref: str) -> bool:
        """Whether the cycle of `year` has listed the candidate `ref` ("C3")."""
        try:
            book: CandidateBook = self.repository.get(book_id(year))
        except AggregateNotFoundError:
            return False
        return ref.strip().upper() in book.candidates

    def adopt_proposal(self, year: int, number: int, candidate: str, note: str, actor: str) -> None:
        """Answer: adopted as (or into) the candidate `candidate` ("C3") of the same cycle."""
        proposal = self.proposal(year, number)
        proposal.adopt(candidate, note, actor, self.clock())
        if not self.candidate_exists(year, proposal.candidate or ""):
            raise ProposalError("candidate_unknown", f"no candidate {candidate} in {year}")
        self.save(proposal)

    def merge_proposal(self, year: int, number: int, into: int, reason: str, actor: str) -> None:
        proposal = self.proposal(year, number)
        try:
            target = self.proposal(year, into)
        except ProposalError as error:
            raise ProposalError("into", "no such proposal to merge into") from error
        proposal.merge_into(target, reason, actor, self.clock())
        self.save(proposal)

    def decline_proposal(self, year: int, number: int, reason: str, actor: str) -> None:
        """Answer: not adopted, with the reason (public)."""
        proposal = self.proposal(year, number)
        proposal.decline(reason, actor, self.clock())
        self.save(proposal)
