"""Citizens' satisfaction with projects and items (问效于民): one vote per person, subject, quarter.

A ballot's id is derived from who (a keyed hash of their verified phone or
e-mail, never the contact itself), what (a project or an item) and when (the
quarter, 季调度), so a second rating in the same quarter is an event on the
same ballot: both are kept, the latest counts. The comment travels sealed with
the person's key and is published only once a moderator approves it.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainError
from domain.plan import NAMESPACE
from domain.satisfaction import LEVELS

SUBJECT = re.compile(r"^(project:(20\d\d):\d{1,2}\.\d{1,2}|item:(20\d\d):\d{1,2})$")
# Why a comment was not published: categories, never the text (shown to the public as counts).
REJECTIONS = {
    "personal": "含有个人信息",
    "abusive": "辱骂、攻击他人",
    "off_topic": "与本项目无关",
    "advertising": "广告或垃圾信息",
    "illegal": "违法或不实信息",
}
COMMENT_MAX = 500


Z95 = 1.959963984540054  # the normal quantile for a two-sided 95% interval


def wilson(successes: int, total: int, z: float = Z95) -> tuple[float, float]:
    """Wilson's score interval for a proportion (E. B. Wilson, JASA 1927)."""
    if total == 0:
        return (0.0, 1.0)
    p = successes / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


class RatingError(DomainError):
    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


def quarter_of(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def ballot_id(voter: str, subject: str, quarter: str) -> UUID:
    return uuid5(NAMESPACE, f"ballot/{voter}/{subject}/{quarter}")


def subject_year(subject: str) -> int:
    return int(subject.split(":")[1])


def _check(subject: str, level: str, has_comment: bool, comment_length: int) -> None:
    if not SUBJECT.match(subject):
        raise RatingError("subject", f"not a project or item: {subject!r}")
    if level not in LEVELS:
        raise RatingError("level", f"one of {', '.join(LEVELS)}")
    if has_comment and comment_length > COMMENT_MAX:
        raise RatingError("comment", f"at most {COMMENT_MAX} characters")


class Ballot(Aggregate):
    """One person's rating of one subject in one quarter; recast replaces it in the counts."""

    class Cast(Aggregate.Created):
        subject: str  # "project:2023:9.1" or "item:2023:9"
        quarter: str  # "2023Q3"
        voter: str  # keyed hash of the verified contact (de-duplication only)
        key_id: str  # the person's key: the contact and the comment are sealed with it
        sealed: str  # {"contact": ..., "comment": ...}
        level: str
        has_comment: bool
        district: str | None  # optional, told by the citizen
        network: str  # keyed hash of the network (a /24 or /48), for moderators only
        actor: str  # "citizen", or "sim:..." for the labelled simulation

    class Recast(Aggregate.Event):
        sealed: str
        level: str
        has_comment: bool
        district: str | None
        network: str
        actor: str

        def apply(self, ballot: Ballot) -> None:
            ballot.level, ballot.sealed = self.level, self.sealed
            ballot.district = self.district
            ballot.comment_version = self.originator_version if self.has_comment else None
            ballot.moderated = False

    class CommentApproved(Aggregate.Event):
        comment_version: int  # which cast's comment
        actor: str

        def apply(self, ballot: Ballot) -> None:
            ballot.moderated = True

    class CommentRejected(Aggregate.Event):
        comment_version: int
        category: str
        actor: str

        def apply(self, ballot: Ballot) -> None:
            ballot.moderated = True

    @event(Cast)
    def __init__(
        self,
        subject: str,
        quarter: str,
        voter: str,
        key_id: str,
        sealed: str,
        level: str,
        has_comment: bool,
        district: str | None,
        network: str,
        actor: str,
    ) -> None:
        self.subject, self.quarter, self.voter, self.key_id = subject, quarter, voter, key_id
        self.level, self.district, self.sealed = level, district, sealed
        self.comment_version: int | None = 1 if has_comment else None
        self.moderated = False

    @classmethod
    def cast(
        cls,
        *,
        subject: str,
        quarter: str,
        voter: str,
        key_id: str,
        sealed: str,
        level: str,
        comment_length: int,
        district: str | None,
        network: str,
        actor: str,
        at: datetime,
    ) -> Ballot:
        _check(subject, level, comment_length > 0, comment_length)
        return cls._create(
            cls.Cast,
            id=ballot_id(voter, subject, quarter),
            timestamp=at,
            subject=subject,
            quarter=quarter,
            voter=voter,
            key_id=key_id,
            sealed=sealed,
            level=level,
            has_comment=comment_length > 0,
            district=district,
            network=network,
            actor=actor,
        )

    def recast(
        self,
        *,
        sealed: str,
        level: str,
        comment_length: int,
        district: str | None,
        network: str,
        actor: str,
        at: datetime,
    ) -> None:
        _check(self.subject, level, comment_length > 0, comment_length)
        self.trigger_event(
            self.Recast,
            timestamp=at,
            sealed=sealed,
            level=level,
            has_comment=comment_length > 0,
            district=district,
            network=network,
            actor=actor,
        )

    def _pending(self, comment_version: int) -> None:
        if self.comment_version is None or self.moderated:
            raise RatingError("nothing_pending", "no comment awaits moderation")
        if comment_version != self.comment_version:
            raise RatingError("superseded", "the citizen has rated again since")

    def approve_comment(self, comment_version: int, actor: str, at: datetime) -> None:
        self._pending(comment_version)
        self.trigger_event(
            self.CommentApproved, timestamp=at, comment_version=comment_version, actor=actor
        )

    def reject_comment(self, comment_version: int, category: str, actor: str, at: datetime) -> None:
        self._pending(comment_version)
        if category not in REJECTIONS:
            raise RatingError("category", f"one of {', '.join(REJECTIONS)}")
        self.trigger_event(
            self.CommentRejected,
            timestamp=at,
            comment_version=comment_version,
            category=category,
            actor=actor,
        )
