"""Commands for citizens' ratings (mixed into the Ledger): rate, moderate, read a comment.

The contact and the comment are sealed with the person's own key (the same
key as their cases when it is the same phone number), so erasing a person
makes both unrecoverable while the counts keep their rating.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Repository
from eventsourcing.persistence import IntegrityError, Recording

from application.vault import Vault
from application.verification import Verified
from domain.plan import Item, item_id
from domain.ratings import SUBJECT, Ballot, RatingError, ballot_id, quarter_of
from domain.wuxi import business_date


@dataclass(frozen=True)
class RatingReceipt:
    ballot_id: str
    quarter: str
    replaced: bool  # True: an earlier rating of this quarter no longer counts
    notification_id: int


class _Rating(TypedDict):
    """What a ballot records of one rating, whether cast or recast."""

    sealed: str
    level: str
    comment_length: int
    district: str | None
    network: str
    actor: str


class RatingCommands:
    repository: Repository[UUID]
    save: Callable[..., list[Recording[Any]]]
    clock: Callable[[], datetime]
    vault: Vault

    def quarter_now(self) -> str:
        return quarter_of(business_date(self.clock()))

    def subject_exists(self, subject: str) -> bool:
        known: set[str] = self.__dict__.setdefault("_known_subjects", set())
        if subject in known:  # a registered plan's items and projects never go away
            return True
        match = SUBJECT.match(subject)
        if not match:
            return False
        kind, year, key = subject.split(":")
        try:
            item: Item = self.repository.get(item_id(int(year), int(key.split(".")[0])))
        except AggregateNotFoundError:
            return False
        exists = kind == "item" or any(p.number == key for p in item.projects)
        if exists:
            known.add(subject)
        return exists

    def rate(
        self,
        who: Verified,
        subject: str,
        level: str,
        comment: str,
        district: str | None,
        network: str,
        actor: str = "citizen",
    ) -> RatingReceipt:
        """Cast this person's rating for this quarter, or replace the one they cast."""
        if not self.subject_exists(subject):
            raise RatingError("subject", f"no such project or item: {subject}")
        comment = comment.strip()
        quarter = self.quarter_now()
        key_id = self.vault.key_for(who.address.value)
        ballot_uuid = ballot_id(who.voter, subject, quarter)
        sealed = self.vault.seal(
            key_id, {"contact": who.address.value, "comment": comment}, str(ballot_uuid)
        )
        fields: _Rating = {
            "sealed": sealed,
            "level": level,
            "comment_length": len(comment),
            "district": district or None,
            "network": network,
            "actor": actor,
        }
        for _attempt in range(3):
            try:
                ballot: Ballot = self.repository.get(ballot_uuid)
            except AggregateNotFoundError:
                ballot = Ballot.cast(
                    subject=subject,
                    quarter=quarter,
                    voter=who.voter,
                    key_id=key_id,
                    at=self.clock(),
                    **fields,
                )
                replaced = False
            else:
                ballot.recast(at=self.clock(), **fields)
                replaced = True
            try:
                recordings = self.save(ballot)
            except IntegrityError:
                continue  # the same person rated at the same moment: read again and recast
            self.vault.remember(key_id, str(ballot_uuid))
            last = max(r.notification.id for r in recordings)
            return RatingReceipt(str(ballot_uuid), quarter, replaced, last)
        raise RatingError("busy", "could not record the rating; try again")

    def ballot(self, ballot: str) -> Ballot:
        try:
            return self.repository.get(UUID(ballot))
        except (AggregateNotFoundError, ValueError) as error:
            raise RatingError("not_found", "no such rating") from error

    def is_ballot(self, aggregate_id: str) -> bool:
        """Whether this id (e.g. one of a person's sealed records) is a rating."""
        try:
            return isinstance(self.repository.get(UUID(aggregate_id)), Ballot)
        except (AggregateNotFoundError, ValueError):
            return False

    def comment_of(self, ballot: Ballot) -> str | None:
        """The comment, for a moderator; None once the person is erased."""
        opened = self.vault.open(ballot.key_id, ballot.sealed, str(ballot.id))
        return opened.get("comment") if opened else None

    def approve_comment(self, ballot: str, version: int, actor: str) -> None:
        found = self.ballot(ballot)
        found.approve_comment(version, actor, self.clock())
        self.save(found)

    def reject_comment(self, ballot: str, version: int, category: str, actor: str) -> None:
        found = self.ballot(ballot)
        found.reject_comment(version, category, actor, self.clock())
        self.save(found)
