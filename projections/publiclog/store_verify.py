"""Checking the store chain: the stored events, recomputed, against the published links.

Every stored record is compared with the link the store chain's read model
published for it, each from the published link before it: a changed record
is named even when others changed too. The chain recomputed from the store
alone is also compared with every checkpoint's store head, so a store whose
read model was rebuilt over changed records is still caught.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from projections.publiclog.store_chain import GENESIS, Record, link


@dataclass(frozen=True)
class Claim:
    """What a checkpoint says of the store chain: it had `events` links, the last `head`."""

    source: str
    events: int
    head: str


@dataclass
class ChainVerdict:
    events: int = 0  # the chain recomputed from the store: its length...
    head: str = GENESIS  # ...and its last link
    pending: int = 0  # stored events past the published chain (not chained yet)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def name(notification_id: int, originator_id: Any, version: int, topic: str) -> str:
    return f"notification {notification_id} ({originator_id} version {version}, {topic})"


def verify_store_chain(
    records: Iterable[Record], published: Iterable[Any], claims: Iterable[Claim] = ()
) -> ChainVerdict:
    """`records`: every stored event in notification order; `published`: the read model's rows."""
    walk = _Walk(claims)
    stored, rows = iter(records), iter(published)
    record, row = next(stored, None), next(rows, None)
    previous = GENESIS  # the published link before `row`
    while record is not None or row is not None:
        if row is None:
            # not None: the loop goes on only while a record or a row is left
            walk.advance(record)  # type: ignore[arg-type]
            walk.verdict.pending += 1
            record = next(stored, None)
        elif record is None or row.notification_id < record.id:
            walk.problem(f"{_published(row)} is in the published chain but not in the store")
            previous, row = row.link, next(rows, None)
        elif record.id < row.notification_id:
            walk.advance(record)
            walk.problem(f"{_stored(record)} is in the store but not in the published chain")
            record = next(stored, None)
        else:
            walk.advance(record)
            walk.compare(record, row, previous)
            previous, record, row = row.link, next(stored, None), next(rows, None)
    return walk.finish()


class _Walk:
    def __init__(self, claims: Iterable[Claim]) -> None:
        self.verdict = ChainVerdict()
        self.claims: dict[int, list[Claim]] = defaultdict(list)
        for claim in claims:
            self.claims[claim.events].append(claim)
        self.held_at = (0, 0)  # (length, notification id) where a claim last held

    def advance(self, record: Record) -> None:
        """One more link of the chain recomputed from the store alone."""
        v = self.verdict
        v.events += 1
        v.head = link(v.head, record)
        for claim in self.claims.pop(v.events, ()):
            if claim.head == v.head:
                self.held_at = (v.events, record.id)
                continue
            since = (
                f" and after notification {self.held_at[1]}, where an earlier checkpoint holds"
                if self.held_at[0]
                else ""
            )
            self.problem(
                f"{claim.source} says link {claim.events} of the store chain is {claim.head}; "
                f"recomputed from the stored events it is {v.head}: a record was changed, "
                f"deleted or inserted at or before notification {record.id}{since}"
            )

    def compare(self, record: Record, row: Any, previous: str) -> None:
        stored = (str(record.originator_id), record.originator_version, record.topic)
        chained = (row.originator_id, row.originator_version, row.topic)
        if stored != chained:
            self.problem(f"{_stored(record)} is not what was chained there: {_published(row)}")
        elif link(previous, record) != row.link:
            self.problem(f"{_stored(record)} changed: its stored bytes are not what was chained")

    def problem(self, text: str) -> None:
        self.verdict.problems.append(text)

    def finish(self) -> ChainVerdict:
        for claims in self.claims.values():
            for claim in claims:
                self.problem(
                    f"{claim.source} counts {claim.events} stored events; "
                    f"the store has {self.verdict.events}: records were deleted"
                )
        return self.verdict


def _stored(record: Record) -> str:
    return name(record.id, record.originator_id, record.originator_version, record.topic)


def _published(row: Any) -> str:
    return name(row.notification_id, row.originator_id, row.originator_version, row.topic)


def checkpoint_claims(checkpoints: Iterable[Record], mapper: Any) -> tuple[list[Claim], list[str]]:
    """What each stored checkpoint says of the store chain (version 1 checkpoints say nothing),
    and the checkpoints that cannot even be read."""
    claims, problems = [], []
    for record in checkpoints:
        try:
            event = mapper.to_domain_event(record)
        except Exception as error:  # a changed record may no longer decode: name it
            problems.append(f"{_stored(record)} cannot be read: {type(error).__name__}")
            continue
        if event.store_head is not None:
            source = f"the checkpoint of {event.day} (notification {record.id})"
            claims.append(Claim(source, event.store_events, event.store_head))
    return claims, problems
