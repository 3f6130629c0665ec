"""Checking the public log: against its own hashes (an export), or against the event store."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from projections.public_entries import GENESIS, Deriver, Entry, chain


@dataclass(frozen=True)
class Finding:
    seq: int
    uuid: str
    problem: str

    def __str__(self) -> str:
        return f"entry {self.seq} (event {self.uuid}): {self.problem}"


@dataclass(frozen=True)
class Verdict:
    entries: int
    head: str
    first_problem: Finding | None

    @property
    def ok(self) -> bool:
        return self.first_problem is None


def _hash_of(canonical: str, previous: str) -> str:
    return hashlib.sha256(f"{previous}\n{canonical}".encode()).hexdigest()


def verify_export(lines: Iterable[str]) -> Verdict:
    """An export (JSON Lines) checked against itself: every hash, every link, every checkpoint."""
    previous, heads, count = GENESIS, {0: GENESIS}, 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            canonical = json.dumps(
                record["entry"], sort_keys=True, ensure_ascii=False, separators=(",", ":")
            )
            seq, uuid = record["seq"], record["entry"]["uuid"]
        except (ValueError, KeyError, TypeError):
            return Verdict(count, previous, Finding(number, "?", "not a log entry"))
        problem = None
        if seq != count + 1:
            problem = f"out of order (expected entry {count + 1})"
        elif record["prev_hash"] != previous:
            problem = "does not follow the entry before it"
        elif _hash_of(canonical, previous) != record["hash"]:
            problem = "its hash does not match its content"
        else:
            problem = _checkpoint_problem(record["entry"], heads)
        if problem:
            return Verdict(count, previous, Finding(seq, uuid, problem))
        previous, count = record["hash"], seq
        heads[seq] = previous
    return Verdict(count, previous, None)


def verify_store(notifications: Iterable[Any], mapper: Any, published: Iterable[Any]) -> Verdict:
    """Derive the log again from the stored events and compare it with the published chain."""
    rows = iter(published)
    deriver, previous, heads, count = Deriver(), GENESIS, {0: GENESIS}, 0
    for notification in notifications:
        try:
            event = mapper.to_domain_event(notification)
            entry: Entry | None = deriver.derive(event)
        except Exception as error:
            return Verdict(
                count,
                previous,
                Finding(
                    count + 1,
                    f"notification {notification.id}",
                    f"cannot be read: {type(error).__name__}",
                ),
            )
        if entry is None:
            continue
        row = next(rows, None)
        digest = chain(previous, entry)
        count += 1
        if row is None:
            return Verdict(
                count - 1,
                previous,
                Finding(count, entry.uuid, "is in the store but not in the published log"),
            )
        if row.uuid != entry.uuid or row.hash != digest:
            return Verdict(
                count - 1,
                previous,
                Finding(
                    count,
                    entry.uuid,
                    f"differs from the published entry (notification {notification.id})",
                ),
            )
        problem = _checkpoint_problem(json.loads(entry.canonical()), heads)
        if problem:
            return Verdict(count - 1, previous, Finding(count, entry.uuid, problem))
        previous = digest
        heads[count] = digest
    extra = next(rows, None)
    if extra is not None:
        return Verdict(
            count, previous, Finding(extra.seq, extra.uuid, "is published but not in the store")
        )
    return Verdict(count, previous, None)


def _checkpoint_problem(entry: dict[str, Any], heads: dict[int, str]) -> str | None:
    if entry.get("kind") != "log.checkpoint":
        return None
    payload = entry["payload"]
    if heads.get(payload["entries"]) != payload["head"]:
        return f"checkpoint of {payload['day']} names a head the log does not have"
    return None
