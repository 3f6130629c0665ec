"""Checking the public log: against its own hashes (an export), or against the event store."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from projections.publiclog.public_entries import GENESIS, Deriver, Entry, chain


@dataclass(frozen=True)
class Finding:
    seq: int
    uuid: str
    problem: str

    def __str__(self) -> str:
        event = f" (event {self.uuid})" if self.uuid else ""
        return f"entry {self.seq}{event}: {self.problem}"


@dataclass(frozen=True)
class Verdict:
    entries: int
    head: str
    first_problem: Finding | None

    @property
    def ok(self) -> bool:
        return self.first_problem is None


_HEAD = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class SavedCheckpoint:
    """A checkpoint someone kept: the public log had `entries` entries, the last one `head`;
    the store chain (when the checkpoint names it) had `store_events` links, the last
    `store_head`."""

    entries: int
    head: str
    store_events: int | None = None
    store_head: str | None = None

    @classmethod
    def parse(cls, text: str) -> SavedCheckpoint:
        """`SEQ:HEAD`, or a checkpoint as published: a line of log.jsonl, an entry of
        /api/v1/log, or its payload (JSON)."""
        seq, colon, head = text.strip().partition(":")
        if colon and seq.isdigit() and _HEAD.fullmatch(head):
            return cls(int(seq), head)
        try:
            found = json.loads(text)
            entry = found.get("entry", found)
            payload = entry.get("payload", entry)
            saved = cls(
                payload["entries"],
                payload["head"],
                payload.get("store_events"),
                payload.get("store_head"),
            )
        except (ValueError, AttributeError, KeyError, TypeError) as error:
            raise ValueError("not a checkpoint: give SEQ:HEAD or a published checkpoint") from error
        if not saved._well_formed():
            raise ValueError("not a checkpoint: a count and a 64-digit hex hash are needed")
        return saved

    def _well_formed(self) -> bool:
        # From JSON, parse() fills the fields with whatever the text held: check them as such.
        counts: Sequence[object] = [self.entries] + (
            [] if self.store_events is None else [self.store_events]
        )
        heads: Sequence[object] = [self.head] + (
            [] if self.store_head is None else [self.store_head]
        )
        return all(type(n) is int and n >= 0 for n in counts) and all(
            isinstance(h, str) and _HEAD.fullmatch(h) for h in heads
        )


def _saved_problem(saved: Sequence[SavedCheckpoint], heads: dict[int, str]) -> Finding | None:
    """A saved checkpoint the log no longer matches: cut short, or its history rewritten."""
    length = max(heads)
    for checkpoint in saved:
        seq = checkpoint.entries
        if seq > length:
            problem = f"the log ends at entry {length}, before the saved checkpoint's entry {seq}"
            return Finding(seq, "", f"missing: {problem}; it was truncated")
        if heads[seq] != checkpoint.head:
            return Finding(
                seq,
                "",
                f"its hash is {heads[seq]} but the saved checkpoint says {checkpoint.head}:"
                " the log was rewritten",
            )
    return None


def _hash_of(canonical: str, previous: str) -> str:
    return hashlib.sha256(f"{previous}\n{canonical}".encode()).hexdigest()


def verify_export(lines: Iterable[str], saved: Sequence[SavedCheckpoint] = ()) -> Verdict:
    """An export (JSON Lines) checked against itself (every hash, every link, every checkpoint)
    and against the checkpoints someone saved (`saved`)."""
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
    return Verdict(count, previous, _saved_problem(saved, heads))


def verify_store(
    notifications: Iterable[Any],
    mapper: Any,
    published: Iterable[Any],
    saved: Sequence[SavedCheckpoint] = (),
) -> Verdict:
    """Derive the log again from the stored events and compare it with the published chain
    and with the checkpoints someone saved (`saved`)."""
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
    return Verdict(count, previous, _saved_problem(saved, heads))


def _checkpoint_problem(entry: dict[str, Any], heads: dict[int, str]) -> str | None:
    if entry.get("kind") != "log.checkpoint":
        return None
    payload = entry["payload"]
    if heads.get(payload["entries"]) != payload["head"]:
        return f"checkpoint of {payload['day']} names a head the log does not have"
    return None
