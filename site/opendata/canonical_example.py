"""The worked example of the public log's canonical JSON and hash on /journalists#verify,
made by the log's own Entry.canonical() and link(), so the page cannot drift from them."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from projections.publiclog.public_entries import GENESIS, Entry, link


def canonical_example() -> dict[str, str]:
    entry = Entry(
        uuid="0f6b2c1e-7d3a-5b8e-9c4f-2a1d3e5f7a9b",
        kind="finding.closed",
        year=2023,
        subjects=("findings", "project:2023:9.1"),
        business_date="2023-07-03",
        recorded_at=datetime(2023, 7, 3, 2, 15, tzinfo=UTC),
        payload={"finding": "c3d1", "text": "整改到位"},
    )
    canonical = entry.canonical()
    return {
        # What Python's default json.dumps makes of the entry as log.jsonl holds it: spaces
        # after "," and ":", and 整改到位 as \u6574\u6539\u5230\u4f4d. Its hash differs.
        "default": json.dumps(json.loads(canonical)),
        "canonical": canonical,
        "genesis": GENESIS,
        "hash": link(GENESIS, canonical),
    }
