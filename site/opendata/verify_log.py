#!/usr/bin/env python3
"""Check a download of the 民生实事公开台 public log (log.jsonl) against its own hashes and
against checkpoints you saved earlier. Python 3.9 or later, standard library only.

    python3 verify_log.py log.jsonl --checkpoint 1234:5f3a...e9
    python3 verify_log.py https://example.org/api/v1/log.jsonl --checkpoint saved.json

Each line of log.jsonl is {"seq", "entry", "prev_hash", "hash"}. The canonical JSON of an
entry has its keys sorted (by code point), no spaces (separators "," and ":") and
non-ASCII characters as themselves (not \\uXXXX), encoded as UTF-8; an entry's hash is the
lowercase hex SHA-256 of previous_hash + "\\n" + canonical_json, the first previous hash
64 zeros. A checkpoint (SEQ:HEAD, or a checkpoint's line of log.jsonl, its entry of
/api/v1/log, or its payload, saved in a file) says the log had SEQ entries, the last one
hashed HEAD: a log cut short before SEQ, or whose entry SEQ has another hash (the history
rewritten and every hash recomputed), is refused. Exit status 0: verified; 1: not.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import urllib.request
from collections.abc import Iterable

GENESIS = "0" * 64
HEX64 = re.compile(r"[0-9a-f]{64}\Z")


def canonical(entry: object) -> str:
    return json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def link(previous: str, text: str) -> str:
    return hashlib.sha256((previous + "\n" + text).encode("utf-8")).hexdigest()


def read_checkpoint(spec: str) -> tuple[int, str]:
    """(seq, head) from SEQ:HEAD, or from a file holding a published checkpoint."""
    seq, colon, head = spec.strip().partition(":")
    if colon and seq.isdigit() and HEX64.match(head):
        return int(seq), head
    with open(spec, encoding="utf-8") as saved:
        found = json.loads(saved.read())
    entry = found.get("entry", found)
    payload = entry.get("payload", entry)
    seq, head = payload.get("entries"), payload.get("head")
    if type(seq) is not int or seq < 0 or not isinstance(head, str) or not HEX64.match(head):
        raise ValueError(spec + ": not a checkpoint (give SEQ:HEAD or a published checkpoint)")
    return seq, head


def open_lines(source: str) -> Iterable[str]:
    if source == "-":
        return sys.stdin
    if source.startswith(("http://", "https://")):
        answer = urllib.request.urlopen(source, timeout=60)
        return (line.decode("utf-8") for line in answer)
    return open(source, encoding="utf-8")


def verify(lines: Iterable[str], saved: list[tuple[int, str]]) -> tuple[int, str, str | None]:
    """(entries, head, problem or None)."""
    previous, count, heads = GENESIS, 0, {0: GENESIS}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            seq, entry = record["seq"], record["entry"]
            text = canonical(entry)
        except (ValueError, KeyError, TypeError):
            return count, previous, f"line {number}: not a log entry"
        if seq != count + 1:
            return count, previous, f"entry {seq}: out of order (expected {count + 1})"
        if record.get("prev_hash") != previous:
            return count, previous, f"entry {seq}: does not follow the entry before it"
        if link(previous, text) != record.get("hash"):
            return count, previous, f"entry {seq}: its hash does not match its content"
        if isinstance(entry, dict) and entry.get("kind") == "log.checkpoint":
            payload = entry.get("payload") or {}
            if heads.get(payload.get("entries", -1)) != payload.get("head"):
                return count, previous, f"entry {seq}: a checkpoint the log does not match"
        previous, count = record["hash"], seq
        heads[seq] = previous
    for seq, head in saved:
        if seq > count:
            return (
                count,
                previous,
                (f"the log ends at entry {count}, before your checkpoint's entry {seq}: truncated"),
            )
        if heads[seq] != head:
            return (
                count,
                previous,
                (
                    f"entry {seq} is hashed {heads[seq]}, your checkpoint says {head}:"
                    " the log was rewritten"
                ),
            )
    return count, previous, None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("log", help="log.jsonl: a file, its URL, or - for standard input")
    parser.add_argument(
        "--checkpoint",
        action="append",
        default=[],
        metavar="SEQ:HEAD|FILE",
        help="a checkpoint you saved earlier (repeatable)",
    )
    args = parser.parse_args(argv)
    try:
        saved = [read_checkpoint(spec) for spec in args.checkpoint]
        count, head, problem = verify(open_lines(args.log), saved)
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if problem:
        print(f"NOT VERIFIED: {problem}")
        return 1
    print(f"verified: {count} entries, head {head}")
    for seq, head in saved:
        print(f"matches your checkpoint {seq}:{head}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
